import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CryptoError } from './errors.js';
import type { NamedKey } from './key-list.js';

// AES-256-GCM envelope: v1.<kid>.<iv>.<ciphertext>.<tag>, every part base64url.
// The version and key id are bound into the associated data, so an envelope cannot be
// relabelled to another key, and caller-supplied associated data (e.g. the row id) binds
// a ciphertext to its place so it cannot be copied into another row.
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type AssociatedData = string | Uint8Array;

function aadBytes(kid: string, aad: AssociatedData | undefined): Buffer {
  const header = Buffer.from(`${VERSION}.${kid}.`, 'utf8');
  if (aad === undefined) return header;
  return Buffer.concat([header, typeof aad === 'string' ? Buffer.from(aad, 'utf8') : Buffer.from(aad)]);
}

export interface ParsedEnvelope {
  kid: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function parseEnvelope(envelope: string): ParsedEnvelope {
  const parts = typeof envelope === 'string' ? envelope.split('.') : [];
  if (parts.length !== 5 || parts[0] !== VERSION || !parts[1] || !parts.slice(2).every((p) => B64URL.test(p))) {
    throw new CryptoError('MALFORMED_CIPHERTEXT', 'ciphertext is not a v1 envelope');
  }
  const iv = Buffer.from(parts[2]!, 'base64url');
  const tag = Buffer.from(parts[4]!, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new CryptoError('MALFORMED_CIPHERTEXT', 'ciphertext has a bad iv or tag length');
  }
  return { kid: parts[1]!, iv, ciphertext: Buffer.from(parts[3]!, 'base64url'), tag };
}

/** True when a string looks like an envelope of this module (cheap check, no decryption). */
export function isEnvelope(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(`${VERSION}.`) && value.split('.').length === 5;
}

/**
 * Keys for data at rest. The first key encrypts; every key decrypts, so a new key can be
 * put first while data written under older keys stays readable until re-encrypted.
 */
export class EncryptionKeyring {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly activeKid: string;

  constructor(keys: readonly NamedKey[]) {
    if (keys.length === 0) throw new CryptoError('CONFIG_ERROR', 'an encryption keyring needs at least one key');
    for (const k of keys) {
      if (k.key.length !== 32) throw new CryptoError('CONFIG_ERROR', `encryption key ${k.kid} must be 32 bytes`);
    }
    this.keys = new Map(keys.map((k) => [k.kid, Buffer.from(k.key)]));
    if (this.keys.size !== keys.length) throw new CryptoError('CONFIG_ERROR', 'duplicate encryption key id');
    this.activeKid = keys[0]!.kid;
  }

  /** Key ids, active first. */
  get kids(): string[] {
    return [...this.keys.keys()];
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  encrypt(plaintext: string | Uint8Array, aad?: AssociatedData): string {
    const kid = this.activeKid;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(kid)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aadBytes(kid, aad));
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, kid, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
  }

  decrypt(envelope: string, aad?: AssociatedData): Buffer {
    const { kid, iv, ciphertext, tag } = parseEnvelope(envelope);
    const key = this.keys.get(kid);
    if (!key) throw new CryptoError('UNKNOWN_KEY_ID', `ciphertext was written with key id "${kid}", which is not configured`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aadBytes(kid, aad));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new CryptoError('DECRYPTION_FAILED', 'ciphertext failed authentication (wrong key, wrong associated data or tampered)');
    }
  }

  decryptString(envelope: string, aad?: AssociatedData): string {
    return this.decrypt(envelope, aad).toString('utf8');
  }

  /** The key id an envelope was written with. */
  kidOf(envelope: string): string {
    return parseEnvelope(envelope).kid;
  }

  /** True when the envelope was written under a key other than the active one. */
  needsRotation(envelope: string): boolean {
    return this.kidOf(envelope) !== this.activeKid;
  }
}
