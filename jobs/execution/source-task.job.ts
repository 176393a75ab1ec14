// Processor of one source's task queue: runs the task through the TaskRunner and maps
// its errors onto BullMQ: rate limited → the worker pauses the queue and the job waits
// without using an attempt; refused → no further attempts; anything else → retried
// with exponential back-off and jitter until the last attempt marks the task FAILED.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { TaskRunner } from '../../src/execution/task-runner.js';
import { PermanentTaskError, SourceRateLimited } from '../../src/execution/task-runner.js';
import type { TaskJobData } from '../../src/execution/task-plan.js';
import type { AnyWorker } from '../../src/queue/queue-backend.js';

export function sourceTaskProcessor(runner: TaskRunner, worker: () => AnyWorker | undefined, sourceId: string) {
  return async (job: Job<TaskJobData>, token?: string) => {
    void token;
    try {
      // The queue says which source this is, not the job's payload: the runner acts only on
      // that source's tasks.
      return await runner.run({ ...job.data, sourceId }, { attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 });
    } catch (error) {
      if (error instanceof SourceRateLimited) {
        const w = worker();
        if (w) {
          await w.rateLimit(error.retryAfterMs);
          throw Worker.RateLimitError();
        }
      }
      if (error instanceof PermanentTaskError) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}
