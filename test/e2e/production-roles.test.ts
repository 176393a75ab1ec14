import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/test-database.js';
import { TEST_REDIS_URL } from '../support/queue-settings.js';
import { removeQueueKeys } from '../support/redis-cleanup.js';
import { compiledEntry, runNode, type RunningProcess } from '../support/processes.js';
import { randomBytes } from 'node:crypto';
import { generateApiKey } from '../../src/auth/api-key-format.js';

// `npm run serve` and `npm run worker` as separate processes, queues in Redis; the worker
// serves its own metrics.
describe('serve and worker as separate processes (production mode)', () => {
  const started: RunningProcess[] = [];
  let dropDatabase: () => Promise<void> = async () => {};
  const prefix = `dsre2e-${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    for (const p of started) await p.stop('SIGKILL');
    await dropDatabase();
    await removeQueueKeys(TEST_REDIS_URL, prefix);
  });

  it('processes a job end to end through Redis, then both stop cleanly on SIGTERM', async () => {
    const db = await createTestDatabase();
    dropDatabase = db.drop;
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      PORT: '0',
      LOG_LEVEL: 'info',
      // Keys are required in production; these are throwaway test keys.
      DSR_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      DSR_TOMBSTONE_KEYS: `t1:${randomBytes(32).toString('base64')}`,
      DSR_BOOTSTRAP_ADMIN_KEY: generateApiKey().clearKey,
    };
    const server = runNode(compiledEntry('src/cli/serve.js'), env);
    started.push(server);
    const line = await server.waitFor((l) => l.includes('"gateway started"'), 30_000);
    const url = JSON.parse(line).url as string;

    const worker = runNode(compiledEntry('jobs/worker-main.js'), { ...env, WORKER_METRICS_PORT: '0' });
    started.push(worker);
    await worker.waitFor((l) => l.includes('"gateway started"'), 30_000);
    const metricsUrl = JSON.parse(await worker.waitFor((l) => l.includes('"worker metrics served"'), 30_000)).url as string;

    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${env.DSR_BOOTSTRAP_ADMIN_KEY}` },
      body: JSON.stringify({ query: 'mutation { pingWorkers { handledBy roundTripMs } }' }),
    });
    const body = (await res.json()) as { data?: { pingWorkers: { handledBy: number } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    // The job ran in the worker process, not in the server.
    expect(body.data?.pingWorkers.handledBy).toBe(worker.child.pid);

    // The worker process, which counts task outcomes and durations, serves them for
    // Prometheus, to keys with metrics:read (here the bootstrap ADMIN key).
    expect((await fetch(metricsUrl)).status).toBe(401);
    const scraped = await fetch(metricsUrl, { headers: { authorization: `Bearer ${env.DSR_BOOTSTRAP_ADMIN_KEY}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    const text = await scraped.text();
    expect(text).toContain('# TYPE dsr_task_outcomes_total counter');
    expect(text).toContain('# TYPE dsr_task_duration_seconds histogram');
    expect(text).toContain('dsr_process_cpu_user_seconds_total');
    expect((await fetch(new URL('/graphql', metricsUrl))).status).toBe(404);

    expect(await worker.stop('SIGTERM')).toBe(0);
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(worker.output()).toContain('"stopped"');
  });
});
