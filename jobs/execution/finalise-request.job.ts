// Processors of the requests queue: 'finalise-request' (the flow's parent: verify and
// close) and 'fan-out' (adds a large request's tasks in chunks as children of the parent).
import type { Job } from 'bullmq';
import type { ExecutionService } from '../../src/execution/execution.service.js';
import type { RequestFinaliser } from '../../src/execution/request-finaliser.js';
import { chunks, JobNames, type FinaliseJobData } from '../../src/execution/task-plan.js';
import { taskJobOptions } from '../../src/execution/task-jobs.js';
import { QueueNames } from '../queue-names.js';
import { groupBy } from '../../src/domain/group-by.js';

export function requestsProcessor(execution: ExecutionService, finaliser: RequestFinaliser) {
  return async (job: Job<FinaliseJobData>) => {
    if (job.name === JobNames.finalise) return finaliser.finalise(job.data);
    if (job.name === JobNames.fanOut) return fanOut(execution, job);
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
