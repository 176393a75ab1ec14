// Which decisions become queued work, and the ids that make enqueueing idempotent. Pure.
import { RecordAction } from '../domain/vocabulary.js';
import { ERASING_ACTIONS } from '../requests/decisions.js';

/** Actions that change a source; RELEASE and RETAIN need no task. */
export const WORK_ACTIONS: ReadonlySet<string> = new Set([
  RecordAction.ERASE,
  RecordAction.ANONYMISE,
  RecordAction.MINIMISE,
  RecordAction.PURGE,
  RecordAction.RESTRICT,
  RecordAction.CORRECT,
  RecordAction.ANNOTATE,
]);

export interface DecisionLike {
  sourceId: string;
  recordId: string;
  action: string;
  followUpAction?: string | null;
}

export interface PlannedTask {
  sourceId: string;
  recordId: string;
  action: string;
}

/** What an access request decides about the copy of a record: released, or withheld (a handler's RETAIN). */
const COPY_ACTIONS: ReadonlySet<string> = new Set([RecordAction.RELEASE, RecordAction.RETAIN]);

/**
 * One task per (source, record, action) that needs work: the decision's own action, a
 * RESTRICT that follows a RETAIN (legal hold: kept, but no longer processed), and an ERASE
 * that follows the copy, released or withheld (R16: a child's data in an online service is
 * deleted whatever the handler decided about the copy).
 */
export function plannedTasks(decisions: readonly DecisionLike[]): PlannedTask[] {
  const out = new Map<string, PlannedTask>();
  const add = (d: DecisionLike, action: string) =>
    out.set(`${d.sourceId}\u0000${d.recordId}\u0000${action}`, { sourceId: d.sourceId, recordId: d.recordId, action });
  for (const d of decisions) {
    if (WORK_ACTIONS.has(d.action)) add(d, d.action);
    if (d.followUpAction === RecordAction.RESTRICT && (d.action === RecordAction.RETAIN || WORK_ACTIONS.has(d.action))) add(d, RecordAction.RESTRICT);
    if (d.followUpAction === RecordAction.ERASE && COPY_ACTIONS.has(d.action)) add(d, RecordAction.ERASE);
  }
  return [...out.values()];
}

/**
 * Pure: the tasks their record's decision still plans. A task whose record's decision was
 * changed since it was queued (the search again before a retry withheld the record: RETAIN)
 * is neither queued again nor counted as a failure of the request; a task whose record has no
 * decision (a recreated record the sweep found) is kept.
 */
export function stillPlanned<T extends { source_id: string; record_id: string; action: string }>(tasks: readonly T[], decisions: readonly DecisionLike[]): T[] {
  const decided = new Set(decisions.map((d) => `${d.sourceId}\u0000${d.recordId}`));
  const planned = new Set(plannedTasks(decisions).map((t) => `${t.sourceId}\u0000${t.recordId}\u0000${t.action}`));
  return tasks.filter((t) => !decided.has(`${t.source_id}\u0000${t.record_id}`) || planned.has(`${t.source_id}\u0000${t.record_id}\u0000${t.action}`));
}

/**
 * The records a plan erases, whatever the request's type: an erasure request's, and those a
 * request of another type erases too (R16: a child's online records after access, or under a
 * restriction). A request that erases a record tombstones the person and what it erased (R10).
 */
export function erasedByPlan(planned: readonly PlannedTask[]): { sourceId: string; recordId: string }[] {
  const out = new Map<string, { sourceId: string; recordId: string }>();
  for (const t of planned)
    if (ERASING_ACTIONS.has(t.action as RecordAction)) out.set(`${t.sourceId}\u0000${t.recordId}`, { sourceId: t.sourceId, recordId: t.recordId });
  return [...out.values()];
}

/** What a task job carries: ids only, never identifiers or values. */
export interface TaskJobData {
  taskId: string;
  /** The request the task belongs to; absent for a retention run's task. */
  requestId?: string;
  /** The retention run the task belongs to (R9). */
  retentionRunId?: string;
  sourceId: string;
}

/** The parent job of a retention run's flow: verify and close the run once its tasks are done. */
export interface FinaliseRunJobData {
  retentionRunId: string;
  /** '0' first execution, '<n>v<k>' verification re-runs. */
  round: string;
  verifications: number;
}

export interface FinaliseJobData {
  requestId: string;
  /** Which flow of the request: '0' first execution, '1'.. retries, '<n>v<k>' verification re-runs. */
  round: string;
  /** Verification re-runs so far (bounded: a record that keeps coming back is reported, not chased forever). */
  verifications: number;
}

export const JobNames = {
  finalise: 'finalise-request',
  fanOut: 'fan-out',
  task: 'source-task',
  finaliseRun: 'finalise-retention-run',
} as const;

/** The job id of a task's first run is the task id: adding it twice adds one job. */
export const taskJobId = (taskId: string) => taskId;
/** A re-run gets a fresh id (the first job may still be kept as failed). BullMQ ids may not contain ':'. */
export const retryJobId = (taskId: string, round: number) => `${taskId}-retry-${round}`;
export const finaliseJobId = (requestId: string, round = '0') => (round === '0' ? `finalise-${requestId}` : `finalise-${requestId}-r${round}`);
export const finaliseRunJobId = (runId: string, round = '0') => (round === '0' ? `finalise-run-${runId}` : `finalise-run-${runId}-r${round}`);
export const fanOutJobId = (requestId: string, round = '0') => `fanout-${requestId}-r${round}`;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
