// Which of the holds the gateway's own records put on a record binds a task on it. Pure:
// the holds come from the request store (recordHolds), one statement per batch.
import { RecordAction } from '../domain/vocabulary.js';
import { ERASING_ACTIONS } from '../requests/decisions.js';
import { KeptReason, type RecordHold } from '../retention/retention-plan.js';
import { finalFailure, SHARED_DATA } from './final-failure.js';

/**
 * What another open request's RETAIN holds a request's task against: the actions that would
 * not leave the record as that request keeps it, an erasure (destroyed) and a CORRECT
 * (overwritten; R14: a correction is made where the law permits). A restriction and an
 * annotation leave the record whole (a legal hold goes with a restriction, R8; an
 * annotation keeps the original beside it, R14): not held.
 */
const ERASING: ReadonlySet<string> = ERASING_ACTIONS;

export const HELD_BY_RETAIN: ReadonlySet<string> = new Set<string>([...ERASING_ACTIONS, RecordAction.CORRECT]);

/**
 * A retention run's task is held by any hold (R9, R6): the first, a controller's refusal
 * before an open request's RETAIN. A request's erasing or correcting task only by another
 * open request's RETAIN (R8: its legal hold, or its wait for a controller), not by a
 * rectification's RETAIN that only found nothing to correct there (R14). A restriction's
 * RESTRICT, open or answered, holds a request's erasure only when the person asked for it
 * after that request (R1: their latest wish is that the record be kept; an erasure of a
 * record found again since, by the recreation sweep or a retry, must not destroy it); an
 * erasure asked for after the restriction is the person's later wish and goes ahead, and a
 * correction leaves the record whole. A controller's refusal binds a request through that
 * request's own instruction, and its own decisions never hold it.
 */
export function bindingHold(
  task: { requestId: string | null; action: string; receivedAt?: Date | null },
  holds: readonly RecordHold[],
): RecordHold | undefined {
  if (task.requestId === null) return holds[0];
  if (!HELD_BY_RETAIN.has(task.action)) return undefined;
  return holds.find(
    (h) =>
      requestHold(h) &&
      h.requestId !== task.requestId &&
      !h.nothingToCorrect &&
      (!h.restriction || (ERASING.has(task.action) && askedAfter(h.receivedAt, task.receivedAt))),
  );
}

/** A request's own hold: an open request's RETAIN, or a restriction open or answered (RESTRICTED, a run's code, binds as an open one does). */
function requestHold(h: RecordHold): boolean {
  return h.reason === KeptReason.OPEN_REQUEST || h.restriction === true;
}

/** The code a task held by `hold` fails with: a request's task held by a restriction reads OPEN_REQUEST (RESTRICTED is a run's code only, the person's letter has no wording for it). */
export function heldCode(task: { requestId: string | null }, hold: RecordHold): RecordHold['reason'] {
  return task.requestId !== null && hold.restriction ? KeptReason.OPEN_REQUEST : hold.reason;
}

/** The restriction was asked for after the erasing request (both times known). */
function askedAfter(restriction: Date | null | undefined, erasure: Date | null | undefined): boolean {
  return !!restriction && !!erasure && new Date(restriction).getTime() > new Date(erasure).getTime();
}

/**
 * A hold on another record whose data erasing the task's record destroys too (footage both
 * show): any open request's RETAIN binds, the task's own request's included (it keeps that
 * record whole), except a rectification's that only found nothing to correct; so does a
 * restriction, open or answered (R1: the other person asked that their record be kept; one
 * person's erasure does not destroy it); a retention run's task is held by any hold, as on
 * its own record. Only erasing tasks destroy data.
 */
export function sharedHold(task: { requestId: string | null; action: string }, holds: readonly RecordHold[]): RecordHold | undefined {
  if (!ERASING.has(task.action)) return undefined;
  if (task.requestId === null) return holds[0];
  return holds.find((h) => requestHold(h) && !h.nothingToCorrect);
}

/**
 * The task's error for a shared hold (names no request). Another request's hold ends when that
 * request closes, and the erasure may then be retried; the task's own request's does not: it
 * keeps that record, and a retry (which reopens the request) is held by it again.
 */
export function sharedHoldError(task: { requestId: string | null }, hold: RecordHold): string {
  // A restriction stands once answered: no close of a request ends it.
  if (hold.restriction) return finalFailure(heldCode(task, hold), `left alone, a restriction keeps ${SHARED_DATA}; it stands until lifted (R1, R8)`);
  if (task.requestId !== null && hold.requestId === task.requestId) {
    return finalFailure(
      hold.reason,
      `left alone for good, this request itself keeps ${SHARED_DATA}; a retry reopens the request and is held the same way (R8)`,
    );
  }
  return finalFailure(hold.reason, `left alone, an open request holds ${SHARED_DATA}; retry once that request is closed (R8)`);
}
