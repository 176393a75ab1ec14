// AES-256-GCM for stored card numbers (R15, PCI DSS). Only the loader encrypts; nothing in
// the connector decrypts, so a full card number cannot leave the concierge store through it.
// A tiny local helper: the gateway's shared crypto module may replace it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const CARD_KEY_ENV = 'CONCIERGE_CARD_KEY';

/** The 32-byte key from base64 in CONCIERGE_CARD_KEY, or a fresh random one (data then unreadable later, by design). */
export function cardKeyFrom(env: Record<string, string | undefined> = process.env): Buffer {
  const encoded = env[CARD_KEY_ENV];
  if (!encoded) return randomBytes(32);
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) throw new Error(`${CARD_KEY_ENV} must be 32 bytes in base64`);
  return key;
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function encryptCardNumber(pan: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(pan, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** For tests and the card vault only; never called by the connector. */
export function decryptCardNumber(envelope: string, key: Buffer): string {
  const [version, iv, tag, body] = envelope.split('.');
  if (version !== 'v1' || !iv || !tag || !body) throw new Error('not a card envelope');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
