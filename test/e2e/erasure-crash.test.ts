import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import type { RunningProcess } from '../support/processes.js';
import { compiledWorker, crashTestEnv, registerBuiltin, started } from '../support/crash-worker.js';
import { seedReferenceSources } from '../../src/population/seed.js';
import { RecordAction, RequestType } from '../../src/domain/vocabulary.js';
import { normaliseQueryIdentifiers } from '../../src/identity/index.js';
import { insertApprovedRequest, tasksOf, waitForClosed } from '../support/requests-fixture.js';
import { armOutcomeTrap, releaseAndRemoveTrap, waitUntilHeld } from '../support/outcome-trap.js';

// CRASH: a worker process killed with SIGKILL in the middle of a fan-out over hundreds
// of records, at the one moment that tells exactly-once from at-least-once: a batch's
// effects committed in the source, not yet recorded by the gateway (a test-only trap
// holds that statement; see test/support/outcome-trap.ts). A new worker finishes it;
// every record is acted on exactly once in effect, counted in the source store itself:
// the erased rows, the clinic's annotation rows and the case store's anonymisations
// (an annotation or an anonymisation run twice would leave a second row or write).
describe('CRASH: SIGKILL of a worker mid fan-out (redis queue, compiled worker)', () => {
  let gw: TestGateway;
  const workers: RunningProcess[] = [];
  const env = crashTestEnv('dsrcrash');
  /** The worker currently up: each crash kills it and leaves its successor running. */
  let running: RunningProcess | undefined;
  const startedWorker = async () => {
    const w = compiledWorker(gw, env);
    workers.push(w);
    return started(w);
  };

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', worker: false, env });
    await seedReferenceSources({ url: gw.databaseUrl, people: 1000, seed: 11, systems: ['case_management', 'clinic'] });
    await registerBuiltin(gw, 'case_management');
    await registerBuiltin(gw, 'clinic');
  }, 120_000);

  /**
   * Starts a worker, executes the request and crashes the worker at one exact point: the
   * trap holds the statement recording the request's 40th success, so that statement's
   * batch is committed in the source and not recorded; the worker is SIGKILLed there and
   * the held statement rolled back. A new worker finishes. Returns the tasks the kill cut
   * off after the source committed (still not SUCCEEDED at the kill, effect already in the
   * source, as `committedAtSource` reads the store).
   */
  async function crashAfterSourceCommit(requestId: string, committedAtSource: (recordIds: string[]) => Promise<Set<string>>): Promise<string[]> {
    const s = gw.runtime.services;
    await armOutcomeTrap(s.dataSource, requestId, 40);
    const first = running ?? (await startedWorker());
    await s.execution.execute(requestId, 'handler');
    await waitUntilHeld(s.dataSource, 60_000);
    await first.stop('SIGKILL');
    running = undefined;
    await releaseAndRemoveTrap(s.dataSource);

    const unrecorded = (await tasksOf(s, requestId)).filter((t) => t.status !== 'SUCCEEDED');
    expect(unrecorded.length).toBeGreaterThan(0);
    const committed = await committedAtSource(unrecorded.map((t) => t.record_id));
    const cutOff = unrecorded.filter((t) => committed.has(t.record_id)).map((t) => t.id);
    // The kill landed after the source committed: at least the held batch is such a task.
    expect(cutOff.length).toBeGreaterThan(0);

    // The new worker finishes this request and is the one the next test crashes.
    running = await startedWorker();
    expect(await waitForClosed(s, requestId, 90_000)).toBe('COMPLETED');
    return cutOff;
  }

  /**
   * Exactly once in the gateway's record: every task succeeded; each record was changed by
   * exactly one run (APPLIED once), or by a run the kill cut off after the source committed,
   * whose re-run then found the change made (`rerunAnswer`, nothing applied, attempts > 1).
   */
  function expectExactlyOnce(tasks: Awaited<ReturnType<typeof tasksOf>>, cutOff: string[], rerunAnswer: string): void {
    expect(tasks.filter((t) => t.status !== 'SUCCEEDED')).toEqual([]);
    expect(tasks.filter((t) => t.applied_count > 1)).toEqual([]);
    const rerun = (t: (typeof tasks)[number]) => t.applied_count === 0 && t.outcome === rerunAnswer && t.attempts > 1;
    expect(tasks.filter((t) => t.applied_count !== 1 && !rerun(t))).toEqual([]);
    const held = tasks.filter((t) => cutOff.includes(t.id));
    expect(held).toHaveLength(cutOff.length);
    expect(held.filter((t) => !rerun(t))).toEqual([]);
  }

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await gw?.stop();
  });

  it('ERASURE of a real person among 180 cases: a new worker finishes the fan-out; each record is erased once in effect; verification finds nothing of them', async () => {
    const s = gw.runtime.services;
    const cases: { id: string }[] = await s.dataSource.query(`SELECT id FROM case_management.cases ORDER BY id LIMIT 180`);
    expect(cases.length).toBe(180);
    // The request is a real person's (the subject of the first case), so the verification's
    // re-discovery searches for someone the store did hold, and every case of theirs is in the plan.
    const connector = await s.sources.connector('case_management');
    const [firstCase] = await connector.export([{ sourceId: 'case_management', recordId: cases[0]!.id }]);
    const identifiers = firstCase!.identifiers;
    const theirs = (await s.discovery.discover({ identifiers: normaliseQueryIdentifiers(identifiers) })).records.filter(
      (r) => r.sourceId === 'case_management' && r.band === 'MATCH',
    );
    expect(theirs.map((r) => r.recordId)).toContain(cases[0]!.id);
    const planned = [...new Map([...cases.map((c) => [c.id, 'case'] as const), ...theirs.map((r) => [r.recordId, r.recordType] as const)])];
    const requestId = await insertApprovedRequest(s, {
      identifiers,
      decisions: planned.map(([recordId, recordType]) => ({ sourceId: 'case_management', recordId, recordType, action: RecordAction.ERASE })),
    });
    // Erased at source: the record is gone from the store.
    const gone = async (recordIds: string[]) => {
      const kept: { id: string }[] = await s.dataSource.query(
        `SELECT id FROM case_management.cases WHERE id = ANY($1) UNION SELECT id FROM case_management.case_parties WHERE id = ANY($1)`,
        [recordIds],
      );
      return new Set(recordIds.filter((id) => !kept.some((k) => k.id === id)));
    };
    const cutOff = await crashAfterSourceCommit(requestId, gone);

    const tasks = await tasksOf(s, requestId);
    expect(tasks).toHaveLength(planned.length);
    expectExactlyOnce(tasks, cutOff, 'NOT_FOUND');
    const left = await s.dataSource.query(`SELECT count(*)::int AS n FROM case_management.cases WHERE id = ANY($1)`, [cases.map((c) => c.id)]);
    expect(left[0].n).toBe(0);
    // The request closed COMPLETED only after verification; searching again for the person finds nothing in the store.
    const again = await s.discovery.discover({ identifiers: normaliseQueryIdentifiers(identifiers) });
    expect(again.records.filter((r) => r.sourceId === 'case_management' && planned.some(([id]) => id === r.recordId))).toEqual([]);
  }, 180_000);

  it('RECTIFICATION annotating 250 clinic records: after the SIGKILL, each record carries exactly one annotation row in the clinic store', async () => {
    const s = gw.runtime.services;
    const patients: { id: string }[] = await s.dataSource.query(`SELECT id FROM clinic.patients ORDER BY id LIMIT 250`);
    expect(patients.length).toBeGreaterThanOrEqual(200);
    const ids = patients.map((p) => p.id);
    const [first] = await (await s.sources.connector('clinic')).export([{ sourceId: 'clinic', recordId: ids[0]! }]);
    const requestId = await insertApprovedRequest(s, {
      type: RequestType.RECTIFICATION,
      identifiers: first!.identifiers,
      corrections: [{ field: 'phone', value: '+44 20 7946 0999', reason: 'number changed in 2025' }],
      decisions: ids.map((recordId) => ({ sourceId: 'clinic', recordId, recordType: 'patient', action: RecordAction.ANNOTATE })),
    });
    await s.dataSource.query(`UPDATE data_subject_request SET inaccuracy_finding = $2 WHERE id = $1`, [
      requestId,
      JSON.stringify({ inaccurate: true, accepted: ['phone'] }),
    ]);
    const before: { n: number }[] = await s.dataSource.query(`SELECT count(*)::int AS n FROM clinic.annotations WHERE record_id = ANY($1)`, [ids]);
    expect(before[0]!.n).toBe(0);

    const annotated = async (recordIds: string[]) => {
      const rows: { record_id: string }[] = await s.dataSource.query(`SELECT DISTINCT record_id FROM clinic.annotations WHERE record_id = ANY($1)`, [
        recordIds,
      ]);
      return new Set(rows.map((r) => r.record_id));
    };
    const cutOff = await crashAfterSourceCommit(requestId, annotated);

    const tasks = await tasksOf(s, requestId);
    expect(tasks).toHaveLength(ids.length);
    expectExactlyOnce(tasks, cutOff, 'ALREADY_APPLIED');
    // Counted in the store, not by the gateway: one annotation per record, none missing, none doubled.
    const rows: { record_id: string; n: number }[] = await s.dataSource.query(
      `SELECT record_id, count(*)::int AS n FROM clinic.annotations WHERE record_id = ANY($1) GROUP BY record_id`,
      [ids],
    );
    expect(rows.length).toBe(ids.length);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    // The medical record itself is unchanged (R14): annotated, not overwritten.
    const overwritten: { n: number }[] = await s.dataSource.query(
      `SELECT count(*)::int AS n FROM clinic.patients WHERE id = ANY($1) AND phone = '+44 20 7946 0999'`,
      [ids],
    );
    expect(overwritten[0]!.n).toBe(0);
  }, 180_000);
  it('ANONYMISATION of 200 cases: after the SIGKILL, each case was anonymised by exactly one write in the case store', async () => {
    const s = gw.runtime.services;
    // Counted in the store: a test-only trigger notes every write that anonymises a case.
    await s.dataSource.query(`CREATE SCHEMA IF NOT EXISTS crash_test`);
    await s.dataSource.query(`CREATE TABLE crash_test.anonymisations (case_id text NOT NULL)`);
    await s.dataSource.query(`
      CREATE FUNCTION crash_test.note_anonymisation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO crash_test.anonymisations (case_id) VALUES (NEW.id); RETURN NEW; END $$`);
    await s.dataSource.query(
      `CREATE TRIGGER crash_test_note_anonymisation AFTER UPDATE OF anonymised_at ON case_management.cases
         FOR EACH ROW WHEN (NEW.anonymised_at IS NOT NULL) EXECUTE FUNCTION crash_test.note_anonymisation()`,
    );
    const cases: { id: string }[] = await s.dataSource.query(`SELECT id FROM case_management.cases WHERE anonymised_at IS NULL ORDER BY id DESC LIMIT 200`);
    expect(cases.length).toBe(200);
    const ids = cases.map((c) => c.id);
    // A real person's request (the subject of the first case): verification searches for them.
    const [firstCase] = await (await s.sources.connector('case_management')).export([{ sourceId: 'case_management', recordId: ids[0]! }]);
    const requestId = await insertApprovedRequest(s, {
      identifiers: firstCase!.identifiers,
      decisions: ids.map((recordId) => ({ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.ANONYMISE })),
    });
    const anonymised = async (recordIds: string[]) => {
      const rows: { id: string }[] = await s.dataSource.query(`SELECT id FROM case_management.cases WHERE id = ANY($1) AND anonymised_at IS NOT NULL`, [
        recordIds,
      ]);
      return new Set(rows.map((r) => r.id));
    };
    const cutOff = await crashAfterSourceCommit(requestId, anonymised);

    const tasks = await tasksOf(s, requestId);
    expect(tasks).toHaveLength(ids.length);
    expectExactlyOnce(tasks, cutOff, 'ALREADY_APPLIED');
    const writes: { case_id: string; n: number }[] = await s.dataSource.query(
      `SELECT case_id, count(*)::int AS n FROM crash_test.anonymisations WHERE case_id = ANY($1) GROUP BY case_id`,
      [ids],
    );
    expect(writes.length).toBe(ids.length);
    expect(writes.filter((w) => w.n !== 1)).toEqual([]);
    // Anonymised, not deleted: the cases keep their shape without the person.
    const left: { n: number; named: number }[] = await s.dataSource.query(
      `SELECT count(*)::int AS n, count(family_name)::int AS named FROM case_management.cases WHERE id = ANY($1)`,
      [ids],
    );
    expect(left[0]).toEqual({ n: ids.length, named: 0 });
  }, 180_000);
});
