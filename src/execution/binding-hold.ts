// Which of the holds the gateway's own records put on a record binds a task on it. Pure:
// the holds come from the request store (recordHolds), one statement per batch.
import { KeptReason, type RecordHold } from '../retention/retention-plan.js';

/**
 * A retention run's task is held by any hold (R9, R6): the first, a controller's refusal
 * before an open request's RETAIN. A request's task only by another open request's RETAIN
 * (R8: its legal hold, or its wait for a controller); a controller's refusal binds a request
 * through that request's own instruction, and its own decisions never hold it.
 */
export function bindingHold(task: { requestId: string | null }, holds: readonly RecordHold[]): RecordHold | undefined {
  if (task.requestId === null) return holds[0];
  return holds.find((h) => h.reason === KeptReason.OPEN_REQUEST && h.requestId !== task.requestId);
}
