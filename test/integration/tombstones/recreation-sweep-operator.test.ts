// The recreation sweep beyond its schedule: an operator's run from a point in time (records
// that came back with old change dates, as from a restored backup), and the single tasks it
// queues on closed requests when the queues lose them. No worker runs unless a test starts
// one (real PostgreSQL and Redis, the case-management reference store).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { personAt } from '../../../src/population/person.js';
import { IdentifierType as T, RequestStatus, TaskStatus } from '../../../src/domain/vocabulary.js';
import { insertCase } from '../../../connectors/case-management/roster-import.js';
import { runRecreationSweep } from '../../../src/tombstones/recreation-sweep.js';
import { startWorkers, type Closable } from '../../../jobs/workers.js';
import { insertApprovedRequest, requestStatus, tasksOf, waitForClosed } from '../../support/requests-fixture.js';
import { caseSource } from '../../support/sources-fixture.js';
import { eventually } from '../../support/eventually.js';
import { removeQueueKeys } from '../../support/redis-cleanup.js';
import { TEST_REDIS_URL } from '../../support/queue-settings.js';
import type { Services } from '../../../src/app/services.js';

/** An erasure of a person not in the seeded population, run to its close; the person's index and request id. */
async function erasedPerson(s: Services, index: number): Promise<{ person: ReturnType<typeof personAt>; requestId: string }> {
  const person = personAt(11, index);
  const requestId = await insertApprovedRequest(s, {
    identifiers: [
      { type: T.EMAIL, value: person.email },
      { type: T.PHONE, value: person.phone },
    ],
    decisions: [],
  });
  await s.execution.execute(requestId, 'handler');
  const workers = startWorkers(s);
  try {
    expect(await waitForClosed(s, requestId, 30_000)).toBe(RequestStatus.COMPLETED);
  } finally {
    for (const w of workers) await w.close();
  }
  return { person, requestId };
}

describe('recreation sweep: tasks on closed requests lost by the queues (redis queue)', () => {
  let gw: TestGateway;
  let pool: pg.Pool;
  let workers: Closable[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      queue: 'redis',
      worker: false,
      env: { TASK_BACKOFF_MS: '20', TASK_ATTEMPTS: '2', SCHEDULERS: 'false' },
    });
    await seedReferenceSources({ url: gw.databaseUrl, people: 30, seed: 11, systems: ['case_management'] });
    await gw.runtime.services.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
    pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
    // Every seeded record is old; the tests make the recent ones.
    for (const table of ['cases', 'case_parties']) {
      await pool.query(`UPDATE case_management.${table} SET created_at = now() - interval '2 years', last_activity_at = now() - interval '1 year'`);
    }
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.close();
    await pool?.end();
    await gw?.stop();
  });

  it('R10: a recreation-sweep task lost from Redis (flushed, or restarted empty) is queued again by the stranded-work scan, audited, and erases the record; the request stays closed', async () => {
    const s = gw.runtime.services;
    const { person, requestId } = await erasedPerson(s, 600);
    const recreated = await insertCase(pool, 'case_management', {
      ref: 'ROW-600',
      givenName: person.givenName,
      familyName: person.familyName,
      dateOfBirth: person.dateOfBirth,
      email: person.email,
      phone: person.phone,
      employer: 'Acme',
    });
    const report = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000) });
    const hit = report.hits.find((h) => h.recordId === recreated);
    expect(hit?.requestId).toBe(requestId);
    // The queues lose the sweep's job before any worker takes it.
    await removeQueueKeys(TEST_REDIS_URL, gw.config.QUEUE_PREFIX!);

    // The scan looks at work with no change for the grace period: here, none at all.
    expect(await s.execution.requeueStranded(new Date(Date.now() + 1000))).toContain(requestId);
    const [audit] = await s.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'request.requeue-stranded' AND target_id = $1`, [
      requestId,
    ]);
    expect(audit.n).toBe(1);
    workers = startWorkers(s);
    const task = await eventually(
      async () => (await tasksOf(s, requestId)).find((t) => t.id === hit!.taskId),
      (t) => t?.status === TaskStatus.SUCCEEDED || t?.status === TaskStatus.FAILED,
      { timeoutMs: 30_000 },
    );
    expect(task?.status).toBe(TaskStatus.SUCCEEDED);
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = $1`, [recreated])).rows).toEqual([]);
    expect((await requestStatus(s, requestId)).status).toBe(RequestStatus.COMPLETED);
    // Done once: nothing of the request is open any more.
    expect(await s.execution.requeueStranded(new Date(Date.now() + 1000))).not.toContain(requestId);
    for (const w of workers.splice(0)) await w.close();

    // A sweep task still on its queue is left alone, however long it waits.
    const other = await erasedPerson(s, 601);
    const waiting = await insertCase(pool, 'case_management', {
      ref: 'ROW-601',
      givenName: other.person.givenName,
      familyName: other.person.familyName,
      dateOfBirth: other.person.dateOfBirth,
      email: other.person.email,
      phone: other.person.phone,
      employer: 'Acme',
    });
    const second = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000) });
    expect(second.hits.map((h) => h.recordId)).toContain(waiting);
    expect(await s.execution.requeueStranded(new Date(Date.now() + 1000))).not.toContain(other.requestId);
  }, 120_000);
});
