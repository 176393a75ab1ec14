// Tuning of queued execution: this section's variables, validated with the rest of the
// configuration by loadConfig (src/config/config.ts). Defaults suit production; tests
// lower the stalled interval so a killed worker's jobs come back fast.
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const executionVariables = z.object({
  /** Attempts per task before it is marked FAILED. */
  TASK_ATTEMPTS: int(1, 100).default(6),
  /** First back-off delay; doubles each attempt, with jitter. */
  TASK_BACKOFF_MS: int(1, 3_600_000).default(2000),
  /** One attempt's time limit: a hung connector call fails the attempt. */
  TASK_TIMEOUT_MS: int(100, 3_600_000).default(60_000),
  /** executeRequest's time limit for the source calls and the planning transaction (EXECUTION_TIMEOUT). */
  EXECUTE_TIMEOUT_MS: int(100, 600_000).default(20_000),
  /**
   * Jobs one worker process runs at once per source. The jobs running at once are applied
   * in batched calls (at most two in flight per source per process), so this sets batch
   * size more than the load on the source; SOURCE_RATE_MAX bounds the load.
   */
  SOURCE_CONCURRENCY: int(1, 1000).default(64),
  /** Finalise jobs (verify and close a request) one worker process runs at once; they batch too. */
  REQUEST_CONCURRENCY: int(1, 1000).default(64),
  /** Most tasks of one source applied in one batched connector call (eraseMany, restrictMany). */
  TASK_BATCH_MAX: int(1, 1000).default(50),
  /** Rate limit per source across all workers: at most MAX jobs per DURATION ms. */
  SOURCE_RATE_MAX: int(1, 1_000_000).default(200),
  SOURCE_RATE_DURATION_MS: int(1, 3_600_000).default(1000),
  /**
   * How long a task waits on a source that answers nothing but "too many requests" (each
   * wait uses no attempt) before the answer counts as an outage: one attempt used, the last
   * one fails the task.
   */
  SOURCE_RATE_LIMITED_MAX_MS: int(1000, 30 * 86_400_000).default(3_600_000),
  /** How often workers look for jobs of a dead worker (stalled jobs). */
  WORKER_STALLED_INTERVAL_MS: int(100, 600_000).default(30_000),
  WORKER_LOCK_DURATION_MS: int(200, 600_000).default(30_000),
  /** Children per flow; bigger requests are fanned out in chunks of this size. */
  FLOW_CHUNK: int(1, 10_000).default(500),
  /** How often a worker looks for newly registered sources. */
  SOURCE_RESCAN_MS: int(100, 3_600_000).default(30_000),
  /** Completed jobs kept (age in seconds, count); the task table keeps the history. */
  JOBS_KEEP_COMPLETED_S: int(0, 30 * 86_400).default(3600),
  JOBS_KEEP_COMPLETED_COUNT: int(0, 1_000_000).default(1000),
  JOBS_KEEP_FAILED_S: int(0, 365 * 86_400).default(7 * 86_400),
  /** Scheduler periods. */
  SWEEP_EVERY_MS: int(1000, 30 * 86_400_000).default(3_600_000),
  OVERDUE_SCAN_EVERY_MS: int(1000, 30 * 86_400_000).default(900_000),
  /** The retention run (R9): a preview of what is past retention, executed at once in sources whose policy says autoExecute (footage). */
  RETENTION_RUN_EVERY_MS: int(1000, 30 * 86_400_000).default(86_400_000),
  /** Access packages past their retention, or of people since erased, are destroyed this often. */
  PACKAGE_SWEEP_EVERY_MS: int(1000, 30 * 86_400_000).default(3_600_000),
  /** How often workers look for request work the queues no longer hold (Redis flushed or restarted empty, a job given up), and register the schedulers again. */
  STRANDED_SCAN_EVERY_MS: int(1000, 86_400_000).default(300_000),
  /** A request EXECUTING with nothing moved for this long, whose open tasks have no job on the queues, is queued again. */
  STRANDED_AFTER_MS: int(1000, 30 * 86_400_000).default(900_000),
  /** Register the schedulers when workers start (on by default). */
  SCHEDULERS: z.enum(['true', 'false']).default('true'),
});

export interface ExecutionSettings {
  attempts: number;
  backoffMs: number;
  taskTimeoutMs: number;
  executeTimeoutMs: number;
  sourceConcurrency: number;
  requestConcurrency: number;
  taskBatchMax: number;
  rateMax: number;
  rateDurationMs: number;
  rateLimitedMaxMs: number;
  stalledIntervalMs: number;
  lockDurationMs: number;
  flowChunk: number;
  sourceRescanMs: number;
  keepCompleted: { age: number; count: number };
  keepFailed: { age: number };
  sweepEveryMs: number;
  overdueEveryMs: number;
  retentionRunEveryMs: number;
  packageSweepEveryMs: number;
  strandedScanEveryMs: number;
  strandedAfterMs: number;
  schedulers: boolean;
}

export function executionSettings(v: z.infer<typeof executionVariables>): ExecutionSettings {
  return {
    attempts: v.TASK_ATTEMPTS,
    backoffMs: v.TASK_BACKOFF_MS,
    taskTimeoutMs: v.TASK_TIMEOUT_MS,
    executeTimeoutMs: v.EXECUTE_TIMEOUT_MS,
    sourceConcurrency: v.SOURCE_CONCURRENCY,
    requestConcurrency: v.REQUEST_CONCURRENCY,
    taskBatchMax: v.TASK_BATCH_MAX,
    rateMax: v.SOURCE_RATE_MAX,
    rateDurationMs: v.SOURCE_RATE_DURATION_MS,
    rateLimitedMaxMs: v.SOURCE_RATE_LIMITED_MAX_MS,
    stalledIntervalMs: v.WORKER_STALLED_INTERVAL_MS,
    lockDurationMs: v.WORKER_LOCK_DURATION_MS,
    flowChunk: v.FLOW_CHUNK,
    sourceRescanMs: v.SOURCE_RESCAN_MS,
    keepCompleted: { age: v.JOBS_KEEP_COMPLETED_S, count: v.JOBS_KEEP_COMPLETED_COUNT },
    keepFailed: { age: v.JOBS_KEEP_FAILED_S },
    sweepEveryMs: v.SWEEP_EVERY_MS,
    overdueEveryMs: v.OVERDUE_SCAN_EVERY_MS,
    retentionRunEveryMs: v.RETENTION_RUN_EVERY_MS,
    packageSweepEveryMs: v.PACKAGE_SWEEP_EVERY_MS,
    strandedScanEveryMs: v.STRANDED_SCAN_EVERY_MS,
    strandedAfterMs: v.STRANDED_AFTER_MS,
    schedulers: v.SCHEDULERS === 'true',
  };
}
