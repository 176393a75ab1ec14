// Processors of the requests queue: 'finalise-request' (the flow's parent: verify and
// close), 'fan-out' (adds a large request's tasks in chunks as children of the parent) and
// 'finalise-retention-run' (a retention run's parent: verify and close the run).
import type { Job } from 'bullmq';
import type { ExecutionService } from '../../src/execution/execution.service.js';
import type { RequestFinaliser } from '../../src/execution/request-finaliser.js';
import type { RetentionRunService } from '../../src/retention/retention-run.service.js';
import { chunks, JobNames, type FinaliseJobData, type FinaliseRunJobData } from '../../src/execution/task-plan.js';
import { taskJobOptions } from '../../src/execution/task-jobs.js';
import { QueueNames } from '../queue-names.js';
import { groupBy } from '../../src/domain/group-by.js';

export function requestsProcessor(execution: ExecutionService, finaliser: RequestFinaliser, retention: RetentionRunService) {
  return async (job: Job<FinaliseJobData> | Job<FinaliseRunJobData>) => {
    if (job.name === JobNames.finaliseRun) return retention.finalise((job as Job<FinaliseRunJobData>).data);
    if (job.name === JobNames.finalise) return finaliser.finalise((job as Job<FinaliseJobData>).data);
    if (job.name === JobNames.fanOut) return fanOut(execution, job as Job<FinaliseJobData>);
    throw new Error(`unknown job ${job.name} on the requests queue`);
  };
}

/** Adds the request's queued tasks as children of this job's parent, chunk by chunk. Idempotent (job ids). */
async function fanOut(execution: ExecutionService, job: Job<FinaliseJobData>): Promise<{ added: number }> {
  const parent = job.parent;
  if (!parent?.id) throw new Error('fan-out job without a parent');
  const tasks = await execution.pendingTasks(job.data.requestId);
  const { settings } = execution;
  for (const chunk of chunks(tasks, settings.flowChunk)) {
    for (const [sourceId, mine] of groupBy(chunk, (t) => t.source_id)) {
      await execution.queue(QueueNames.sourceTasks(sourceId)).addBulk(
        mine.map((t) => ({
          name: JobNames.task,
          data: { taskId: t.id, requestId: t.request_id, sourceId: t.source_id },
          opts: { ...taskJobOptions(settings, execution.jobIdOf(t)), parent: { id: parent.id!, queue: parent.queueKey } },
        })),
      );
    }
    await job.updateProgress({ added: chunk.length });
  }
  return { added: tasks.length };
}
