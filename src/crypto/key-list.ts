import { CryptoError } from './errors.js';

/** One named key of a keyring. The key id travels with every ciphertext and hash. */
export interface NamedKey {
  kid: string;
  key: Buffer;
}

// Key ids appear inside dot-separated envelopes and `kid:hash` strings, so no dots or colons.
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface KeyLengthRule {
  /** Exact length in bytes (AES-256 needs 32). */
  exact?: number;
  /** Minimum length in bytes (HMAC keys may be longer). */
  min?: number;
}

/**
 * Parses `kid:base64key,kid:base64key,...` from an environment variable. The first key is
 * the active one; order is preserved. Errors name the variable and the position, never the key.
 */
export function parseKeyList(variable: string, value: string, rule: KeyLengthRule): NamedKey[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0) {
    throw new CryptoError('CONFIG_ERROR', `${variable} holds no keys (expected kid:base64key[,kid:base64key...])`);
  }
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const where = `${variable} entry ${index + 1}`;
    if (colon <= 0) throw new CryptoError('CONFIG_ERROR', `${where} is not of the form kid:base64key`);
    const kid = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KID_PATTERN.test(kid)) {
      throw new CryptoError('CONFIG_ERROR', `${where}: key id must be 1-32 characters of A-Z a-z 0-9 _ -`);
    }
    if (seen.has(kid)) throw new CryptoError('CONFIG_ERROR', `${where}: key id "${kid}" appears twice`);
    seen.add(kid);
    if (!BASE64_PATTERN.test(encoded)) throw new CryptoError('CONFIG_ERROR', `${where} (kid ${kid}): key is not base64`);
    const key = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (rule.exact !== undefined && key.length !== rule.exact) {
      throw new CryptoError('CONFIG_ERROR', `${where} (kid ${kid}): key must be ${rule.exact} bytes, got ${key.length}`);
    }
    if (rule.min !== undefined && key.length < rule.min) {
      throw new CryptoError('CONFIG_ERROR', `${where} (kid ${kid}): key must be at least ${rule.min} bytes, got ${key.length}`);
    }
    return { kid, key };
  });
}

/** Formats keys back into the environment syntax (used by key generation tooling and tests). */
export function formatKeyList(keys: readonly NamedKey[]): string {
  return keys.map((k) => `${k.kid}:${k.key.toString('base64')}`).join(',');
}
