import { createHash } from 'node:crypto';
import { EncryptionKeyring } from './encryption-keyring.js';
import { CryptoError } from './errors.js';
import { HmacKeyring } from './hmac-keyring.js';
import { parseKeyList, type NamedKey } from './key-list.js';

export const ENCRYPTION_KEYS_VARIABLE = 'DSR_ENCRYPTION_KEYS';
export const TOMBSTONE_KEYS_VARIABLE = 'DSR_TOMBSTONE_KEYS';

/** Key id of the deterministic development keys, so their data is recognisable later. */
export const DEVELOPMENT_KID = 'dev';

export interface KeyringLoadOptions {
  env?: Record<string, string | undefined>;
  /** Where the development-key warning goes (default: process.emitWarning). */
  warn?: (message: string) => void;
}

export interface Keyrings {
  encryption: EncryptionKeyring;
  tombstone: HmacKeyring;
  /** Names of the variables that fell back to development keys (empty in production). */
  developmentFallbacks: string[];
}

// Public, fixed, derivable by anyone: fine for a laptop, never for real data. The
// production guard below makes sure they are never used there.
function developmentKey(label: string): NamedKey {
  return { kid: DEVELOPMENT_KID, key: createHash('sha256').update(`dsr-gateway development key: ${label}`).digest() };
}

function defaultWarn(message: string): void {
  process.emitWarning(message, { code: 'DSR_DEVELOPMENT_KEYS' });
}

function readKeys(
  variable: string,
  rule: { exact?: number; min?: number },
  options: KeyringLoadOptions,
  fallbacks: string[],
): NamedKey[] {
  const env = options.env ?? process.env;
  const value = env[variable];
  if (value !== undefined && value.trim() !== '') return parseKeyList(variable, value, rule);
  if (env.NODE_ENV === 'production') {
    throw new CryptoError('CONFIG_ERROR', `${variable} must be set in production (kid:base64key[,kid:base64key...])`);
  }
  fallbacks.push(variable);
  (options.warn ?? defaultWarn)(
    `${variable} is not set: using public development keys. Never use this outside development.`,
  );
  return [developmentKey(variable)];
}

export function loadEncryptionKeyring(options: KeyringLoadOptions = {}): EncryptionKeyring {
  return new EncryptionKeyring(readKeys(ENCRYPTION_KEYS_VARIABLE, { exact: 32 }, options, []));
}

export function loadTombstoneKeyring(options: KeyringLoadOptions = {}): HmacKeyring {
  return new HmacKeyring(readKeys(TOMBSTONE_KEYS_VARIABLE, { min: 32 }, options, []));
}

/**
 * Both keyrings from the environment. Tombstone keys must be separate from encryption
 * keys: reusing a key across AES and HMAC would tie the two rotations together and
 * widen what one leaked key exposes.
 */
export function loadKeyrings(options: KeyringLoadOptions = {}): Keyrings {
  const developmentFallbacks: string[] = [];
  const encryptionKeys = readKeys(ENCRYPTION_KEYS_VARIABLE, { exact: 32 }, options, developmentFallbacks);
  const tombstoneKeys = readKeys(TOMBSTONE_KEYS_VARIABLE, { min: 32 }, options, developmentFallbacks);
  for (const t of tombstoneKeys) {
    if (encryptionKeys.some((e) => e.key.equals(t.key))) {
      throw new CryptoError(
        'CONFIG_ERROR',
        `${TOMBSTONE_KEYS_VARIABLE} key ${t.kid} is also in ${ENCRYPTION_KEYS_VARIABLE}: tombstone keys must be separate`,
      );
    }
  }
  return {
    encryption: new EncryptionKeyring(encryptionKeys),
    tombstone: new HmacKeyring(tombstoneKeys),
    developmentFallbacks,
  };
}
