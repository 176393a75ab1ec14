import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateApiKey, hashSecret, parseApiKey, parseBearer, verifySecret } from '../../../src/auth/api-key-format.js';

describe('API key format', () => {
  it('generates dsr_<keyId>_<secret> with a visible id and a 32-byte secret', () => {
    const k = generateApiKey();
    expect(k.clearKey).toBe(`dsr_${k.keyId}_${k.secret}`);
    expect(k.keyId).toMatch(/^[a-z0-9]{16}$/);
    expect(Buffer.from(k.secret, 'base64url').length).toBe(32);
    expect(parseApiKey(k.clearKey)).toEqual({ keyId: k.keyId, secret: k.secret });
  });

  it('parses keys whose secret contains underscores', () => {
    const secret = 'ab_cd'.padEnd(43, '_');
    expect(parseApiKey(`dsr_0123456789abcdef_${secret}`)).toEqual({ keyId: '0123456789abcdef', secret });
  });

  it('rejects anything else without throwing', () => {
    for (const bad of ['', 'dsr_', 'dsr_short_x', 'abc_0123456789abcdef_' + 'a'.repeat(43), `dsr_0123456789abcdef_${'a'.repeat(10)}`]) {
      expect(parseApiKey(bad)).toBeNull();
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const parsed = parseApiKey(s);
        if (parsed) expect(s).toBe(`dsr_${parsed.keyId}_${parsed.secret}`);
      }),
      { numRuns: 10_000 },
    );
  });

  it('stores only a SHA-256 of the secret and verifies it', () => {
    const k = generateApiKey();
    const stored = hashSecret(k.secret);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(k.secret);
    expect(verifySecret(k.secret, stored)).toBe(true);
    expect(verifySecret(generateApiKey().secret, stored)).toBe(false);
    expect(verifySecret(k.secret, 'not-hex')).toBe(false);
  });

  it('never throws on any Authorization header (10,000 cases)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string().map((s) => `Bearer ${s}`),
        ),
        (h) => {
          const token = parseBearer(h);
          if (token !== null) expect(token).toMatch(/^\S+$/);
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('reads Bearer tokens from an Authorization header', () => {
    expect(parseBearer('Bearer abc.def')).toBe('abc.def');
    expect(parseBearer('bearer   tok ')).toBe('tok');
    expect(parseBearer('Basic abc')).toBeNull();
    expect(parseBearer('Bearer a b')).toBeNull();
    expect(parseBearer(undefined)).toBeNull();
  });
});
