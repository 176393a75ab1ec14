import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { personAt } from '../../../src/population/person.js';
import { IdentifierType as T, RecordAction } from '../../../src/domain/vocabulary.js';
import { importRoster, insertCase, type RosterPerson } from '../../../connectors/case-management/roster-import.js';
import { runRecreationSweep } from '../../../src/tombstones/recreation-sweep.js';
import { insertApprovedRequest, tasksOf, waitForClosed } from '../../support/requests-fixture.js';
import { caseSource, uncontrolledCases } from '../../support/sources-fixture.js';
import { eventually } from '../../support/eventually.js';
import { codeOf } from '../../support/error-codes.js';

describe('queued execution: twice, outage, recreation (redis queue)', () => {
  let gw: TestGateway;
  let pool: pg.Pool;
  let takeCases: (n: number) => string[];

  beforeAll(async () => {
    gw = await startTestGateway({
      queue: 'redis',
      env: { WORKER_STALLED_INTERVAL_MS: '1000', SOURCE_RESCAN_MS: '200', TASK_BACKOFF_MS: '20', TASK_ATTEMPTS: '3' },
    });
    await seedReferenceSources({ url: gw.databaseUrl, people: 80, seed: 7, systems: ['case_management'] });
    await gw.runtime.services.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
    pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
    takeCases = await uncontrolledCases(pool);
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await gw?.stop();
  });

  it('a request that does not exist is REQUEST_NOT_FOUND here too, as everywhere else in the gateway', async () => {
    const s = gw.runtime.services;
    const missing = randomUUID();
    expect(await codeOf(s.execution.execute(missing, 'handler'))).toBe('REQUEST_NOT_FOUND');
    expect(await codeOf(s.execution.retryFailed(missing, 'handler'))).toBe('REQUEST_NOT_FOUND');
  });

  it('TWICE: executing a request twice at once creates no duplicate tasks or jobs, and each record changes once', async () => {
    const s = gw.runtime.services;
    const records = takeCases(4);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'twice@example.org' }],
      decisions: records.map((recordId) => ({ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.ERASE })),
    });
    await Promise.all([s.execution.execute(requestId, 'h1'), s.execution.execute(requestId, 'h2')]);
    expect(await waitForClosed(s, requestId)).toBe('COMPLETED');
    const tasks = await tasksOf(s, requestId);
    expect(tasks).toHaveLength(4);
    expect(tasks.map((t) => [t.status, t.attempts, t.applied_count])).toEqual(tasks.map(() => ['SUCCEEDED', 1, 1]));
    const starts = await s.dataSource.query(`SELECT count(*)::int AS n FROM request_transition WHERE request_id = $1 AND to_status = 'EXECUTING'`, [requestId]);
    expect(starts[0].n).toBe(1);
    // A third call after completion is refused with a code, not re-run.
    await expect(s.execution.execute(requestId, 'h3')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  }, 60_000);

  it('OUTAGE: a source that is down is retried, marked FAILED with the reason; retryFailed completes it once it is back', async () => {
    const s = gw.runtime.services;
    const down = new URL(gw.databaseUrl);
    down.pathname = '/dsr_no_such_database';
    await s.sources.register(caseSource('flaky', down.toString()), 'test');
    const records = takeCases(3);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'outage@example.org' }],
      decisions: records.map((recordId) => ({ sourceId: 'flaky', recordId, recordType: 'case', action: RecordAction.ERASE })),
    });
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId)).toBe('PARTIALLY_COMPLETED');
    let tasks = await tasksOf(s, requestId);
    expect(tasks.map((t) => t.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(tasks.every((t) => t.attempts === 3 && /UNAVAILABLE/.test(t.last_error ?? ''))).toBe(true);
    const [{ response }] = await s.dataSource.query(`SELECT response FROM data_subject_request WHERE id = $1`, [requestId]);
    expect(response.complete).toBe(false);
    expect(response.reasons.join(' ')).toMatch(/failed: UNAVAILABLE/);

    await s.sources.register(caseSource('flaky', gw.databaseUrl), 'test'); // the source is back
    await s.execution.retryFailed(requestId, 'handler');
    expect(await waitForClosed(s, requestId)).toBe('COMPLETED');
    tasks = await tasksOf(s, requestId);
    expect(tasks.map((t) => [t.status, t.applied_count])).toEqual([
      ['SUCCEEDED', 1],
      ['SUCCEEDED', 1],
      ['SUCCEEDED', 1],
    ]);
    const left = await pool.query(`SELECT id FROM case_management.cases WHERE id = ANY($1)`, [records]);
    expect(left.rows).toEqual([]);
    await expect(s.execution.retryFailed(requestId, 'handler')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await s.sources.disable('flaky');
  }, 90_000);

  it('R10 RECREATION: the roster import skips a tombstoned person; a record inserted behind the guard is found by the sweep and erased', async () => {
    const s = gw.runtime.services;
    const p = personAt(7, 3);
    const erased: RosterPerson = {
      ref: 'ROW-1',
      givenName: p.givenName,
      familyName: p.familyName,
      dateOfBirth: p.dateOfBirth,
      email: p.email,
      phone: p.phone,
      employer: 'Acme',
    };
    const requestId = await insertApprovedRequest(s, {
      identifiers: [
        { type: T.EMAIL, value: p.email },
        { type: T.PHONE, value: p.phone },
      ],
      decisions: [],
    });
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId)).toBe('COMPLETED');

    const other: RosterPerson = {
      ref: 'ROW-2',
      givenName: 'Zebedee',
      familyName: 'Quartermaine',
      dateOfBirth: '1971-02-03',
      email: 'zq@example.net',
      employer: 'Acme',
    };
    const key = (await bearer(gw, ['CONNECTOR'])).authorization!.slice('Bearer '.length);
    const report = await importRoster([erased, other], { pool, gatewayUrl: gw.url, apiKey: key });
    expect(report.skipped).toEqual([{ ref: 'ROW-1', requestIds: [requestId] }]);
    expect(report.created.map((c) => c.ref)).toEqual(['ROW-2']);
    expect(JSON.stringify(report)).not.toContain(p.email);

    // A feed that ignores the guard.
    const sneaked = await insertCase(pool, 'case_management', erased);
    const sweep = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000) });
    expect(sweep.hits).toEqual([expect.objectContaining({ sourceId: 'case_management', recordId: sneaked, requestId })]);
    expect(sweep.hits.some((h) => h.recordId === report.created[0]!.recordId)).toBe(false);
    const task = await eventually(
      async () => (await tasksOf(s, requestId)).find((t) => t.record_id === sneaked),
      (t) => t?.status === 'SUCCEEDED',
    );
    expect(task?.status).toBe('SUCCEEDED');
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = $1`, [sneaked])).rows).toEqual([]);
    const audit = await s.dataSource.query(`SELECT action FROM audit_log WHERE action = 'tombstone.recreation-found' AND target_id = $1`, [requestId]);
    expect(audit).toHaveLength(1);
  }, 90_000);
});
