// How task jobs and request flows are put on the queues. Job ids are deterministic
// (task id, finalise-<request>), so adding the same work twice adds nothing.
import type { FlowJob, JobsOptions } from 'bullmq';
import type { AnyQueue } from '../queue/queue-backend.js';
import { QueueNames } from '../../jobs/queue-names.js';
import type { ExecutionSettings } from './execution-settings.js';
import { JobNames, fanOutJobId, finaliseJobId, finaliseRunJobId, type FinaliseJobData, type FinaliseRunJobData, type TaskJobData } from './task-plan.js';

export interface QueuedTask {
  id: string;
  /** The request the task belongs to; absent for a retention run's task. */
  requestId?: string;
  retentionRunId?: string;
  sourceId: string;
}

/** The queue a task's job goes on (its source's), and the one of finalise jobs. */
export const taskQueueName = (sourceId: string): string => QueueNames.sourceTasks(sourceId);
export const finaliseQueueName: string = QueueNames.requests;

/** Whether the queue still holds this job with work to do (waiting, delayed, active, or waiting for children). */
export async function jobIsLive(queue: AnyQueue, jobId: string): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (!job) return false;
  const state = await job.getState();
  return state !== 'completed' && state !== 'failed' && state !== 'unknown';
}

/**
 * Child failure semantics: ignoreDependencyOnFailure. A child that fails for good is
 * moved to the parent's failed dependencies and the parent still runs once every other
 * child is done; the finaliser reads the task table and closes the request as partially
 * completed. No parent waits forever, and one bad source does not hide the others' results.
 */
export function taskJobOptions(s: ExecutionSettings, jobId: string): JobsOptions {
  return {
    jobId,
    attempts: s.attempts,
    backoff: { type: 'exponential', delay: s.backoffMs, jitter: 0.5 },
    ignoreDependencyOnFailure: true,
    removeOnComplete: s.keepCompleted,
    removeOnFail: s.keepFailed,
  };
}

export function taskChild(s: ExecutionSettings, task: QueuedTask, jobId: string = task.id): FlowJob {
  const owner = task.requestId ? { requestId: task.requestId } : { retentionRunId: task.retentionRunId! };
  const data: TaskJobData = { taskId: task.id, ...owner, sourceId: task.sourceId };
  return { name: JobNames.task, queueName: QueueNames.sourceTasks(task.sourceId), data, opts: taskJobOptions(s, jobId) };
}

/**
 * The flow of one request (round 0 = first execution; later rounds re-run reopened or
 * failed tasks). Small requests: the parent and all children in one atomic add. Large
 * ones: the parent and a fan-out child that adds the tasks in chunks as children of the
 * parent while it runs, so the parent cannot finish before every chunk is in.
 */
export function requestFlow(
  s: ExecutionSettings,
  requestId: string,
  tasks: readonly QueuedTask[],
  round: string,
  verifications: number,
  jobIdOf: (t: QueuedTask) => string,
): FlowJob {
  const data: FinaliseJobData = { requestId, round, verifications };
  const children: FlowJob[] =
    tasks.length <= s.flowChunk
      ? tasks.map((t) => taskChild(s, t, jobIdOf(t)))
      : [
          {
            name: JobNames.fanOut,
            queueName: QueueNames.requests,
            data,
            opts: {
              jobId: fanOutJobId(requestId, round),
              attempts: 10,
              backoff: { type: 'exponential', delay: 1000 },
              removeOnComplete: s.keepCompleted,
              removeOnFail: s.keepFailed,
            },
          },
        ];
  return {
    name: JobNames.finalise,
    queueName: QueueNames.requests,
    data,
    opts: {
      jobId: finaliseJobId(requestId, round),
      attempts: 8,
      backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
      removeOnComplete: s.keepCompleted,
      removeOnFail: s.keepFailed,
    },
    children,
  };
}

/**
 * The flow of one retention run (R9): its tasks as children of a finalise-retention-run
 * parent that verifies and closes the run, with the same child options as a request's
 * (ignoreDependencyOnFailure: a task failed for good does not stop the run closing).
 * A run's tasks are added in one flow; FLOW_CHUNK does not split it.
 */
export function retentionRunFlow(
  s: ExecutionSettings,
  runId: string,
  tasks: readonly QueuedTask[],
  round: string,
  verifications: number,
  jobIdOf: (t: QueuedTask) => string,
): FlowJob {
  const data: FinaliseRunJobData = { retentionRunId: runId, round, verifications };
  return {
    name: JobNames.finaliseRun,
    queueName: QueueNames.requests,
    data,
    opts: {
      jobId: finaliseRunJobId(runId, round),
      attempts: 8,
      backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
      removeOnComplete: s.keepCompleted,
      removeOnFail: s.keepFailed,
    },
    children: tasks.map((t) => taskChild(s, t, jobIdOf(t))),
  };
}
