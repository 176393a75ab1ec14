// One worker per registered source, each on that source's queue with its own
// concurrency and rate limit. A source registered in this process gets its worker at
// once (SourceRegistry.onRegistered); sources registered by another process are picked
// up by a periodic re-scan, so a running worker process never needs a restart. Nothing
// here is process-local state that matters: any number of processes can run the same pool.
import type { Services } from '../../src/app/services.js';
import type { AnyWorker } from '../../src/queue/queue-backend.js';
import type { TaskRunner } from '../../src/execution/task-runner.js';
import { QueueNames } from '../queue-names.js';
import { sourceTaskProcessor } from './source-task.job.js';

export class SourceWorkerPool {
  private readonly workers = new Map<string, AnyWorker>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private scanning: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly services: Services,
    private readonly runner: TaskRunner,
    private readonly onWorker: (worker: AnyWorker) => void,
  ) {}

  start(): this {
    this.unsubscribe = this.services.sources.onRegistered((sourceId) => void this.added(sourceId));
    void this.rescan();
    const { sourceRescanMs } = this.services.execution.settings;
    this.timer = setInterval(() => void this.rescan(), sourceRescanMs);
    this.timer.unref();
    return this;
  }

  /** Starts workers for sources that have none yet. */
  rescan(): Promise<void> {
    this.scanning = this.scanning.then(async () => {
      if (this.closed) return;
      try {
        for (const source of await this.services.sources.list()) this.ensure(source.id);
      } catch (error) {
        this.services.logger.warn({ err: (error as Error).message }, 'source re-scan failed');
      }
    });
    return this.scanning;
  }

  /** A source registered in this process: its worker starts now, in turn with scans and close. */
  added(sourceId: string): Promise<void> {
    this.scanning = this.scanning.then(() => {
      try {
        if (!this.closed) this.ensure(sourceId);
      } catch (error) {
        // The periodic re-scan tries again.
        this.services.logger.warn({ sourceId, err: (error as Error).message }, 'could not start the worker of a new source');
      }
    });
    return this.scanning;
  }

  ensure(sourceId: string): AnyWorker {
    const existing = this.workers.get(sourceId);
    if (existing) return existing;
    const s = this.services.execution.settings;
    const ref: { worker?: AnyWorker } = {};
    const worker = this.services.queues.worker(QueueNames.sourceTasks(sourceId), sourceTaskProcessor(this.runner, () => ref.worker), {
      concurrency: s.sourceConcurrency,
      limiter: { max: s.rateMax, duration: s.rateDurationMs },
      stalledInterval: s.stalledIntervalMs,
      lockDuration: s.lockDurationMs,
      maxStalledCount: 3,
    });
    ref.worker = worker;
    this.workers.set(sourceId, worker);
    this.onWorker(worker);
    return worker;
  }

  get size(): number {
    return this.workers.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.scanning;
    await Promise.all([...this.workers.values()].map((w) => w.close()));
  }
}
