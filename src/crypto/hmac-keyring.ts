import { createHmac, timingSafeEqual } from 'node:crypto';
import { CryptoError } from './errors.js';
import type { NamedKey } from './key-list.js';

/** A keyed hash and the key id that made it; store both so rotation can find old hashes. */
export interface KeyedHash {
  kid: string;
  hash: string;
}

// HMAC-SHA256 over `purpose NUL value`: the purpose separates uses (tombstones, blind
// indexes, audit digests) so a hash from one can never be matched against another.
function mac(key: Buffer, value: string, purpose: string): string {
  if (!purpose || purpose.includes('\u0000')) throw new CryptoError('CONFIG_ERROR', 'keyed hash purpose must be a non-empty label');
  return createHmac('sha256', key).update(purpose, 'utf8').update('\u0000').update(value, 'utf8').digest('base64url');
}

/**
 * Keys for tombstones and blind indexes, separate from the encryption keys. The first key
 * hashes new values; the others still match values hashed before a rotation.
 */
export class HmacKeyring {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly activeKid: string;

  constructor(keys: readonly NamedKey[]) {
    if (keys.length === 0) throw new CryptoError('CONFIG_ERROR', 'an HMAC keyring needs at least one key');
    for (const k of keys) {
      if (k.key.length < 32) throw new CryptoError('CONFIG_ERROR', `HMAC key ${k.kid} must be at least 32 bytes`);
    }
    this.keys = new Map(keys.map((k) => [k.kid, Buffer.from(k.key)]));
    if (this.keys.size !== keys.length) throw new CryptoError('CONFIG_ERROR', 'duplicate HMAC key id');
    this.activeKid = keys[0]!.kid;
  }

  /** Key ids, active first. */
  get kids(): string[] {
    return [...this.keys.keys()];
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  /**
   * Hash an already-normalised value for one purpose with key `kid` (the active key when
   * omitted). Normalise first: the hash of "A@x.com" and "a@x.com" differ.
   */
  keyedHash(kid: string | undefined | null, normalisedValue: string, purpose: string): KeyedHash {
    const useKid = kid ?? this.activeKid;
    const key = this.keys.get(useKid);
    if (!key) throw new CryptoError('UNKNOWN_KEY_ID', `HMAC key id "${useKid}" is not configured`);
    return { kid: useKid, hash: mac(key, normalisedValue, purpose) };
  }

  /** The value hashed with every configured key, active first: look all of them up during a rotation. */
  keyedHashes(normalisedValue: string, purpose: string): KeyedHash[] {
    return this.kids.map((kid) => this.keyedHash(kid, normalisedValue, purpose));
  }

  /** Constant-time check of a stored hash against a value; false for a retired key id. */
  matches(stored: KeyedHash, normalisedValue: string, purpose: string): boolean {
    if (!this.keys.has(stored.kid)) return false;
    const expected = Buffer.from(this.keyedHash(stored.kid, normalisedValue, purpose).hash, 'utf8');
    const actual = Buffer.from(stored.hash, 'utf8');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
