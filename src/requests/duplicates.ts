// Possible duplicate requests: requests whose subjects share keyed blind indexes of their
// identifiers (computed by src/crypto). Reported to the handler, never merged.
import { IdentifierType, type RequestStatus, type RequestType } from '../domain/vocabulary.js';

/** A blind index, optionally with the identifier type it was computed from. */
export type BlindIndexEntry = string | { type: IdentifierType; index: string };

export interface IndexedRequest {
  requestId: string;
  type?: RequestType;
  status?: RequestStatus;
  receivedAt?: Date;
  indexes: readonly BlindIndexEntry[];
}

export type DuplicateStrength = 'STRONG' | 'WEAK';

export interface PossibleDuplicate {
  requestId: string;
  type?: RequestType;
  status?: RequestStatus;
  receivedAt?: Date;
  /** The shared blind indexes (opaque: no personal data). */
  shared: string[];
  sameType: boolean;
  /** STRONG: a shared unique identifier, or two or more shared indexes; WEAK: one name or date alone. */
  strength: DuplicateStrength;
}

// Identifiers that on their own point at one person; names, birth dates and places do not.
export const WEAK_IDENTIFIER_TYPES: ReadonlySet<IdentifierType> = new Set([
  IdentifierType.GIVEN_NAME,
  IdentifierType.FAMILY_NAME,
  IdentifierType.FULL_NAME,
  IdentifierType.DATE_OF_BIRTH,
  IdentifierType.STREET_ADDRESS,
  IdentifierType.CITY,
  IdentifierType.POSTCODE,
]);

function keyOf(e: BlindIndexEntry): string {
  return typeof e === 'string' ? e : e.index;
}

/**
 * The existing requests sharing at least one blind index with `candidate`, strongest and
 * most shared first. The candidate itself (same requestId) is left out.
 */
export function findPossibleDuplicates(
  candidate: IndexedRequest,
  existing: readonly IndexedRequest[],
  options: { includeWeak?: boolean } = {},
): PossibleDuplicate[] {
  const mine = new Map<string, BlindIndexEntry>();
  for (const e of candidate.indexes) mine.set(keyOf(e), e);
  const found: PossibleDuplicate[] = [];
  for (const other of existing) {
    if (other.requestId === candidate.requestId) continue;
    const shared = new Set<string>();
    let strongShared = false;
    for (const e of other.indexes) {
      const key = keyOf(e);
      const ours = mine.get(key);
      if (ours === undefined || shared.has(key)) continue;
      shared.add(key);
      const type = typeof ours === 'string' ? (typeof e === 'string' ? undefined : e.type) : ours.type;
      // An untyped index is treated as unique: the safer side is to show the handler.
      if (type === undefined || !WEAK_IDENTIFIER_TYPES.has(type)) strongShared = true;
    }
    if (shared.size === 0) continue;
    const strength: DuplicateStrength = strongShared || shared.size >= 2 ? 'STRONG' : 'WEAK';
    if (strength === 'WEAK' && options.includeWeak === false) continue;
    found.push({
      requestId: other.requestId,
      ...(other.type ? { type: other.type } : {}),
      ...(other.status ? { status: other.status } : {}),
      ...(other.receivedAt ? { receivedAt: other.receivedAt } : {}),
      shared: [...shared].sort(),
      sameType: candidate.type !== undefined && candidate.type === other.type,
      strength,
    });
  }
  return found.sort(
    (a, b) => Number(b.strength === 'STRONG') - Number(a.strength === 'STRONG') || b.shared.length - a.shared.length || a.requestId.localeCompare(b.requestId),
  );
}
