// Secrets at rest: AES-256-GCM envelopes and keyed hashes, both with key ids for rotation.
export { CryptoError, type CryptoErrorCode } from './errors.js';
export { parseKeyList, formatKeyList, type NamedKey } from './key-list.js';
export { EncryptionKeyring, parseEnvelope, isEnvelope, type AssociatedData, type ParsedEnvelope } from './encryption-keyring.js';
export { HmacKeyring, type KeyedHash } from './hmac-keyring.js';
export {
  loadKeyrings,
  loadEncryptionKeyring,
  loadTombstoneKeyring,
  ENCRYPTION_KEYS_VARIABLE,
  TOMBSTONE_KEYS_VARIABLE,
  DEVELOPMENT_KID,
  type Keyrings,
  type KeyringLoadOptions,
} from './load-keyrings.js';
export { reencrypt, reencryptColumn, type Queryable, type ReencryptColumnOptions, type ReencryptColumnResult } from './reencrypt.js';
