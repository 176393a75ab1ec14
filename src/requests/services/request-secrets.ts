// Personal data of a request at rest: identifiers, scope and corrections sealed with the
// encryption keyring (bound to the request id), and a keyed blind index of the normalised
// identifiers so duplicates are found without decrypting anything.
import type { Identifier, PresenceQuery } from '../../../connectors/contract.js';
import type { EncryptionKeyring, HmacKeyring } from '../../crypto/index.js';
import { IdentifierType } from '../../domain/vocabulary.js';
import { normaliseQueryIdentifiers } from '../../identity/index.js';
import type { BlindIndexEntry } from '../duplicates.js';
import type { DataSubjectRequestEntity } from '../store/request.store.js';
import { identifiersDestroyed } from '../request-errors.js';

export const BLIND_INDEX_PURPOSE = 'request-blind-index';

export interface RequestedCorrection {
  field: string;
  value: string;
  reason: string;
}

export class RequestSecrets {
  constructor(
    private readonly encryption: EncryptionKeyring,
    private readonly hmac: HmacKeyring,
  ) {}

  seal(requestId: string, value: unknown): string {
    return this.encryption.encrypt(JSON.stringify(value), requestId);
  }

  open<T>(requestId: string, envelope: string): T {
    return JSON.parse(this.encryption.decrypt(envelope, requestId).toString('utf8')) as T;
  }

  /** The person's identifiers (decrypted); gone once an erasure completed (R11). */
  identifiersOf(request: DataSubjectRequestEntity): Identifier[] {
    if (!request.identifiersSealed) throw identifiersDestroyed(request.id);
    return this.open<Identifier[]>(request.id, request.identifiersSealed);
  }

  /** The date of birth given with the request, normalised (YYYY-MM-DD); null when none was given or the identifiers are gone. */
  dateOfBirthOf(request: DataSubjectRequestEntity): string | null {
    if (!request.identifiersSealed) return null;
    const given = this.identifiersOf(request).filter((i) => i.type === IdentifierType.DATE_OF_BIRTH);
    return given.length ? (normaliseQueryIdentifiers(given)[0]?.value ?? null) : null;
  }

  /** Where and when the person says they were (footage look-up); null when not given or destroyed (R11). */
  presenceOf(request: DataSubjectRequestEntity): PresenceQuery | null {
    return request.presenceSealed ? this.open<PresenceQuery>(request.id, request.presenceSealed) : null;
  }

  /** The corrections the person asked for (decrypted; RECTIFICATION only). */
  correctionsOf(request: DataSubjectRequestEntity): RequestedCorrection[] {
    return request.correctionsSealed ? this.open<RequestedCorrection[]>(request.id, request.correctionsSealed) : [];
  }

  /**
   * Blind index entries `TYPE.kid.hash` of the normalised identifiers. With `allKeys` (a
   * look-up), one entry per configured key and per earlier normal form of a value, to find
   * entries written before a key rotation or before the normalisation changed (legacyNormalForm).
   */
  blindIndex(identifiers: readonly Identifier[], allKeys = false): string[] {
    const out = new Set<string>();
    for (const id of normaliseQueryIdentifiers(identifiers)) {
      const forms = allKeys ? [id, ...(id.legacyForms ?? [])] : [id];
      for (const form of forms) {
        const value = `${id.type}\u0000${form.value}`;
        const hashes = allKeys ? this.hmac.keyedHashes(value, BLIND_INDEX_PURPOSE) : [this.hmac.keyedHash(null, value, BLIND_INDEX_PURPOSE)];
        for (const h of hashes) out.add(`${id.type}.${h.kid}.${h.hash}`);
      }
    }
    return [...out];
  }
}

/** A stored entry as findPossibleDuplicates reads it (typed, so names alone count as weak). */
export function indexEntry(entry: string): BlindIndexEntry {
  const type = entry.slice(0, entry.indexOf('.')) as IdentifierType;
  return { type, index: entry };
}
