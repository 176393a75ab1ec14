// The recreation sweep beyond its schedule: an operator's run from a point in time (records
// that came back with old change dates, as from a restored backup), and the single tasks it
// queues on closed requests when the queues lose them. No worker runs unless a test starts
// one (real PostgreSQL and Redis, the case-management reference store).
import pg from 'pg';
import { paramsDigest } from '../../../src/audit/chain.js';
import type { Job } from 'bullmq';
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
import { runSweepCommand } from '../../../src/tombstones/sweep-since.js';
import { ScheduleNames, schedulesProcessor } from '../../../jobs/schedules/schedules.js';
import { createForeignCrmDatabase, crmSourceConfig, type ForeignDatabase } from '../connectors/foreign-crm.js';

/** An erasure of a person not in the seeded population, run to its close; the person and the request id. */
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

/** A case-management record of the person, as a feed or a restore would write it. */
async function recordOf(pool: pg.Pool, person: ReturnType<typeof personAt>, ref: string): Promise<string> {
  return insertCase(pool, 'case_management', {
    ref,
    givenName: person.givenName,
    familyName: person.familyName,
    dateOfBirth: person.dateOfBirth,
    email: person.email,
    phone: person.phone,
    employer: 'Acme',
  });
}

describe("recreation sweep: an operator's run since a point in time, and tasks on closed requests lost by the queues (redis queue)", () => {
  let gw: TestGateway;
  let pool: pg.Pool;
  let crm: ForeignDatabase | undefined;
  let workers: Closable[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      queue: 'redis',
      worker: false,
      env: { TASK_BACKOFF_MS: '20', TASK_ATTEMPTS: '2', SCHEDULERS: 'false', DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'not-needed-locally' },
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
    await crm?.drop();
  });

  it('R10: a recreation-sweep task lost from Redis (flushed, or restarted empty) is queued again by the stranded-work scan, audited, and erases the record; the request stays closed', async () => {
    const s = gw.runtime.services;
    const { person, requestId } = await erasedPerson(s, 600);
    const recreated = await recordOf(pool, person, 'ROW-600');
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
    const waiting = await recordOf(pool, other.person, 'ROW-601');
    const second = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000) });
    expect(second.hits.map((h) => h.recordId)).toContain(waiting);
    expect(await s.execution.requeueStranded(new Date(Date.now() + 1000))).not.toContain(other.requestId);
  }, 120_000);

  it("R10: a record restored from a backup with old change dates is met by no scheduled sweep; the operator's run since a point before them finds it, queues its erasure, prints ids and counts only, and is audited", async () => {
    const s = gw.runtime.services;
    const { person, requestId } = await erasedPerson(s, 610);
    const restored = await recordOf(pool, person, 'ROW-610');
    await pool.query(
      `UPDATE case_management.cases SET created_at = now() - interval '200 days', last_activity_at = now() - interval '150 days' WHERE id = $1`,
      [restored],
    );

    // The scheduled run looks back two periods: the restored record is older than that.
    await schedulesProcessor(s)({ name: ScheduleNames.recreationSweep } as Job);
    expect((await tasksOf(s, requestId)).map((t) => t.record_id)).not.toContain(restored);

    // Another source, whose store is down: a run limited to one source does not look at it.
    const down = new URL(gw.databaseUrl);
    down.pathname = '/dsr_no_such_database';
    await s.sources.register(caseSource('case_down', down.toString()), 'test');
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const since = new Date(Date.now() - 250 * 86_400_000).toISOString().slice(0, 10);
    expect(await runSweepCommand(['--since', since, '--source', 'case_management'], s, io)).toBe(0);
    expect(err).toEqual([]);
    const task = (await tasksOf(s, requestId)).find((t) => t.record_id === restored);
    expect(task?.status).toBe(TaskStatus.QUEUED);
    const printed = out.join('\n');
    expect(printed).toContain(`recreation sweep since ${since}T00:00:00.000Z over case_management`);
    expect(printed).toContain(`recreated case_management ${restored}: erasure task ${task!.id} queued on request ${requestId}`);
    // The seeded records (active a year ago) are older than `since`: only the recent and the restored ones were checked.
    expect(printed).toMatch(/checked case_management: [1-9]\d? record\(s\)/);
    expect(printed).not.toContain('case_down');
    await s.sources.disable('case_down');
    for (const value of [person.email, person.phone, person.familyName, person.givenName]) expect(printed).not.toContain(value);
    const [audit] = (await s.audit.list({ actions: ['tombstone.sweep'] })).entries;
    expect([audit?.actorId, audit?.outcome]).toEqual(['cli:sweep-recreations', 'FAILED']);
    const [found] = (await s.audit.list({ actions: ['tombstone.recreation-found'] })).entries;
    expect([found?.actorId, found?.targetId]).toEqual(['cli:sweep-recreations', requestId]);

    workers = startWorkers(s);
    const done = await eventually(
      async () => (await tasksOf(s, requestId)).find((t) => t.id === task!.id),
      (t) => t?.status === TaskStatus.SUCCEEDED || t?.status === TaskStatus.FAILED,
      { timeoutMs: 30_000 },
    );
    expect(done?.status).toBe(TaskStatus.SUCCEEDED);
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = $1`, [restored])).rows).toEqual([]);
    for (const w of workers.splice(0)) await w.close();
  }, 120_000);

  it('the operator run refuses bad input with a code and the usage, and sweeps nothing: a bad date, a date in the future, an unknown source', async () => {
    const s = gw.runtime.services;
    const sweeps = async () => (await s.audit.list({ actions: ['tombstone.sweep'] }, { first: 500 })).entries.length;
    const before = await sweeps();
    const refusal = async (argv: string[]) => {
      const err: string[] = [];
      const code = await runSweepCommand(argv, s, { out: () => undefined, err: (l) => err.push(l) });
      return [code, err.join('\n').split(':')[0]];
    };
    expect(await refusal(['--since', 'last spring'])).toEqual([64, 'INVALID_DATE']);
    expect(await refusal(['--since', new Date(Date.now() + 86_400_000).toISOString()])).toEqual([64, 'DATE_IN_FUTURE']);
    expect(await refusal(['--since', '2026-01-01', '--source', 'no_such_source'])).toEqual([64, 'SOURCE_NOT_FOUND']);
    expect(await refusal([])).toEqual([64, 'BAD_USER_INPUT']);
    expect(await sweeps()).toBe(before);
  });

  it('the operator run over one source that cannot list its changes (generic SQL) refuses with SOURCE_CANNOT_LIST and sweeps nothing', async () => {
    const s = gw.runtime.services;
    crm = await createForeignCrmDatabase();
    await s.sources.register(crmSourceConfig(crm.url), 'test');
    const sweeps = async () => (await s.audit.list({ actions: ['tombstone.sweep'] }, { first: 500 })).entries.length;
    const before = await sweeps();
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSweepCommand(['--since', '2026-01-01', '--source', 'crm'], s, { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(code).toBe(64);
    expect(err.join('\n')).toMatch(/^SOURCE_CANNOT_LIST: source crm cannot list its changes/);
    expect(out).toEqual([]);
    expect(await sweeps()).toBe(before);
    await s.sources.disable('crm', 'test');
  });

  it('the operator run over one source whose connector cannot be built (its stored registration no longer validates) reports it as failed, exit code 1, not as skipped', async () => {
    const s = gw.runtime.services;
    await s.sources.register(caseSource('case_unbuilt', gw.databaseUrl), 'test');
    // The registration goes bad where it is stored while the source is disabled (the registry forgets its connector then).
    await s.sources.disable('case_unbuilt', 'test');
    await pool.query(`UPDATE source SET config = jsonb_set(config, '{connection,system}', '"no_such_system"') WHERE id = 'case_unbuilt'`);
    await s.sources.changeStatus('case_unbuilt', 'enable', 'test');
    expect((await s.sources.list()).map((x) => x.id)).toContain('case_unbuilt');
    await expect(s.sources.connector('case_unbuilt')).rejects.toThrow();
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSweepCommand(['--since', '2026-01-01', '--source', 'case_unbuilt'], s, { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(err).toEqual([]);
    expect(code).toBe(1);
    const printed = out.join('\n');
    expect(printed).toMatch(/^ {2}FAILED case_unbuilt: its connector could not be built \(INVALID_SOURCE_CONFIG\) \(run again\)$/m);
    expect(printed).not.toContain('skipped case_unbuilt');
    expect(printed).toContain('skipped: 0, failed: 1');
    await s.sources.disable('case_unbuilt', 'test');
  });

  it("the operator run over a source whose store fails while listing prints, logs and audits the failure's code, never the store's error text (it quotes the value it could not read: an e-mail address)", async () => {
    const s = gw.runtime.services;
    const email = 'jane.boom@example.org';
    // A store whose case table is a view that cannot read one recent row: PostgreSQL's error quotes that row's e-mail.
    await pool.query(`DROP SCHEMA IF EXISTS case_boom CASCADE; CREATE SCHEMA case_boom`);
    for (const table of ['case_notes', 'call_recordings', 'consents', 'case_parties'])
      await pool.query(`CREATE TABLE case_boom.${table} (LIKE case_management.${table} INCLUDING ALL)`);
    await pool.query(`CREATE TABLE case_boom.cases_raw (LIKE case_management.cases INCLUDING ALL)`);
    await pool.query(`CREATE VIEW case_boom.cases AS SELECT r.*, r.email::int AS boom FROM case_boom.cases_raw r`);
    await pool.query(`INSERT INTO case_boom.cases_raw (id, given_name, email, created_at, last_activity_at) VALUES ('CASE-BOOM', 'Jane', $1, now(), now())`, [
      email,
    ]);
    await s.sources.register(
      { ...caseSource('case_boom', gw.databaseUrl), connection: { system: 'case_management', schema: 'case_boom', url: gw.databaseUrl } },
      'test',
    );
    const logged: string[] = [];
    const warn = s.logger.warn.bind(s.logger);
    s.logger.warn = ((...args: Parameters<typeof s.logger.warn>) => {
      logged.push(JSON.stringify(args));
      return warn(...args);
    }) as typeof s.logger.warn;
    const out: string[] = [];
    const err: string[] = [];
    let code: number;
    try {
      code = await runSweepCommand(['--since', '2026-01-01', '--source', 'case_boom'], s, { out: (l) => out.push(l), err: (l) => err.push(l) });
    } finally {
      s.logger.warn = warn;
      await s.sources.disable('case_boom', 'test');
    }
    expect(code).toBe(1);
    const printed = out.join('\n');
    // What the operator needs: which source, at which step, the code to look up; run again once fixed.
    expect(printed).toMatch(/^ {2}FAILED case_boom: its records could not be listed and checked \(SQLSTATE_22P02\) \(run again\)$/m);
    const audit = (await s.audit.list({ actions: ['tombstone.sweep'] }, { first: 500 })).entries[0];
    // The audit keeps a digest of its parameters: these, codes and ids only.
    const params = {
      since: '2026-01-01T00:00:00.000Z',
      sources: ['case_boom'],
      checked: { case_boom: 0 },
      skipped: [],
      failed: [{ sourceId: 'case_boom', stage: 'LISTING', code: 'SQLSTATE_22P02' }],
      hits: [],
      unconfirmed: [],
    };
    expect(audit?.paramsDigest).toBe(paramsDigest(params, s.keyrings.tombstone));
    expect(logged.join('\n')).toContain('case_boom');
    for (const text of [printed, err.join('\n'), JSON.stringify(audit), logged.join('\n')]) expect(text).not.toContain(email);
  });

  it('R10: a record restored again after the sweep erased it gets its erasure task queued again; when that job is lost, the scan waits the quiet period from the re-queue, then queues it again', async () => {
    const s = gw.runtime.services;
    const { person, requestId } = await erasedPerson(s, 620);
    const record = await recordOf(pool, person, 'ROW-620');
    // The backup: the row as it is before the sweep erases it, with old change dates.
    await pool.query(
      `UPDATE case_management.cases SET created_at = now() - interval '200 days', last_activity_at = now() - interval '150 days' WHERE id = $1`,
      [record],
    );
    const { rows: backup } = await pool.query<{ doc: object }>(`SELECT to_jsonb(c) AS doc FROM case_management.cases c WHERE id = $1`, [record]);
    const since = new Date(Date.now() - 250 * 86_400_000).toISOString().slice(0, 10);
    const quiet = { out: () => undefined, err: () => undefined };
    expect(await runSweepCommand(['--since', since, '--source', 'case_management'], s, quiet)).toBe(0);
    workers = startWorkers(s);
    const erased = await eventually(
      async () => (await tasksOf(s, requestId)).find((t) => t.record_id === record),
      (t) => t?.status === TaskStatus.SUCCEEDED || t?.status === TaskStatus.FAILED,
      { timeoutMs: 30_000 },
    );
    expect(erased?.status).toBe(TaskStatus.SUCCEEDED);
    for (const w of workers.splice(0)) await w.close();
    // That erasure was long ago; the source is restored from the backup, same record id.
    await pool.query(
      `UPDATE task SET created_at = now() - interval '1 hour', updated_at = now() - interval '1 hour', started_at = now() - interval '1 hour', finished_at = now() - interval '1 hour' WHERE id = $1`,
      [erased!.id],
    );
    await pool.query(`INSERT INTO case_management.cases SELECT * FROM jsonb_populate_record(NULL::case_management.cases, $1)`, [backup[0]!.doc]);

    expect(await runSweepCommand(['--since', since, '--source', 'case_management'], s, quiet)).toBe(0);
    const again = (await tasksOf(s, requestId)).find((t) => t.record_id === record);
    expect([again?.id, again?.status]).toEqual([erased!.id, TaskStatus.QUEUED]);
    await removeQueueKeys(TEST_REDIS_URL, gw.config.QUEUE_PREFIX!);
    // Queued again just now: not quiet yet, whatever the task's first dates say.
    expect(await s.execution.requeueStranded(new Date(Date.now() - 600_000))).not.toContain(requestId);
    expect(await s.execution.requeueStranded(new Date(Date.now() + 1000))).toContain(requestId);
    workers = startWorkers(s);
    const done = await eventually(
      async () => (await tasksOf(s, requestId)).find((t) => t.id === erased!.id),
      (t) => t?.status === TaskStatus.SUCCEEDED || t?.status === TaskStatus.FAILED,
      { timeoutMs: 30_000 },
    );
    expect(done?.status).toBe(TaskStatus.SUCCEEDED);
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = $1`, [record])).rows).toEqual([]);
    for (const w of workers.splice(0)) await w.close();
  }, 120_000);
});
