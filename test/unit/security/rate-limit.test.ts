import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InMemoryTokenBucket, createRateLimiter, enforceRateLimit } from '../../../src/auth/rate-limit.js';

describe('in-memory token bucket', () => {
  it('allows the burst, then refuses with a retry hint in seconds, then refills', async () => {
    let now = 1_000_000;
    const bucket = new InMemoryTokenBucket({ perMinute: 60, burst: 3 }, () => now);
    for (let i = 0; i < 3; i++) expect((await bucket.consume('k1')).allowed).toBe(true);
    const refused = await bucket.consume('k1');
    expect(refused).toEqual({ allowed: false, limit: 3, remaining: 0, retryAfterSeconds: 1 });
    now += 1000;
    expect((await bucket.consume('k1')).allowed).toBe(true);
    expect((await bucket.consume('k1')).allowed).toBe(false);
  });

  it('keeps keys apart', async () => {
    const bucket = new InMemoryTokenBucket({ perMinute: 1, burst: 1 }, () => 0);
    expect((await bucket.consume('a')).allowed).toBe(true);
    expect((await bucket.consume('a')).allowed).toBe(false);
    expect((await bucket.consume('b')).allowed).toBe(true);
  });

  it('the retry hint is honest: waiting that long is enough, and (for whole seconds) necessary', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 1, max: 50 }), (perMinute, burst) => {
        let now = 0;
        const bucket = new InMemoryTokenBucket({ perMinute, burst }, () => now);
        for (let i = 0; i < burst; i++) bucket.consumeSync('k');
        const refused = bucket.consumeSync('k');
        expect(refused.allowed).toBe(false);
        expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        now += refused.retryAfterSeconds * 1000;
        expect(bucket.consumeSync('k').allowed).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('600 per minute by default', async () => {
    const bucket = createRateLimiter();
    let allowed = 0;
    for (let i = 0; i < 700; i++) if ((await bucket.consume('k')).allowed) allowed += 1;
    expect(allowed).toBe(600);
  });

  it('enforceRateLimit throws RATE_LIMITED with retryAfterSeconds', async () => {
    const bucket = new InMemoryTokenBucket({ perMinute: 6, burst: 1 }, () => 0);
    await enforceRateLimit(bucket, 'k');
    await expect(enforceRateLimit(bucket, 'k')).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 10 });
  });

  it('stays bounded in memory', () => {
    const bucket = new InMemoryTokenBucket({ perMinute: 10 }, () => 0, 100);
    for (let i = 0; i < 1000; i++) bucket.consumeSync(`k${i}`);
    expect(bucket.size).toBe(100);
  });

  it('refuses nonsense settings', () => {
    expect(() => new InMemoryTokenBucket({ perMinute: 0 })).toThrow(RangeError);
    expect(() => new InMemoryTokenBucket({ perMinute: 10 }).consumeSync('k', 11)).toThrow(RangeError);
  });
});
