// Which work of an executing request or retention run, or which task queued alone on a closed
// request (the recreation sweep's), the queues no longer hold. One rule for all: the task
// table is the truth, the queues only carry it. The callers do the I/O (which
// queue, which job id, their store, their audit action); here only the decision.
import { RequestStatus, TaskStatus, TERMINAL_TASK_STATUSES } from '../domain/vocabulary.js';

interface StrandableTask {
  id: string;
  status: string;
  job_id: string | null;
}

/**
 * The open tasks whose job is gone, to be queued again; an empty list when no task is open
 * and the finalise job is gone too (the parent alone is queued again, so verification runs
 * and the work closes); null when nothing is stranded. Liveness is asked one task at a time,
 * and the finalise job only when no task is open. `finaliseIsLive` null: tasks queued alone,
 * with no parent (on a closed request), so with no task open there is nothing to queue.
 */
export async function strandedTasks<T extends StrandableTask>(
  tasks: readonly T[],
  jobIsLive: (task: T) => Promise<boolean>,
  finaliseIsLive: (() => Promise<boolean>) | null,
): Promise<T[] | null> {
  const open = tasks.filter((t) => !TERMINAL_TASK_STATUSES.has(t.status as TaskStatus));
  const gone: T[] = [];
  for (const t of open) if (!(await jobIsLive(t))) gone.push(t);
  if (open.length > 0 && gone.length === 0) return null;
  if (open.length === 0 && (finaliseIsLive === null || (await finaliseIsLive()))) return null;
  return gone;
}

/**
 * R2: why a task of a rejected or cancelled request is failed instead of run (its record is
 * left as it is); null for any other request status. The worker fails a queued task with it,
 * and the stranded-work scan fails a lost one with it directly, without queueing it again.
 */
export function withdrawnReason(requestStatus: string | null | undefined): string | null {
  if (requestStatus !== RequestStatus.REJECTED && requestStatus !== RequestStatus.CANCELLED) return null;
  return `REQUEST_REJECTED: the request is ${requestStatus}; the record was left as it is (R2)`;
}

/**
 * Gives the tasks queued again fresh job ids (the old ids may still name a failed or completed
 * job, which the queue would not run again) and returns the round name of their new parent.
 */
export function stampRequeued(tasks: readonly StrandableTask[], stamp: number): string {
  for (const t of tasks) t.job_id = `${t.id}-requeue-${stamp}`;
  return `q${stamp}`;
}
