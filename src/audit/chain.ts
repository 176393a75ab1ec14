import { createHash } from 'node:crypto';
import type { HmacKeyring } from '../crypto/hmac-keyring.js';
import { canonicalJson } from './canonical-json.js';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an entry's hash covers: everything but the hash itself. */
export interface ChainedFields {
  seq: string;
  id: string;
  at: Date;
  actorId: string;
  actorKind: string;
  action: string;
  targetType: string;
  targetId: string | null;
  paramsDigest: string;
  outcome: string;
  controllerId: string | null;
}

/** hash = SHA-256(prev_hash || canonical JSON of the fields), hex. Versioned so the layout can change. */
export function entryHash(prevHash: string, f: ChainedFields): string {
  const canonical = canonicalJson([
    'audit-v1',
    f.seq,
    f.id,
    f.at.toISOString(),
    f.actorId,
    f.actorKind,
    f.action,
    f.targetType,
    f.targetId,
    f.paramsDigest,
    f.outcome,
    f.controllerId,
  ]);
  return createHash('sha256').update(prevHash, 'utf8').update(canonical, 'utf8').digest('hex');
}

export const AUDIT_PARAMS_PURPOSE = 'audit-params';

/**
 * Digest of an operation's parameters: proves later which parameters were used (recompute
 * from a candidate) without storing them. With a keyring it is an HMAC (`hmac:<kid>:<hash>`),
 * which cannot be brute-forced from guessable personal data such as an email address;
 * without one a plain `sha256:<hex>` over the canonical JSON.
 */
export function paramsDigest(params: unknown, keyring?: HmacKeyring): string {
  const canonical = canonicalJson(params ?? null);
  if (keyring) {
    const { kid, hash } = keyring.keyedHash(undefined, canonical, AUDIT_PARAMS_PURPOSE);
    return `hmac:${kid}:${hash}`;
  }
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
