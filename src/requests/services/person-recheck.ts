// R13, R16: a request acts only on records the sources still tie to the person. A record may
// change hands between verification and the action (a source moves a case opened on the
// wrong member to the right one): just before the access copy is exported, and just before
// an erasure, restriction or correction is queued, the person is searched for again in the
// sources that answered, and a record no longer found is left as the source holds it
// (RETAIN with the reason), never sent to the requester nor erased or overwritten with
// someone else's data in it.
import type { Identifier } from '../../../connectors/contract.js';
import { DomainError } from '../../domain/errors.js';
import { RecordAction } from '../../domain/vocabulary.js';
import type { DiscoveryService } from '../../discovery/discovery.service.js';
import { plannedTasks } from '../../execution/task-plan.js';
import type { SourceRegistry } from '../../sources/source-registry.js';
import { recordKey } from '../snapshot.js';
import type { DiscoveryOutcome, RecordDecisionEntity, RequestRecordEntity } from '../store/request.store.js';

const DETAILS_NO_LONGER_MATCH = 'the source no longer holds this record under details that match yours (it may have been found to be about someone else)';

/** Why such a record is left alone, as the person reads it in the package and the letter. */
export const NO_LONGER_THE_PERSONS = `Not released: ${DETAILS_NO_LONGER_MATCH}`;

/** The reason for a decision of `action` that the search again withheld: what was not done, and why. */
export function noLongerThePersons(action: string): string {
  if (action === RecordAction.RELEASE) return NO_LONGER_THE_PERSONS;
  const what = action === RecordAction.CORRECT || action === RecordAction.ANNOTATE ? 'corrected' : action === RecordAction.RESTRICT ? 'restricted' : 'erased';
  return `Not ${what}: ${DETAILS_NO_LONGER_MATCH}`;
}

/** Which decisions a search again guards. */
export type Guarded = (d: Pick<RecordDecisionEntity, 'action' | 'followUpAction' | 'sourceId' | 'recordId'>) => boolean;

/** An access copy: the records to be released (a child's released then erased included). */
export const RELEASING: Guarded = (d) => d.action === RecordAction.RELEASE;

/** Execution: the records a task would change at the source (erase, anonymise, restrict, correct, annotate, a follow-up). */
export const CHANGING: Guarded = (d) => plannedTasks([d]).length > 0;

/** A record found by site and time alone (presence, R16): no identifier ties it to the person, the handler's confirmation does. */
export function foundByPresence(record: Pick<RequestRecordEntity, 'score' | 'explanation'>): boolean {
  return record.score === 0 && record.explanation.length === 0;
}

/** Pure: the guarded records that the search again did not find, of the sources it searched. */
export function notFoundAgain(
  records: readonly RequestRecordEntity[],
  decisions: readonly RecordDecisionEntity[],
  searched: ReadonlySet<string>,
  found: ReadonlySet<string>,
  guarded: Guarded = RELEASING,
): RequestRecordEntity[] {
  const acting = new Set(decisions.filter(guarded).map(recordKey));
  return records.filter((r) => acting.has(recordKey(r)) && searched.has(r.sourceId) && !foundByPresence(r) && !found.has(recordKey(r)));
}

/** Pure: the decisions as the package and execution apply them, those records withheld. */
export function withholding(decisions: readonly RecordDecisionEntity[], stale: readonly RequestRecordEntity[]): RecordDecisionEntity[] {
  const keys = new Set(stale.map(recordKey));
  return decisions.map((d) => (keys.has(recordKey(d)) ? { ...d, ...withheld(d.action) } : d));
}

/** What a withheld record's stored decision becomes (its computed action stays as the rules said): kept, nothing follows. */
export function withheld(action: string) {
  return {
    action: RecordAction.RETAIN,
    basis: null,
    retainUntil: null,
    reason: noLongerThePersons(action),
    followUpAction: null,
    returnToController: null,
    needsReview: false,
  } as const;
}

/**
 * Searches the person again in the sources that answered at verification (still active) and
 * answers the guarded records that none of them finds any more. A source that does not
 * answer now is SOURCE_UNAVAILABLE (`what`: what did not happen): nothing is released or
 * queued, the handler tries again.
 */
export async function recordsNoLongerFound(
  deps: { discovery: DiscoveryService; sources: SourceRegistry },
  identifiers: readonly Identifier[],
  outcome: DiscoveryOutcome | null,
  records: readonly RequestRecordEntity[],
  decisions: readonly RecordDecisionEntity[],
  guarded: Guarded = RELEASING,
  what = 'released',
): Promise<RequestRecordEntity[]> {
  if (!decisions.some(guarded)) return [];
  const active = new Set((await deps.sources.list()).map((s) => s.id));
  const sourceIds = (outcome?.sources ?? []).filter((s) => s.status === 'ANSWERED' && active.has(s.sourceId)).map((s) => s.sourceId);
  if (sourceIds.length === 0) return [];
  const again = await deps.discovery.discover({ identifiers, sourceIds, includeRelated: true });
  const silent = again.sources.find((s) => s.status !== 'ANSWERED');
  if (silent) {
    throw new DomainError(
      'SOURCE_UNAVAILABLE',
      `Source ${silent.sourceId} could not be searched again before the records were ${what}; nothing was ${what}, try again`,
      {
        sourceId: silent.sourceId,
      },
    );
  }
  return notFoundAgain(records, decisions, new Set(sourceIds), new Set(again.records.map(recordKey)), guarded);
}
