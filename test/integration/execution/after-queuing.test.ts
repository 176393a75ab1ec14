// What changes between a task being queued and its job running: the request refused or the
// worker's hold on the job lost. Workers are started by the tests themselves, after the
// change, so the job meets the world as it is then (real PostgreSQL and Redis).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType as T, RecordAction, SourceKind, TaskStatus } from '../../../src/domain/vocabulary.js';
import { startWorkers, type Closable } from '../../../jobs/workers.js';
import { insertApprovedRequest, tasksOf } from '../../support/requests-fixture.js';
import { eventually } from '../../support/eventually.js';

const caseSource = (id: string, url: string) => ({
  id,
  name: id,
  kind: SourceKind.CASE_MANAGEMENT,
  type: 'builtin' as const,
  connection: { system: 'case_management' as const, schema: 'case_management', url },
});

describe('queued work meets the request as it is when the job runs (redis queue)', () => {
  let gw: TestGateway;
  let pool: pg.Pool;
  let caseIds: string[];
  let next = 0;
  const takeCases = (n: number) => caseIds.slice(next, (next += n));
  let workers: Closable[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      queue: 'redis',
      worker: false,
      env: { WORKER_STALLED_INTERVAL_MS: '1000', SOURCE_RESCAN_MS: '200', TASK_BACKOFF_MS: '20', TASK_ATTEMPTS: '3', SCHEDULERS: 'false' },
    });
    await seedReferenceSources({ url: gw.databaseUrl, people: 40, seed: 11, systems: ['case_management'] });
    await gw.runtime.services.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
    pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
    caseIds = (await pool.query<{ id: string }>(`SELECT id FROM case_management.cases WHERE controller_id IS NULL ORDER BY id`)).rows.map((r) => r.id);
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.close();
    await pool?.end();
    await gw?.stop();
  });

  it('R2: an erasure rejected while its tasks wait in the queue (the identity proved false) erases nothing; its tasks fail with the reason', async () => {
    const s = gw.runtime.services;
    const records = takeCases(2);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'impostor@example.org' }],
      decisions: records.map((recordId) => ({ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.ERASE })),
    });
    await s.execution.execute(requestId, 'handler');
    const handler = await bearer(gw, ['HANDLER']);
    const rejected = await gw.graphql<{ rejectRequest: { status: string } }>(
      `mutation($id: ID!) { rejectRequest(requestId: $id, reason: "the identity documents were forged") { status } }`,
      { id: requestId },
      handler,
    );
    expect(rejected.body.data?.rejectRequest.status).toBe('REJECTED');

    workers = startWorkers(s);
    const tasks = await eventually(
      () => tasksOf(s, requestId),
      (ts) => ts.every((t) => t.status === TaskStatus.FAILED || t.status === TaskStatus.SUCCEEDED),
    );
    expect(tasks.map((t) => [t.status, t.applied_count])).toEqual([
      [TaskStatus.FAILED, 0],
      [TaskStatus.FAILED, 0],
    ]);
    expect(tasks.every((t) => /REQUEST_REJECTED: the request is REJECTED/.test(t.last_error ?? ''))).toBe(true);
    // The real person's records are still there.
    const left = await pool.query(`SELECT id FROM case_management.cases WHERE id = ANY($1) ORDER BY id`, [records]);
    expect(left.rows.map((r) => r.id)).toEqual([...records].sort());
    expect((await s.stores.requests.find(requestId))!.status).toBe('REJECTED');
  }, 60_000);
});
