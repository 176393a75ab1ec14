// One worker per registered source, each on that source's queue with its own
// concurrency and rate limit. A source registered in this process gets its worker at
// once (SourceRegistry.onRegistered); sources registered by another process are picked
// up by a periodic re-scan, so a running worker process never needs a restart. A source
// disabled, removed or sent back for approval loses its worker the same ways (at once in
// the process that changed it, at the next re-scan in the others). Nothing
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
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly services: Services,
    private readonly runner: TaskRunner,
    private readonly onWorker: (worker: AnyWorker) => void,
  ) {}

  start(): this {
    this.unsubscribe = [
      this.services.sources.onRegistered((sourceId) => void this.added(sourceId)),
      this.services.sources.onWithdrawn((sourceId) => void this.withdrawn(sourceId)),
    ];
    void this.rescan();
    const { sourceRescanMs } = this.services.execution.settings;
    this.timer = setInterval(() => void this.rescan(), sourceRescanMs);
    this.timer.unref();
    return this;
  }

  /** Starts workers for active sources that have none yet; stops those of sources no longer active. */
  rescan(): Promise<void> {
    this.scanning = this.scanning.then(async () => {
      if (this.closed) return;
      try {
        const active = new Set((await this.services.sources.list()).map((s) => s.id));
        for (const id of active) this.ensure(id);
        for (const id of [...this.workers.keys()]) if (!active.has(id)) await this.stop(id);
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

  /** A source disabled, removed or pending approval in this process: its worker stops now. */
  withdrawn(sourceId: string): Promise<void> {
    this.scanning = this.scanning.then(() => this.stop(sourceId));
    return this.scanning;
  }

  /** Closes the source's worker: a job it is running finishes (or goes back to the queue); queued ones wait. */
  private async stop(sourceId: string): Promise<void> {
    const worker = this.workers.get(sourceId);
    if (!worker) return;
    this.workers.delete(sourceId);
    try {
      await worker.close();
    } catch (error) {
      this.services.logger.warn({ sourceId, err: (error as Error).message }, 'could not stop the worker of a withdrawn source');
    }
  }

  /** Whether this pool runs a worker for the source. */
  has(sourceId: string): boolean {
    return this.workers.has(sourceId);
  }

  ensure(sourceId: string): AnyWorker {
    const existing = this.workers.get(sourceId);
    if (existing) return existing;
    const s = this.services.execution.settings;
    const ref: { worker?: AnyWorker } = {};
    const worker = this.services.queues.worker(
      QueueNames.sourceTasks(sourceId),
      sourceTaskProcessor(this.runner, () => ref.worker, sourceId),
      {
        concurrency: s.sourceConcurrency,
        limiter: { max: s.rateMax, duration: s.rateDurationMs },
        stalledInterval: s.stalledIntervalMs,
        lockDuration: s.lockDurationMs,
        maxStalledCount: 3,
      },
    );
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
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    if (this.timer) clearInterval(this.timer);
    await this.scanning;
    await Promise.all([...this.workers.values()].map((w) => w.close()));
  }
}
