import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType as T, RecordAction, SourceKind, TaskStatus } from '../../../src/domain/vocabulary.js';
import { TaskRunner } from '../../../src/execution/task-runner.js';
import { ReferenceConnector } from '../../../connectors/shared/reference-connector.js';
import { insertApprovedRequest, tasksOf } from '../../support/requests-fixture.js';

// Tasks of one source that run at once share one connector call and two task-table
// statements; each task still ends on its own.
describe('batched task execution (real PostgreSQL, reference case-management store)', () => {
  let gw: TestGateway;
  let pool: pg.Pool;
  let runner: TaskRunner;
  let caseIds: string[];
  const batches: number[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ worker: false });
    await seedReferenceSources({ url: gw.databaseUrl, people: 120, seed: 11, systems: ['case_management'] });
    const s = gw.runtime.services;
    await s.sources.register(
      {
        id: 'cases',
        name: 'cases',
        kind: SourceKind.CASE_MANAGEMENT,
        type: 'builtin',
        connection: { system: 'case_management', schema: 'case_management', url: gw.databaseUrl },
      },
      'test',
    );
    // Count the batched calls the store receives (the connector itself is the real one;
    // its single erase goes through eraseMany too).
    const eraseMany = ReferenceConnector.prototype.eraseMany;
    vi.spyOn(ReferenceConnector.prototype, 'eraseMany').mockImplementation(function (this: ReferenceConnector, items) {
      batches.push(items.length);
      return eraseMany.call(this, items);
    });
    runner = new TaskRunner({ ...s, settings: s.execution.settings });
    pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
    caseIds = (await pool.query<{ id: string }>(`SELECT id FROM case_management.cases ORDER BY id LIMIT 12`)).rows.map((r) => r.id);
  }, 120_000);
  afterAll(async () => {
    vi.restoreAllMocks();
    await pool?.end();
    await gw?.stop();
  });

  async function queuedTasks(records: string[], action: RecordAction): Promise<{ requestId: string; taskIds: string[] }> {
    const s = gw.runtime.services;
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: `batch-${action.toLowerCase()}@example.org` }],
      decisions: records.map((recordId) => ({ sourceId: 'cases', recordId, recordType: 'case', action })),
    });
    await s.stores.tasks.insertPlanned(
      requestId,
      records.map((recordId) => ({ sourceId: 'cases', recordId, action })),
      s.dataSource.manager,
    );
    const byRecord = new Map((await s.stores.tasks.withStatus(requestId, [TaskStatus.QUEUED])).map((t) => [t.record_id, t.id]));
    return { requestId, taskIds: records.map((recordId) => byRecord.get(recordId)!) };
  }

  it('tasks running at once are erased by one connector call, each recorded once with its own outcome', async () => {
    const records = caseIds.slice(0, 6);
    const { requestId, taskIds } = await queuedTasks(records, RecordAction.ERASE);
    batches.length = 0;
    const answers = await Promise.all(taskIds.map((taskId) => runner.run({ taskId, requestId, sourceId: 'cases' }, { attempt: 1, maxAttempts: 3 })));
    expect(answers).toEqual(taskIds.map(() => ({ outcome: 'APPLIED' })));
    expect(batches).toEqual([6]);
    const tasks = await tasksOf(gw.runtime.services, requestId);
    expect(tasks.map((t) => [t.status, t.attempts, t.applied_count, t.outcome])).toEqual(tasks.map(() => ['SUCCEEDED', 1, 1, 'APPLIED']));
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = ANY($1)`, [records])).rows).toEqual([]);

    // The same jobs delivered again (a crash after the work): nothing runs twice.
    const again = await Promise.all(taskIds.map((taskId) => runner.run({ taskId, requestId, sourceId: 'cases' }, { attempt: 2, maxAttempts: 3 })));
    expect(again.every((a) => 'skipped' in a)).toBe(true);
    expect((await tasksOf(gw.runtime.services, requestId)).every((t) => t.applied_count === 1)).toBe(true);
  });

  it('a record the source refuses to delete fails only its own task; the rest of its batch is erased', async () => {
    const records = caseIds.slice(6, 11);
    const blocked = records[2]!;
    // A rule of the source system: another table still refers to this case.
    await pool.query(`CREATE TABLE IF NOT EXISTS case_management.open_invoices (case_id text REFERENCES case_management.cases(id))`);
    await pool.query(`INSERT INTO case_management.open_invoices VALUES ($1)`, [blocked]);
    const { requestId, taskIds } = await queuedTasks(records, RecordAction.ERASE);
    batches.length = 0;
    const answers = await Promise.allSettled(taskIds.map((taskId) => runner.run({ taskId, requestId, sourceId: 'cases' }, { attempt: 1, maxAttempts: 3 })));
    // The batch fails as a whole (one transaction), then each task is tried on its own.
    expect(batches).toEqual([5, 1, 1, 1, 1, 1]);
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const tasks = new Map((await tasksOf(gw.runtime.services, requestId)).map((t) => [t.record_id, t]));
    expect(tasks.get(blocked)).toMatchObject({ status: 'RETRYING', applied_count: 0 });
    expect(tasks.get(blocked)!.last_error).toMatch(/^ERROR: /);
    for (const id of records.filter((r) => r !== blocked)) expect(tasks.get(id)).toMatchObject({ status: 'SUCCEEDED', applied_count: 1 });
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = ANY($1)`, [records])).rows).toEqual([{ id: blocked }]);
  });

  it('restrictions of one batch are one statement; a repeat answers ALREADY_APPLIED', async () => {
    const records = [caseIds[11]!, caseIds[11]!.replace(/\d+$/, '999999')];
    const { requestId, taskIds } = await queuedTasks(records, RecordAction.RESTRICT);
    const answers = await Promise.all(taskIds.map((taskId) => runner.run({ taskId, requestId, sourceId: 'cases' }, { attempt: 1, maxAttempts: 3 })));
    expect(answers).toEqual([{ outcome: 'APPLIED' }, { outcome: 'NOT_FOUND' }]);
    const connector = await gw.runtime.services.sources.connector('cases');
    expect(await connector.restrictMany!([{ sourceId: 'cases', recordId: records[0]! }], true)).toEqual([{ outcome: 'ALREADY_APPLIED' }]);
  });
});
