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

/** The verdict on one record from the tombstone answers of its identifiers; null when none is tombstoned. */
export function recreationVerdict(answers: readonly TombstoneHit[]): RecreationVerdict | null {
  const byRequest = new Map<string, Set<string>>();
  for (const a of answers) {
    if (!a.tombstoned || !a.requestId) continue;
    const types = byRequest.get(a.requestId) ?? new Set<string>();
    types.add(a.type);
    byRequest.set(a.requestId, types);
  }
  let first: RecreationVerdict | null = null;
  for (const [requestId, types] of byRequest) {
    const personal = [...types].some((t) => !SHAREABLE.has(t));
    if (personal || types.size >= 2) return { requestId, confirmed: true };
    first ??= { requestId, confirmed: false };
  }
  return first;
}
