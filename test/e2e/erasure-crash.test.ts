import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { TEST_REDIS_URL } from '../support/queue-settings.js';
import { compiledEntry, runNode, type RunningProcess } from '../support/processes.js';
import { seedReferenceSources } from '../../src/population/seed.js';
import { IdentifierType as T, RecordAction, SourceKind } from '../../src/domain/vocabulary.js';
import { insertApprovedRequest, tasksOf, waitForClosed } from '../support/requests-fixture.js';

// CRASH: a worker process killed with SIGKILL in the middle of a fan-out over hundreds
// of records; a new worker finishes it; every record erased exactly once in effect.
describe('CRASH: SIGKILL of a worker mid fan-out (redis queue, compiled worker)', () => {
  let gw: TestGateway;
  const workers: RunningProcess[] = [];
  const env: Record<string, string> = {
    DSR_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    DSR_TOMBSTONE_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    QUEUE_PREFIX: `dsrcrash-${randomBytes(4).toString('hex')}`,
    WORKER_STALLED_INTERVAL_MS: '500',
    WORKER_LOCK_DURATION_MS: '1500',
    SOURCE_CONCURRENCY: '4',
    SOURCE_RATE_MAX: '150',
    SOURCE_RATE_DURATION_MS: '1000',
    SOURCE_RESCAN_MS: '200',
    TASK_BACKOFF_MS: '50',
    SCHEDULERS: 'false',
  };
  const startWorker = () => {
    const w = runNode(compiledEntry('jobs/worker-main.js'), { ...env, NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: gw.databaseUrl, REDIS_URL: TEST_REDIS_URL });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', worker: false, env });
    await seedReferenceSources({ url: gw.databaseUrl, people: 700, seed: 11, systems: ['case_management'] });
    await gw.runtime.services.sources.register(
      { id: 'case_management', name: 'Case management', kind: SourceKind.CASE_MANAGEMENT, type: 'builtin', connection: { system: 'case_management', schema: 'case_management', url: gw.databaseUrl } },
      'test',
    );
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await gw?.stop();
  });

  it('a new worker finishes the fan-out; each record is erased once in effect; no task is stuck', async () => {
    const s = gw.runtime.services;
    const cases: { id: string }[] = await s.dataSource.query(`SELECT id FROM case_management.cases ORDER BY id LIMIT 300`);
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'crash@example.org' }],
      decisions: cases.map((c) => ({ sourceId: 'case_management', recordId: c.id, recordType: 'case', action: RecordAction.ERASE })),
    });
    const first = startWorker();
    await first.waitFor((l) => l.includes('gateway started'), 30_000);
    await s.execution.execute(requestId, 'handler');
    // Kill once part of the fan-out is done.
    for (;;) {
      const done = (await tasksOf(s, requestId)).filter((t) => t.status === 'SUCCEEDED').length;
      if (done >= 40) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await first.stop('SIGKILL');
    const atKill = await tasksOf(s, requestId);
    expect(atKill.filter((t) => t.status !== 'SUCCEEDED').length).toBeGreaterThan(0);

    const second = startWorker();
    await second.waitFor((l) => l.includes('gateway started'), 30_000);
    expect(await waitForClosed(s, requestId, 90_000)).toBe('COMPLETED');

    const tasks = await tasksOf(s, requestId);
    expect(tasks).toHaveLength(cases.length);
    expect(tasks.filter((t) => t.status !== 'SUCCEEDED')).toEqual([]);
    // Exactly once in effect: no record changed twice, and every record was changed by
    // exactly one run (APPLIED), or by a run the kill cut off after the source committed
    // (its re-run then finds the record gone: NOT_FOUND after more than one attempt).
    expect(tasks.every((t) => t.applied_count <= 1)).toBe(true);
    const appliedOnce = tasks.filter((t) => t.applied_count === 1).length;
    const cutOff = tasks.filter((t) => t.applied_count === 0 && t.outcome === 'NOT_FOUND' && t.attempts > 1).length;
    expect(appliedOnce + cutOff).toBe(cases.length);
    const left = await s.dataSource.query(`SELECT count(*)::int AS n FROM case_management.cases WHERE id = ANY($1)`, [cases.map((c) => c.id)]);
    expect(left[0].n).toBe(0);
  }, 180_000);
});
