// Starts the processors this process runs. Every processor is a plain function of a
// job holding ids only; the services do the work.
import type { Services } from '../src/app/services.js';
import type { AnyWorker } from '../src/queue/queue-backend.js';
import { QueueNames } from './queue-names.js';
import { RepeatedErrorLog } from '../src/logging/repeated-errors.js';
import { processPing } from './system/ping.job.js';
import { TaskRunner } from '../src/execution/task-runner.js';
import { RequestFinaliser } from '../src/execution/request-finaliser.js';
import { requestsProcessor } from './execution/finalise-request.job.js';
import { SourceWorkerPool } from './execution/source-workers.js';
import { registerSchedulers, schedulesProcessor } from './schedules/schedules.js';

/** Something the runtime closes on shutdown: a worker, or a pool of them. */
export interface Closable {
  close(): Promise<void>;
}

export function startWorkers(services: Services): Closable[] {
  const { queues, config, logger, execution } = services;
  const s = execution.settings;
  const deps = { ...services, settings: s };
  const workerErrors = new RepeatedErrorLog(logger, 'worker error');
  const observe = (worker: AnyWorker) => {
    worker.on('failed', (job, err) => logger.warn({ queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'));
    // During an outage every worker reports the same error many times a second: once, then a summary.
    worker.on('error', (err) => workerErrors.report(err.message, worker.name));
  };
  const stalled = { stalledInterval: s.stalledIntervalMs, lockDuration: s.lockDurationMs, maxStalledCount: 3 };
  const workers: AnyWorker[] = [
    queues.worker(QueueNames.system, processPing, { concurrency: config.WORKER_CONCURRENCY }),
    queues.worker(QueueNames.requests, requestsProcessor(execution, new RequestFinaliser(deps, execution), services.retention), {
      concurrency: s.requestConcurrency,
      ...stalled,
    }),
    queues.worker(QueueNames.schedules, schedulesProcessor(services), { concurrency: 1, ...stalled }),
  ];
  workers.forEach(observe);
  const pool = new SourceWorkerPool(services, new TaskRunner(deps), observe).start();
  let again: NodeJS.Timeout | undefined;
  if (s.schedulers) {
    const register = () =>
      registerSchedulers(services, execution.queue(QueueNames.schedules)).catch((error: Error) =>
        logger.error({ err: error.message }, 'could not register schedulers'),
      );
    void register();
    // Schedulers live in the queue backend: a Redis flushed or restarted without its data loses them, and with them the scan that recovers lost work.
    again = setInterval(() => void register(), s.strandedScanEveryMs);
    again.unref();
  }
  // The pool closes first so task jobs finish (or go back to the queue) before the rest.
  return [pool, ...workers, { close: async () => (clearInterval(again), workerErrors.close()) }];
}
