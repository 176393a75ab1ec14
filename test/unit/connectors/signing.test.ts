import { describe, expect, it } from 'vitest';
import { NonceCache, sign, verify } from '../../../connectors/remote/signing.js';

const secret = 'unit-test-secret-0123456789';
const base = { method: 'POST', path: '/connector/discover', timestamp: '1700000000', nonce: 'abcdefabcdefabcdef01', body: '{"queries":[]}' };
const now = 1_700_000_000_000;

describe('request signing', () => {
  it('verifies a genuine request once', async () => {
    const nonces = new NonceCache();
    const signature = sign(base, secret);
    expect(await verify({ ...base, signature }, secret, nonces, 300_000, now)).toBeUndefined();
    expect(await verify({ ...base, signature }, secret, nonces, 300_000, now)).toBe('REPLAYED_NONCE');
  });

  it('rejects any change to method, path, timestamp, nonce or body', async () => {
    const signature = sign(base, secret);
    for (const change of [
      { method: 'GET' },
      { path: '/connector/erase' },
      { timestamp: '1700000001' },
      { nonce: 'abcdefabcdefabcdef02' },
      { body: '{"queries":[1]}' },
    ]) {
      expect(await verify({ ...base, ...change, signature }, secret, new NonceCache(), 300_000, now)).toBe('BAD_SIGNATURE');
    }
    expect(await verify({ ...base, signature }, 'another-secret-0123456789', new NonceCache(), 300_000, now)).toBe('BAD_SIGNATURE');
  });

  it('rejects timestamps outside the window and missing headers', async () => {
    const signature = sign(base, secret);
    expect(await verify({ ...base, signature }, secret, new NonceCache(), 300_000, now + 301_000)).toBe('STALE_TIMESTAMP');
    expect(await verify({ ...base, signature: undefined }, secret, new NonceCache(), 300_000, now)).toBe('MISSING_HEADERS');
  });

  it('forgets nonces only after they could no longer pass the timestamp check', () => {
    const cache = new NonceCache();
    expect(cache.claim('n1', 0, 2000)).toBe(true);
    expect(cache.claim('n1', 1999, 2000)).toBe(false);
    expect(cache.claim('n1', 2001, 2000)).toBe(true);
  });

  it('asks the store to remember a nonce for twice the window', async () => {
    const asked: number[] = [];
    const store = { claim: (_nonce: string, _now: number, rememberMs: number) => (asked.push(rememberMs), true) };
    expect(await verify({ ...base, signature: sign(base, secret) }, secret, store, 300_000, now)).toBeUndefined();
    expect(asked).toEqual([600_000]);
  });
});
