// The set-up the SIGKILL crash tests share: a gateway without an in-process worker, workers
// run as compiled processes the test can kill, with short stall detection so a killed
// worker's jobs are taken over quickly, and built-in sources registered on the test database.
import { randomBytes } from 'node:crypto';
import { SourceKind } from '../../src/domain/vocabulary.js';
import { compiledEntry, runNode, type RunningProcess } from './processes.js';
import { TEST_REDIS_URL } from './queue-settings.js';
import type { TestGateway } from './runtime.js';

/** Environment of a crash test's gateway and workers (queue keys under `prefix`, schedules off). */
export function crashTestEnv(prefix: string): Record<string, string> {
  return {
    DSR_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    DSR_TOMBSTONE_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    QUEUE_PREFIX: `${prefix}-${randomBytes(4).toString('hex')}`,
    WORKER_STALLED_INTERVAL_MS: '500',
    WORKER_LOCK_DURATION_MS: '1500',
    SOURCE_CONCURRENCY: '4',
    SOURCE_RATE_MAX: '150',
    SOURCE_RATE_DURATION_MS: '1000',
    SOURCE_RESCAN_MS: '200',
    TASK_BACKOFF_MS: '50',
    SCHEDULERS: 'false',
  };
}

/** A compiled worker process (jobs/worker-main.js) on the gateway's database and Redis, started but not yet waited for. */
export function compiledWorker(gw: TestGateway, env: Record<string, string>): RunningProcess {
  return runNode(compiledEntry('jobs/worker-main.js'), {
    ...env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: gw.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
  });
}

/** Waits until the worker has started (its queues are consumed). */
export async function started(worker: RunningProcess): Promise<RunningProcess> {
  await worker.waitFor((l) => l.includes('gateway started'), 30_000);
  return worker;
}

const BUILTIN: Record<'case_management' | 'clinic', { name: string; kind: SourceKind }> = {
  case_management: { name: 'Case management', kind: SourceKind.CASE_MANAGEMENT },
  clinic: { name: 'Clinic', kind: SourceKind.CLINIC },
};

/** Registers a seeded built-in system as a source of the test gateway, its id the system's name. */
export async function registerBuiltin(gw: TestGateway, system: keyof typeof BUILTIN): Promise<void> {
  const { name, kind } = BUILTIN[system];
  await gw.runtime.services.sources.register({ id: system, name, kind, type: 'builtin', connection: { system, schema: system, url: gw.databaseUrl } }, 'test');
}
