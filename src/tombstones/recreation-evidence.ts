// When a record the recreation sweep lists is the erased person come back (R10), and when
// it only shares a contact with them (R16: a household's landline, a family mailbox): the
// sweep erases the first, and only reports the second, as its record is someone else's.
// Pure: the tombstone answers of one record in, the verdict out.
import { IdentifierType } from '../domain/vocabulary.js';
import type { TombstoneHit } from './tombstone.service.js';

/** Identifiers more than one person may hold: alone they do not say who a record is about. */
const SHAREABLE: ReadonlySet<string> = new Set([IdentifierType.EMAIL, IdentifierType.PHONE]);

export interface RecreationVerdict {
  /** The erasure request the record's tombstoned identifiers name. */
  requestId: string;
  /**
   * True when the tombstones of that request name the record's person: an identifier of one
   * person (national id, a system's person id, name with date of birth), or an e-mail and a
   * phone together. False when only one shared contact matches.
   */
  confirmed: boolean;
}

/**
 * The verdicts on one record from the tombstone answers of its identifiers, one per erasure
 * request they name: those that confirm the person first, then those resting on one shared
 * contact, each group in the order the answers name them (the earliest erasure of an
 * identifier first). Every request a token names counts, not only the earliest: the evidence
 * of one erasure must not be split because an earlier one tombstoned part of it.
 */
export function recreationVerdicts(answers: readonly TombstoneHit[]): RecreationVerdict[] {
  const byRequest = new Map<string, Set<string>>();
  for (const a of answers) {
    if (!a.tombstoned) continue;
    for (const requestId of a.requestIds) {
      const types = byRequest.get(requestId) ?? new Set<string>();
      types.add(a.type);
      byRequest.set(requestId, types);
    }
  }
  const verdicts = [...byRequest].map(([requestId, types]) => ({
    requestId,
    confirmed: [...types].some((t) => !SHAREABLE.has(t)) || types.size >= 2,
  }));
  return [...verdicts.filter((v) => v.confirmed), ...verdicts.filter((v) => !v.confirmed)];
}

/** The first of recreationVerdicts; null when no identifier is tombstoned. */
export function recreationVerdict(answers: readonly TombstoneHit[]): RecreationVerdict | null {
  return recreationVerdicts(answers)[0] ?? null;
}
