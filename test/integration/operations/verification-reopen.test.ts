import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { RecordAction } from '../../../src/domain/vocabulary.js';
import type { Identifier } from '../../../connectors/contract.js';
import { insertApprovedRequest, requestStatus, tasksOf, waitForClosed } from '../../support/requests-fixture.js';
import { caseSource } from '../../support/sources-fixture.js';

// A store that says APPLIED but keeps the record: triggers put a deleted case (and its
// blocking keys) straight back, `times` times. Verification must find it again. The
// store deletes a case and its keys in one statement, whose row triggers may fire in
// either order, so a key comes back if its case is back or is still to come back.
const RESURRECTION = [
  `CREATE TABLE case_management.resurrect (record_id text PRIMARY KEY, times int NOT NULL)`,
  `CREATE FUNCTION case_management.resurrect_case() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     UPDATE case_management.resurrect SET times = times - 1 WHERE record_id = OLD.id AND times > 0;
     IF FOUND THEN INSERT INTO case_management.cases SELECT (OLD).*; END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER resurrect_case AFTER DELETE ON case_management.cases FOR EACH ROW EXECUTE FUNCTION case_management.resurrect_case()`,
  `CREATE FUNCTION case_management.resurrect_keys() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF EXISTS (SELECT 1 FROM case_management.cases WHERE id = OLD.record_id)
        OR EXISTS (SELECT 1 FROM case_management.resurrect WHERE record_id = OLD.record_id AND times > 0) THEN
       INSERT INTO case_management.record_key (key, record_id) VALUES (OLD.key, OLD.record_id) ON CONFLICT DO NOTHING;
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER resurrect_keys AFTER DELETE ON case_management.record_key FOR EACH ROW EXECUTE FUNCTION case_management.resurrect_keys()`,
];

describe('verification by looking again (redis queue)', () => {
  let gw: TestGateway;
  let pool: pg.Pool;
  let cases: { id: string; identifiers: Identifier[] }[];

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', env: { TASK_BACKOFF_MS: '20', SCHEDULERS: 'false' } });
    await seedReferenceSources({ url: gw.databaseUrl, people: 20, seed: 5, systems: ['case_management'] });
    await gw.runtime.services.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
    pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
    for (const sql of RESURRECTION) await pool.query(sql);
    // Cases of different people (distinct e-mail addresses), with their identifiers as the requests' own.
    const { rows } = await pool.query<{ id: string }>(
      `SELECT DISTINCT ON (email) id FROM case_management.cases WHERE email IS NOT NULL ORDER BY email, id LIMIT 2`,
    );
    const connector = await gw.runtime.services.sources.connector('case_management');
    const records = await connector.export(rows.map((r) => ({ sourceId: 'case_management', recordId: r.id })));
    cases = records.map((r) => ({ id: r.recordId, identifiers: r.identifiers }));
    expect(cases).toHaveLength(2);
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await gw?.stop();
  });

  const erase = (c: { id: string; identifiers: Identifier[] }) =>
    insertApprovedRequest(gw.runtime.services, {
      identifiers: c.identifiers,
      decisions: [{ sourceId: 'case_management', recordId: c.id, recordType: 'case', action: RecordAction.ERASE }],
    });
  const verificationFailures = async (requestId: string) =>
    (await gw.runtime.services.audit.list({ actions: ['request.verification-failed'], targetId: requestId })).entries.length;

  it('a record found again after its task succeeded: the task is reopened and re-run, and the request completes once it is gone', async () => {
    const s = gw.runtime.services;
    const target = cases[0]!;
    await pool.query(`INSERT INTO case_management.resurrect VALUES ($1, 1)`, [target.id]);
    const requestId = await erase(target);
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId)).toBe('COMPLETED');

    const [task] = await tasksOf(s, requestId);
    // Run twice: the first "erasure" left the record, verification reopened the task.
    expect(task).toMatchObject({ status: 'SUCCEEDED', attempts: 2, applied_count: 2 });
    const [{ job_id }] = await s.dataSource.query(`SELECT job_id, verified_at FROM task WHERE id = $1`, [task!.id]);
    expect(job_id).toMatch(/-reopen-/);
    expect(await verificationFailures(requestId)).toBe(1);
    expect((await pool.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [target.id])).rows).toEqual([]);
    const { response } = await requestStatus(s, requestId);
    expect(response).toMatchObject({ complete: true, reasons: [] });
  }, 60_000);

  it('a record that keeps coming back: re-run up to the limit, then PARTIALLY_COMPLETED with the reason', async () => {
    const s = gw.runtime.services;
    const target = cases[1]!;
    await pool.query(`INSERT INTO case_management.resurrect VALUES ($1, 1000)`, [target.id]);
    const requestId = await erase(target);
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId)).toBe('PARTIALLY_COMPLETED');

    const [task] = await tasksOf(s, requestId);
    // The first run and two verification re-runs (MAX_VERIFICATION_RERUNS).
    expect(task).toMatchObject({ status: 'SUCCEEDED', attempts: 3 });
    expect(await verificationFailures(requestId)).toBe(3);
    const { response } = await requestStatus(s, requestId);
    expect(response!.complete).toBe(false);
    expect(response!.reasons).toEqual([`verification: case_management record ${target.id} still found after ERASE`]);
    const [last] = await s.dataSource.query(`SELECT to_status, reason FROM request_transition WHERE request_id = $1 ORDER BY id DESC LIMIT 1`, [requestId]);
    expect(last).toEqual({ to_status: 'PARTIALLY_COMPLETED', reason: expect.stringContaining(`record ${target.id} still found`) });
    // The record is still there: the request does not claim otherwise.
    expect((await pool.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [target.id])).rows).toHaveLength(1);
  }, 60_000);
});
