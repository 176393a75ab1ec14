// R13, R16: a request acts only on records the sources still tie to the person. A record may
// change hands between verification and the action (a source moves a case opened on the
// wrong member to the right one): just before the access copy is exported, and just before
// an erasure, restriction or correction is queued, the person is searched for again in the
// sources that answered, and a record no longer found is left as the source holds it
// (RETAIN with the reason), never sent to the requester nor erased or overwritten with
// someone else's data in it. The same search compares each record's controller with the one
// stored at verification (R6): a record the source now holds for another controller was
// decided under the first one's rules and instruction, and is left alone the same way. It runs
// before an access copy, before execution queues its tasks, and before a retry queues again.
import type { Identifier } from '../../../connectors/contract.js';
import { DomainError } from '../../domain/errors.js';
import { RecordAction } from '../../domain/vocabulary.js';
import type { DiscoveryService } from '../../discovery/discovery.service.js';
import { CONTROLLER_CHANGED_TO_PERSON } from '../../execution/controller-change.js';
import { plannedTasks } from '../../execution/task-plan.js';
import type { SourceRegistry } from '../../sources/source-registry.js';
import { recordKey } from '../snapshot.js';
import type { DiscoveryOutcome, RecordDecisionEntity, RequestRecordEntity } from '../store/request.store.js';

const DETAILS_NO_LONGER_MATCH = 'the source no longer holds this record under details that match yours (it may have been found to be about someone else)';

/** Why such a record is left alone, as the person reads it in the package and the letter. */
export const NO_LONGER_THE_PERSONS = `Not released: ${DETAILS_NO_LONGER_MATCH}`;

/** Why the search again withholds a record: no longer found with the person's details, or now held for another controller (R6). */
export type WithheldBecause = 'NO_LONGER_FOUND' | 'CONTROLLER_CHANGED';

/** What was not done to a record decided `action`. */
function notDone(action: string): string {
  if (action === RecordAction.RELEASE) return 'released';
  return action === RecordAction.CORRECT || action === RecordAction.ANNOTATE ? 'corrected' : action === RecordAction.RESTRICT ? 'restricted' : 'erased';
}

/** The reason for a decision of `action` that the search again withheld: what was not done, and why. */
export function noLongerThePersons(action: string, because: WithheldBecause = 'NO_LONGER_FOUND'): string {
  if (because === 'CONTROLLER_CHANGED') return `Not ${notDone(action)}: ${CONTROLLER_CHANGED_TO_PERSON}`;
  if (action === RecordAction.RELEASE) return NO_LONGER_THE_PERSONS;
  return `Not ${notDone(action)}: ${DETAILS_NO_LONGER_MATCH}`;
}

/** The records a search again withholds, by why. */
export interface Recheck {
  /** No longer tied to the person by the sources that answered (R13, R16). */
  notFound: RequestRecordEntity[];
  /** Found, but now held for another controller than at verification (R6). */
  controllerChanged: RequestRecordEntity[];
}

export const NOTHING_WITHHELD: Recheck = { notFound: [], controllerChanged: [] };

export const withheldCount = (r: Recheck) => r.notFound.length + r.controllerChanged.length;

/** The audit's counts of what a search again withheld (none when nothing was). */
export function withheldAudit(r: Recheck): { withheldNoLongerFound?: number; withheldControllerChanged?: number } {
  return {
    ...(r.notFound.length ? { withheldNoLongerFound: r.notFound.length } : {}),
    ...(r.controllerChanged.length ? { withheldControllerChanged: r.controllerChanged.length } : {}),
  };
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

/**
 * Pure (R6): the guarded records found again that the source now holds for another controller
 * than the one stored at verification (a contract handed over to a successor employer, a case
 * moved to an employer or back to the group). `foundControllers`: each record found again, by
 * key, with its controller now (null: the group's own).
 */
export function heldForAnotherController(
  records: readonly RequestRecordEntity[],
  decisions: readonly RecordDecisionEntity[],
  foundControllers: ReadonlyMap<string, string | null>,
  guarded: Guarded = RELEASING,
): RequestRecordEntity[] {
  const acting = new Set(decisions.filter(guarded).map(recordKey));
  return records.filter((r) => {
    const key = recordKey(r);
    return acting.has(key) && foundControllers.has(key) && foundControllers.get(key) !== (r.controllerId ?? null);
  });
}

/** Pure: the decisions as the package and execution apply them, those records withheld. */
export function withholding(decisions: readonly RecordDecisionEntity[], recheck: Recheck): RecordDecisionEntity[] {
  const why = becauseByKey(recheck);
  return decisions.map((d) => {
    const because = why.get(recordKey(d));
    return because ? { ...d, ...withheld(d.action, because) } : d;
  });
}

/** Each withheld record's key with why (a record no longer found is not compared for its controller). */
export function becauseByKey(recheck: Recheck): Map<string, WithheldBecause> {
  const out = new Map<string, WithheldBecause>();
  for (const r of recheck.controllerChanged) out.set(recordKey(r), 'CONTROLLER_CHANGED');
  for (const r of recheck.notFound) out.set(recordKey(r), 'NO_LONGER_FOUND');
  return out;
}

/** What a withheld record's stored decision becomes (its computed action stays as the rules said): kept, nothing follows. */
export function withheld(action: string, because: WithheldBecause = 'NO_LONGER_FOUND') {
  return {
    action: RecordAction.RETAIN,
    basis: null,
    retainUntil: null,
    reason: noLongerThePersons(action, because),
    followUpAction: null,
    returnToController: null,
    needsReview: false,
  } as const;
}

/**
 * Searches the person again in the sources that answered at verification (still active) and
 * answers the guarded records that none of them finds any more, and those found now held for
 * another controller. A source that does not answer now is SOURCE_UNAVAILABLE (`what`: what
 * did not happen): nothing is released or queued, the handler tries again.
 */
export async function searchAgain(
  deps: { discovery: DiscoveryService; sources: SourceRegistry },
  identifiers: readonly Identifier[],
  outcome: DiscoveryOutcome | null,
  records: readonly RequestRecordEntity[],
  decisions: readonly RecordDecisionEntity[],
  guarded: Guarded = RELEASING,
  what = 'released',
): Promise<Recheck> {
  if (!decisions.some(guarded)) return NOTHING_WITHHELD;
  const active = new Set((await deps.sources.list()).map((s) => s.id));
  const sourceIds = (outcome?.sources ?? []).filter((s) => s.status === 'ANSWERED' && active.has(s.sourceId)).map((s) => s.sourceId);
  if (sourceIds.length === 0) return NOTHING_WITHHELD;
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
  const found = new Map(again.records.map((r) => [recordKey(r), r.controllerId ?? null]));
  return {
    notFound: notFoundAgain(records, decisions, new Set(sourceIds), new Set(found.keys()), guarded),
    controllerChanged: heldForAnotherController(records, decisions, found, guarded),
  };
}
