import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CryptoError,
  EncryptionKeyring,
  HmacKeyring,
  formatKeyList,
  loadKeyrings,
  loadEncryptionKeyring,
  loadTombstoneKeyring,
  parseKeyList,
  reencrypt,
} from '../../../src/crypto/index.js';
import { codeOf } from '../../support/error-codes.js';

const key = (kid: string, bytes = 32) => ({ kid, key: randomBytes(bytes) });

describe('key lists from the environment', () => {
  it('parses kid:base64 entries in order, first is active', () => {
    const a = key('k2');
    const b = key('k1');
    const parsed = parseKeyList('DSR_ENCRYPTION_KEYS', ` ${formatKeyList([a, b])} `, { exact: 32 });
    expect(parsed.map((k) => k.kid)).toEqual(['k2', 'k1']);
    expect(parsed[0]!.key.equals(a.key)).toBe(true);
  });

  it('accepts base64url keys too', () => {
    const a = key('u');
    const parsed = parseKeyList('V', `u:${a.key.toString('base64url')}`, { exact: 32 });
    expect(parsed[0]!.key.equals(a.key)).toBe(true);
  });

  it.each([
    ['', 'holds no keys'],
    ['nokid', 'not of the form'],
    ['a.b:' + randomBytes(32).toString('base64'), 'key id'],
    ['k:' + randomBytes(16).toString('base64'), 'must be 32 bytes'],
    ['k:!!!', 'not base64'],
    [`k:${randomBytes(32).toString('base64')},k:${randomBytes(32).toString('base64')}`, 'twice'],
  ])('rejects %j with a CONFIG_ERROR naming the variable', (value, fragment) => {
    try {
      parseKeyList('DSR_ENCRYPTION_KEYS', value, { exact: 32 });
      expect.unreachable();
    } catch (e) {
      expect((e as CryptoError).code).toBe('CONFIG_ERROR');
      expect((e as Error).message).toContain('DSR_ENCRYPTION_KEYS');
      expect((e as Error).message).toContain(fragment);
    }
  });

  it('never puts key material in error messages', () => {
    const secret = randomBytes(16).toString('base64');
    try {
      parseKeyList('V', `k:${secret}`, { exact: 32 });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
    }
  });
});

describe('AES-256-GCM envelopes', () => {
  const ring = new EncryptionKeyring([key('k1')]);

  it('round-trips any string, with the v1.<kid>.<iv>.<ct>.<tag> shape', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ maxLength: 40 }), (text, aad) => {
        const env = ring.encrypt(text, aad);
        expect(env).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/);
        expect(ring.decryptString(env, aad)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('uses a fresh IV each time, so equal plaintexts give different ciphertexts', () => {
    expect(ring.encrypt('same')).not.toBe(ring.encrypt('same'));
  });

  it('refuses the wrong associated data (a value copied into another row)', () => {
    const env = ring.encrypt('NL-1234', 'request:1');
    expect(codeOf(() => ring.decrypt(env, 'request:2'))).toBe('DECRYPTION_FAILED');
    expect(codeOf(() => ring.decrypt(env))).toBe('DECRYPTION_FAILED');
  });

  it('detects any tampered byte', () => {
    const env = ring.encrypt('secret value');
    const parts = env.split('.');
    for (const i of [2, 3, 4]) {
      const bytes = Buffer.from(parts[i]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      const tampered = [...parts];
      tampered[i] = bytes.toString('base64url');
      expect(codeOf(() => ring.decrypt(tampered.join('.')))).toBe('DECRYPTION_FAILED');
    }
  });

  it('refuses an envelope relabelled to another configured key', () => {
    const two = new EncryptionKeyring([key('a'), key('b')]);
    const env = two.encrypt('x');
    expect(codeOf(() => two.decrypt(env.replace('v1.a.', 'v1.b.')))).toBe('DECRYPTION_FAILED');
  });

  it('any string given as ciphertext fails with a coded CryptoError, never another error (10,000 cases)', () => {
    const valid = ring.encrypt('x');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ maxLength: 20 }).map((s) => valid.slice(0, -3) + s),
          fc.constant('v1.k1....'),
        ),
        (s) => {
          try {
            ring.decrypt(s);
          } catch (e) {
            expect(e).toBeInstanceOf(CryptoError);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('any key-list string is parsed or refused with CONFIG_ERROR (10,000 cases)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        try {
          parseKeyList('V', s, { exact: 32 });
        } catch (e) {
          expect((e as CryptoError).code).toBe('CONFIG_ERROR');
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('gives coded errors for malformed and unknown-key envelopes', () => {
    expect(codeOf(() => ring.decrypt('plain text'))).toBe('MALFORMED_CIPHERTEXT');
    expect(codeOf(() => ring.decrypt('v1.k1.x.y'))).toBe('MALFORMED_CIPHERTEXT');
    const other = new EncryptionKeyring([key('zz')]);
    expect(codeOf(() => ring.decrypt(other.encrypt('x')))).toBe('UNKNOWN_KEY_ID');
  });

  it('rotation: a new first key encrypts, the old key still decrypts, reencrypt moves data over', () => {
    const k1 = key('k1');
    const k2 = key('k2');
    const before = new EncryptionKeyring([k1]);
    const old = before.encrypt('identifier', 'row-7');
    const after = new EncryptionKeyring([k2, k1]);
    expect(after.decryptString(old, 'row-7')).toBe('identifier');
    expect(after.needsRotation(old)).toBe(true);
    const moved = reencrypt(after, old, 'row-7');
    expect(moved.rotated).toBe(true);
    expect(after.kidOf(moved.envelope)).toBe('k2');
    expect(reencrypt(after, moved.envelope, 'row-7').rotated).toBe(false);
    const retired = new EncryptionKeyring([k2]);
    expect(retired.decryptString(moved.envelope, 'row-7')).toBe('identifier');
    expect(codeOf(() => retired.decrypt(old, 'row-7'))).toBe('UNKNOWN_KEY_ID');
  });
});

describe('keyed hashes for tombstones and blind indexes', () => {
  const t1 = key('t1');
  const t2 = key('t2', 48);

  it('is deterministic per key and purpose, and separates purposes', () => {
    const ring = new HmacKeyring([t1]);
    const a = ring.keyedHash(undefined, 'jan@example.org', 'tombstone:EMAIL');
    expect(a).toEqual(ring.keyedHash('t1', 'jan@example.org', 'tombstone:EMAIL'));
    expect(a.kid).toBe('t1');
    expect(a.hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ring.keyedHash(undefined, 'jan@example.org', 'blind-index:EMAIL').hash).not.toBe(a.hash);
    expect(ring.keyedHash(undefined, 'jan@example.com', 'tombstone:EMAIL').hash).not.toBe(a.hash);
  });

  it('rotation: hashes with every key so old tombstones still match', () => {
    const old = new HmacKeyring([t1]).keyedHash(undefined, 'p-1', 'tombstone');
    const rotated = new HmacKeyring([t2, t1]);
    const all = rotated.keyedHashes('p-1', 'tombstone');
    expect(all.map((h) => h.kid)).toEqual(['t2', 't1']);
    expect(all).toContainEqual(old);
    expect(rotated.matches(old, 'p-1', 'tombstone')).toBe(true);
    expect(rotated.matches(old, 'p-2', 'tombstone')).toBe(false);
    expect(new HmacKeyring([t2]).matches(old, 'p-1', 'tombstone')).toBe(false);
  });

  it('refuses short keys and unknown key ids', () => {
    expect(() => new HmacKeyring([key('s', 16)])).toThrow(CryptoError);
    expect(codeOf(() => new HmacKeyring([t1]).keyedHash('nope', 'x', 'p'))).toBe('UNKNOWN_KEY_ID');
  });
});

describe('loading keyrings', () => {
  const enc = formatKeyList([key('e1')]);
  const tomb = formatKeyList([key('t1')]);

  it('loads both keyrings from DSR_ENCRYPTION_KEYS and DSR_TOMBSTONE_KEYS', () => {
    const rings = loadKeyrings({ env: { NODE_ENV: 'production', DSR_ENCRYPTION_KEYS: enc, DSR_TOMBSTONE_KEYS: tomb } });
    expect(rings.encryption.activeKid).toBe('e1');
    expect(rings.tombstone.activeKid).toBe('t1');
    expect(rings.developmentFallbacks).toEqual([]);
  });

  it('in production a missing variable is a CONFIG_ERROR naming it', () => {
    for (const [env, name] of [
      [{ NODE_ENV: 'production', DSR_TOMBSTONE_KEYS: tomb }, 'DSR_ENCRYPTION_KEYS'],
      [{ NODE_ENV: 'production', DSR_ENCRYPTION_KEYS: enc }, 'DSR_TOMBSTONE_KEYS'],
    ] as const) {
      try {
        loadKeyrings({ env, warn: () => expect.unreachable() });
        expect.unreachable();
      } catch (e) {
        expect((e as CryptoError).code).toBe('CONFIG_ERROR');
        expect((e as Error).message).toContain(name);
      }
    }
  });

  it('outside production falls back to deterministic development keys, with a warning', () => {
    const warnings: string[] = [];
    const a = loadKeyrings({ env: { NODE_ENV: 'development' }, warn: (m) => warnings.push(m) });
    const b = loadKeyrings({ env: {}, warn: () => undefined });
    expect(a.developmentFallbacks).toEqual(['DSR_ENCRYPTION_KEYS', 'DSR_TOMBSTONE_KEYS']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('DSR_ENCRYPTION_KEYS');
    expect(b.encryption.decryptString(a.encryption.encrypt('x'))).toBe('x');
    expect(a.tombstone.keyedHash(undefined, 'v', 'p')).toEqual(b.tombstone.keyedHash(undefined, 'v', 'p'));
    expect(loadEncryptionKeyring({ env: {}, warn: () => undefined }).activeKid).toBe('dev');
    expect(loadTombstoneKeyring({ env: {}, warn: () => undefined }).activeKid).toBe('dev');
  });

  it('tombstone keys must be separate from encryption keys', () => {
    const shared = key('s');
    expect(
      codeOf(() =>
        loadKeyrings({
          env: { DSR_ENCRYPTION_KEYS: formatKeyList([shared]), DSR_TOMBSTONE_KEYS: formatKeyList([{ ...shared, kid: 't' }]) },
        }),
      ),
    ).toBe('CONFIG_ERROR');
  });
});
