import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Key format: dsr_<keyId>_<secret>. The key id is public (shown in lists and logs, used to
// find the row); the secret is 32 random bytes, base64url, and only its SHA-256 is stored.
// A fast hash is enough here: the secret has 256 bits of entropy, so there is nothing to
// brute-force, unlike a password.
export const API_KEY_PREFIX = 'dsr';
const KEY_ID_PATTERN = /^[a-z0-9]{16}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43,128}$/;
const SECRET_BYTES = 32;

export interface ParsedApiKey {
  keyId: string;
  secret: string;
}

export interface GeneratedApiKey extends ParsedApiKey {
  /** The full key to hand to the user once: dsr_<keyId>_<secret>. */
  clearKey: string;
}

export function generateKeyId(): string {
  return randomBytes(10).toString('hex').slice(0, 16);
}

export function generateApiKey(): GeneratedApiKey {
  const keyId = generateKeyId();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { keyId, secret, clearKey: `${API_KEY_PREFIX}_${keyId}_${secret}` };
}

/** Splits a clear key; null when it is not of our format (the secret may itself contain '_'). */
export function parseApiKey(clearKey: string): ParsedApiKey | null {
  if (typeof clearKey !== 'string' || clearKey.length > 200) return null;
  const prefix = `${API_KEY_PREFIX}_`;
  if (!clearKey.startsWith(prefix)) return null;
  const rest = clearKey.slice(prefix.length);
  const sep = rest.indexOf('_');
  if (sep < 0) return null;
  const keyId = rest.slice(0, sep);
  const secret = rest.slice(sep + 1);
  if (!KEY_ID_PATTERN.test(keyId) || !SECRET_PATTERN.test(secret)) return null;
  return { keyId, secret };
}

export function isApiKeyFormat(token: string): boolean {
  return parseApiKey(token) !== null;
}

/** Hex SHA-256 of the secret: the only thing stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function verifySecret(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

/**
 * Extracts the token from an `Authorization` header value. Returns null when the header is
 * absent; throws nothing (the caller decides how to answer).
 */
export function parseBearer(header: string | null | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1]! : null;
}
