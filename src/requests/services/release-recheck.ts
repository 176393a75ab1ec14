// R13, R16: a person's copy holds only records the sources still tie to that person. A
// record may change hands between verification and the copy (a source moves a case opened
// on the wrong member to the right one): just before the export, the person is searched for
// again in the sources that answered, and a record to be released that is no longer found
// is withheld and kept, never sent to the requester with someone else's data in it.
import type { Identifier } from '../../../connectors/contract.js';
import { DomainError } from '../../domain/errors.js';
import { RecordAction } from '../../domain/vocabulary.js';
import type { DiscoveryService } from '../../discovery/discovery.service.js';
import type { SourceRegistry } from '../../sources/source-registry.js';
import { recordKey } from '../snapshot.js';
import type { DiscoveryOutcome, RecordDecisionEntity, RequestRecordEntity } from '../store/request.store.js';

/** Why such a record is withheld, as the person reads it in the package and the letter. */
export const NO_LONGER_THE_PERSONS =
  'Not released: the source no longer holds this record under details that match yours (it may have been found to be about someone else)';

/** A record found by site and time alone (presence, R16): no identifier ties it to the person, the handler's confirmation does. */
export function foundByPresence(record: Pick<RequestRecordEntity, 'score' | 'explanation'>): boolean {
  return record.score === 0 && record.explanation.length === 0;
}

/** Pure: the records to be released (or released, then erased) that the search again did not find, of the sources it searched. */
export function notFoundAgain(
  records: readonly RequestRecordEntity[],
  decisions: readonly RecordDecisionEntity[],
  searched: ReadonlySet<string>,
  found: ReadonlySet<string>,
): RequestRecordEntity[] {
  const releasing = new Set(decisions.filter((d) => d.action === RecordAction.RELEASE).map(recordKey));
  return records.filter((r) => releasing.has(recordKey(r)) && searched.has(r.sourceId) && !foundByPresence(r) && !found.has(recordKey(r)));
}

/** Pure: the decisions as the package and execution apply them, those records withheld. */
export function withholding(decisions: readonly RecordDecisionEntity[], stale: readonly RequestRecordEntity[]): RecordDecisionEntity[] {
  const keys = new Set(stale.map(recordKey));
  return decisions.map((d) => (keys.has(recordKey(d)) ? { ...d, ...WITHHELD } : d));
}

/** What a withheld record's stored decision becomes (its computed action stays as the rules said). */
export const WITHHELD = {
  action: RecordAction.RETAIN,
  basis: null,
  retainUntil: null,
  reason: NO_LONGER_THE_PERSONS,
  followUpAction: null,
  returnToController: null,
  needsReview: false,
} as const;

/**
 * Searches the person again in the sources that answered at verification (still active) and
 * answers the records to be released that none of them finds any more. A source that does not
 * answer now is SOURCE_UNAVAILABLE: nothing is released, the handler tries again.
 */
export async function recordsNoLongerFound(
  deps: { discovery: DiscoveryService; sources: SourceRegistry },
  identifiers: readonly Identifier[],
  outcome: DiscoveryOutcome | null,
  records: readonly RequestRecordEntity[],
  decisions: readonly RecordDecisionEntity[],
): Promise<RequestRecordEntity[]> {
  const releasing = decisions.filter((d) => d.action === RecordAction.RELEASE);
  if (releasing.length === 0) return [];
  const active = new Set((await deps.sources.list()).map((s) => s.id));
  const sourceIds = (outcome?.sources ?? []).filter((s) => s.status === 'ANSWERED' && active.has(s.sourceId)).map((s) => s.sourceId);
  if (sourceIds.length === 0) return [];
  const again = await deps.discovery.discover({ identifiers, sourceIds, includeRelated: true });
  const silent = again.sources.find((s) => s.status !== 'ANSWERED');
  if (silent) {
    throw new DomainError('SOURCE_UNAVAILABLE', `Source ${silent.sourceId} could not be searched again before the release; nothing was released, try again`, {
      sourceId: silent.sourceId,
    });
  }
  return notFoundAgain(records, decisions, new Set(sourceIds), new Set(again.records.map(recordKey)));
}
