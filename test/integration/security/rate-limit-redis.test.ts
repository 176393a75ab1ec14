import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisTokenBucket, createRateLimiter, rateLimitKeyOf, rateLimitPrefix } from '../../../src/auth/rate-limit.js';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis;
const prefix = `dsr:test:${randomBytes(4).toString('hex')}:`;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('Redis token bucket', () => {
  it('is shared between limiter instances (server replicas)', async () => {
    // One token a minute: a stalled machine cannot refill the bucket during the test.
    const replicaA = new RedisTokenBucket(redis, { perMinute: 1, burst: 5, prefix });
    const replicaB = createRateLimiter({ redis, perMinute: 1, burst: 5, prefix });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? replicaA : replicaB).consume('key-1')));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.find((r) => !r.allowed)!;
    expect(refused.retryAfterSeconds).toBe(60);
    expect(refused.limit).toBe(5);
    expect((await replicaA.consume('key-2')).allowed).toBe(true);
  });

  it('peek answers whether a token is there without taking it (the per-address gate)', async () => {
    const bucket = new RedisTokenBucket(redis, { perMinute: 60, burst: 2, prefix });
    for (let i = 0; i < 3; i++) expect((await bucket.peek('key-peek')).allowed).toBe(true);
    await bucket.consume('key-peek');
    await bucket.consume('key-peek');
    const shut = await bucket.peek('key-peek');
    expect(shut.allowed).toBe(false);
    expect(shut.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('refills over time: refused when empty, allowed again after the Retry-After it gave', async () => {
    // One token a second: the refusal holds unless the machine stalls a whole second.
    const bucket = new RedisTokenBucket(redis, { perMinute: 60, burst: 1, prefix });
    expect((await bucket.consume('key-3')).allowed).toBe(true);
    const refused = await bucket.consume('key-3');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBe(1);
    await new Promise((r) => setTimeout(r, refused.retryAfterSeconds * 1000));
    expect((await bucket.consume('key-3')).allowed).toBe(true);
    expect(await redis.pttl(`${prefix}key-3`)).toBeGreaterThan(0);
  });

  it('falls back to an in-memory bucket when Redis fails, and says so', async () => {
    const broken = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const errors: Error[] = [];
    const bucket = new RedisTokenBucket(broken, { perMinute: 60, burst: 2, prefix, onError: (e) => errors.push(e) });
    const results = await Promise.all([1, 2, 3].map(() => bucket.consume('k')));
    expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    expect(errors.length).toBe(3);
    broken.disconnect();
  });
});

describe('a gateway on a shared Redis', () => {
  let staging: TestGateway | undefined;
  let production: TestGateway | undefined;
  afterAll(async () => {
    await staging?.stop();
    await production?.stop();
  });

  it('keeps its per-key buckets under its QUEUE_PREFIX, so another gateway on the same Redis spends none of them', async () => {
    const env = { RATE_LIMIT_PER_MINUTE: '2' };
    staging = await startTestGateway({ queue: 'redis', worker: false, env });
    production = await startTestGateway({ queue: 'redis', worker: false, env });
    // The same OIDC subject signs in to both, so its bucket has the same name in each.
    const caller = rateLimitKeyOf({ kind: 'oidc', id: `shared-${randomBytes(4).toString('hex')}` });
    const spent = [];
    for (let i = 0; i < 3; i++) spent.push((await staging.runtime.services.rateLimiter.consume(caller)).allowed);
    expect(spent).toEqual([true, true, false]);
    expect((await production.runtime.services.rateLimiter.consume(caller)).allowed).toBe(true);
    expect(await redis.exists(`${rateLimitPrefix(staging.config.QUEUE_PREFIX)}${caller}`)).toBe(1);
  });
});
