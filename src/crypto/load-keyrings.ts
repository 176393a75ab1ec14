import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EncryptionKeyring } from './encryption-keyring.js';
import { CryptoError } from './errors.js';
import { HmacKeyring } from './hmac-keyring.js';
import { parseKeyList, type KeyLengthRule, type NamedKey } from './key-list.js';

export const ENCRYPTION_KEYS_VARIABLE = 'DSR_ENCRYPTION_KEYS';
export const TOMBSTONE_KEYS_VARIABLE = 'DSR_TOMBSTONE_KEYS';

/** Key id of the deterministic development keys, so their data is recognisable later. */
export const DEVELOPMENT_KID = 'dev';

const ENCRYPTION_RULE: KeyLengthRule = { exact: 32 };
const TOMBSTONE_RULE: KeyLengthRule = { min: 32 };

/** A key list variable, checked as loadKeyrings will read it (errors name the entry, never the key). */
export function keyListVariable(variable: string, rule: KeyLengthRule) {
  return z
    .string()
    .superRefine((value, ctx) => {
      try {
        parseKeyList(variable, value, rule);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
    .optional();
}

/**
 * The keyrings' variables, validated with the rest of the configuration by loadConfig
 * (src/config/config.ts); the keys themselves are read by loadKeyrings and never kept in
 * the configuration object. NODE_ENV is read here too: production needs real keys.
 */
export const keyringVariables = z
  .object({
    NODE_ENV: z.string().optional(),
    [ENCRYPTION_KEYS_VARIABLE]: keyListVariable(ENCRYPTION_KEYS_VARIABLE, ENCRYPTION_RULE),
    [TOMBSTONE_KEYS_VARIABLE]: keyListVariable(TOMBSTONE_KEYS_VARIABLE, TOMBSTONE_RULE),
  })
  .superRefine((v, ctx) => {
    const production = v.NODE_ENV === 'production';
    for (const variable of [ENCRYPTION_KEYS_VARIABLE, TOMBSTONE_KEYS_VARIABLE] as const) {
      if (production && !v[variable])
        ctx.addIssue({ code: 'custom', path: [variable], message: 'must be set in production (kid:base64key[,kid:base64key...])' });
    }
    const shared = sharedKeyProblem(keysOrNone(v[ENCRYPTION_KEYS_VARIABLE], ENCRYPTION_RULE), keysOrNone(v[TOMBSTONE_KEYS_VARIABLE], TOMBSTONE_RULE));
    if (shared) ctx.addIssue({ code: 'custom', path: [TOMBSTONE_KEYS_VARIABLE], message: shared });
  });

function keysOrNone(value: string | undefined, rule: KeyLengthRule): NamedKey[] {
  try {
    return value ? parseKeyList('', value, rule) : [];
  } catch {
    return []; // reported by the variable's own check
  }
}

/**
 * Tombstone keys must be separate from encryption keys: reusing a key across AES and HMAC
 * would tie the two rotations together and widen what one leaked key exposes.
 */
function sharedKeyProblem(encryption: NamedKey[], tombstone: NamedKey[]): string | undefined {
  const shared = tombstone.find((t) => encryption.some((e) => e.key.equals(t.key)));
  return shared && `${TOMBSTONE_KEYS_VARIABLE} key ${shared.kid} is also in ${ENCRYPTION_KEYS_VARIABLE}: tombstone keys must be separate`;
}

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

function readKeys(variable: string, rule: { exact?: number; min?: number }, options: KeyringLoadOptions, fallbacks: string[]): NamedKey[] {
  const env = options.env ?? process.env;
  const value = env[variable];
  if (value !== undefined && value.trim() !== '') return parseKeyList(variable, value, rule);
  if (env.NODE_ENV === 'production') {
    throw new CryptoError('CONFIG_ERROR', `${variable} must be set in production (kid:base64key[,kid:base64key...])`);
  }
  fallbacks.push(variable);
  (options.warn ?? defaultWarn)(`${variable} is not set: using public development keys. Never use this outside development.`);
  return [developmentKey(variable)];
}

export function loadEncryptionKeyring(options: KeyringLoadOptions = {}): EncryptionKeyring {
  return new EncryptionKeyring(readKeys(ENCRYPTION_KEYS_VARIABLE, ENCRYPTION_RULE, options, []));
}

export function loadTombstoneKeyring(options: KeyringLoadOptions = {}): HmacKeyring {
  return new HmacKeyring(readKeys(TOMBSTONE_KEYS_VARIABLE, TOMBSTONE_RULE, options, []));
}

/** Both keyrings from the environment (validated beforehand by loadConfig). */
export function loadKeyrings(options: KeyringLoadOptions = {}): Keyrings {
  const developmentFallbacks: string[] = [];
  const encryptionKeys = readKeys(ENCRYPTION_KEYS_VARIABLE, ENCRYPTION_RULE, options, developmentFallbacks);
  const tombstoneKeys = readKeys(TOMBSTONE_KEYS_VARIABLE, TOMBSTONE_RULE, options, developmentFallbacks);
  const shared = sharedKeyProblem(encryptionKeys, tombstoneKeys);
  if (shared) throw new CryptoError('CONFIG_ERROR', shared);
  return {
    encryption: new EncryptionKeyring(encryptionKeys),
    tombstone: new HmacKeyring(tombstoneKeys),
    developmentFallbacks,
  };
}
