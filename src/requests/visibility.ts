// Controller scoping of requests (R13): a handler bound to controllers sees a request only
// when its controllers intersect theirs, and inside it only the records of those
// controllers. Whatever is not visible is reported as absent, never as forbidden.
import { canSeeController, canSeeSource, isUnscoped, type Principal } from '../auth/index.js';

export function canSeeRequest(principal: Principal, request: { controllerIds: readonly string[] }): boolean {
  if (isUnscoped(principal)) return true;
  return request.controllerIds.some((c) => canSeeController(principal, c));
}

export function canSeeRecord(principal: Principal, record: { controllerId: string | null }): boolean {
  return canSeeController(principal, record.controllerId);
}

/**
 * True when the principal may see the whole request, needed to act on all of it: every
 * record, and every source still unsearched, since such a source may hold records of the
 * controllers it is declared for (a shared system, declared for none, is seen by everyone).
 */
export function seesWholeRequest(
  principal: Principal,
  request: { records: readonly { controllerId: string | null }[]; unsearched: readonly { controllerIds: readonly string[] }[] },
): boolean {
  if (isUnscoped(principal)) return true;
  return request.records.every((r) => canSeeRecord(principal, r)) && request.unsearched.every((s) => canSeeSource(principal, s));
}

/**
 * The record's parentRecordId as the principal may see it (a request's records, or what one
 * search found). A principal seeing every controller is told it. One bound to controllers
 * is told it only when the parent is among `records` (same source) and of a controller it
 * may see: a parent it cannot place (another person's record the search did not return,
 * whose controller the gateway does not know) may be another controller's, so it is null,
 * and the id of a record the principal cannot read is not told through the one in it.
 */
export function parentRecordIdFor(
  principal: Principal,
  record: { sourceId: string; parentRecordId: string | null },
  records: readonly { sourceId: string; recordId: string; controllerId: string | null }[],
): string | null {
  if (record.parentRecordId === null || isUnscoped(principal)) return record.parentRecordId;
  const seen = records.some((r) => r.sourceId === record.sourceId && r.recordId === record.parentRecordId && canSeeRecord(principal, r));
  return seen ? record.parentRecordId : null;
}
