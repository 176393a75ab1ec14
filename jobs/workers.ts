// Starts the processors this process runs. Every processor is a plain function of a
// job holding ids only; the services do the work.
import type { Services } from '../src/app/services.js';
import type { AnyWorker } from '../src/queue/queue-backend.js';
import { QueueNames } from './queue-names.js';
import { processPing } from './system/ping.job.js';

export function startWorkers(services: Services): AnyWorker[] {
  const { queues, config, logger } = services;
  const workers: AnyWorker[] = [
    queues.worker(QueueNames.system, processPing, { concurrency: config.WORKER_CONCURRENCY }),
  ];
  for (const worker of workers) {
    worker.on('failed', (job, err) =>
      logger.warn({ queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    worker.on('error', (err) => logger.error({ queue: worker.name, err: err.message }, 'worker error'));
  }
  return workers;
}
