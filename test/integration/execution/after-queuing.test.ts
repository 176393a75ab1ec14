// What changes between a task being queued and its job running: the request refused or the
// worker's hold on the job lost. No worker runs unless a test starts one (after the change,
// so the job meets the world as it is then), or runs tasks as two workers would
// (real PostgreSQL and Redis).
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType as T, RecordAction, RequestStatus, RequestType, TaskStatus } from '../../../src/domain/vocabulary.js';
import { startWorkers, type Closable } from '../../../jobs/workers.js';
import { TaskRunner } from '../../../src/execution/task-runner.js';
import { RequestFinaliser } from '../../../src/execution/request-finaliser.js';
import { jobIsLive, taskQueueName } from '../../../src/execution/task-jobs.js';
import { insertApprovedRequest, recordInaccuracyFinding, requestStatus, tasksOf, waitForClosed } from '../../support/requests-fixture.js';
import { caseSource, uncontrolledCases } from '../../support/sources-fixture.js';
import { eventually } from '../../support/eventually.js';
import { removeQueueKeys } from '../../support/redis-cleanup.js';
import { TEST_REDIS_URL } from '../../support/queue-settings.js';
import { paramsDigest } from '../../../src/audit/chain.js';
import type { Connector } from '../../../connectors/contract.js';

describe('queued work meets the request as it is when the job runs (redis queue)', () => {
  let gw: TestGateway;
  let pool: pg.Pool;
  let takeCases: (n: number) => string[];
  let workers: Closable[] = [];
  const proxies: { close(): void }[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      queue: 'redis',
      worker: false,
      env: {
        WORKER_STALLED_INTERVAL_MS: '1000',
        SOURCE_RESCAN_MS: '200',
        TASK_BACKOFF_MS: '20',
        TASK_ATTEMPTS: '3',
        // Long enough for the second worker of the lost-hold case on a loaded machine; the first waits it out.
        TASK_TIMEOUT_MS: '10000',
        SCHEDULERS: 'false',
      },
    });
    await seedReferenceSources({ url: gw.databaseUrl, people: 130, seed: 11, systems: ['case_management'] });
    await gw.runtime.services.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
    pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
    takeCases = await uncontrolledCases(pool);
  }, 120_000);
  afterAll(async () => {
    for (const p of proxies) p.close();
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
    for (const w of workers.splice(0)) await w.close();
  }, 60_000);

  /**
   * A case row locked from another connection: an erasure of it waits at the source (its
   * statement blocked on the lock) until `release`, which first runs `before` in that transaction.
   */
  async function holdAtSource(recordId: string): Promise<{ waiting: () => Promise<void>; release: (before?: string) => Promise<void> }> {
    const client = new pg.Client({ connectionString: gw.databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`SELECT 1 FROM case_management.cases WHERE id = $1 FOR UPDATE`, [recordId]);
    const blocked = async () =>
      (await pool.query(`SELECT 1 FROM pg_locks l WHERE NOT l.granted AND l.pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())`)).rows
        .length > 0;
    return {
      waiting: async () => expect(await eventually(blocked, Boolean)).toBe(true),
      release: async (before) => {
        if (before) await client.query(before, [recordId]);
        await client.query('COMMIT');
        await client.end();
      },
    };
  }

  const tombstonesOf = async (requestId: string) =>
    Number((await pool.query(`SELECT count(*) FROM tombstone WHERE request_id = $1`, [requestId])).rows[0].count);
  const auditOf = async (requestId: string) =>
    (await pool.query(`SELECT action FROM audit_log WHERE target_id = $1 AND action LIKE 'tombstone.%' ORDER BY seq`, [requestId])).rows.map((r) => r.action);

  it('R2, R10: an erasure rejected while a task is at the source: the record that task erased keeps its request’s tombstones (a feed cannot recreate it), and the audit says so; a task at the source that erased nothing lets them go when it ends', async () => {
    const s = gw.runtime.services;
    const handler = await bearer(gw, ['HANDLER']);
    const reject = async (id: string) =>
      (
        await gw.graphql<{ rejectRequest: { status: string } }>(
          `mutation($id: ID!) { rejectRequest(requestId: $id, reason: "the identity documents were forged") { status } }`,
          { id },
          handler,
        )
      ).body.data?.rejectRequest.status;
    for (const [email, erasedMeanwhile] of [
      ['in-flight@example.org', false],
      ['in-flight-gone@example.org', true],
    ] as const) {
      const [recordId] = takeCases(1);
      const requestId = await insertApprovedRequest(s, {
        identifiers: [{ type: T.EMAIL, value: email }],
        decisions: [{ sourceId: 'case_management', recordId: recordId!, recordType: 'case', action: RecordAction.ERASE }],
      });
      const source = await holdAtSource(recordId!);
      await s.execution.execute(requestId, 'handler');
      expect(await tombstonesOf(requestId)).toBeGreaterThan(0);
      workers = startWorkers(s);
      await source.waiting();
      expect(await reject(requestId)).toBe('REJECTED');
      // The source finishes the erasure it was given (or finds the record already gone).
      await source.release(erasedMeanwhile ? `DELETE FROM case_management.cases WHERE id = $1` : undefined);
      const [task] = await eventually(
        () => tasksOf(s, requestId),
        (ts) => ts.every((t) => t.status === TaskStatus.FAILED || t.status === TaskStatus.SUCCEEDED),
      );
      expect((await pool.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [recordId])).rows).toHaveLength(0);
      if (!erasedMeanwhile) {
        expect(task).toMatchObject({ status: TaskStatus.SUCCEEDED, outcome: 'APPLIED', applied_count: 1 });
        // Erased by this request: its tombstones stay, so the next feed does not bring the record back.
        expect(await tombstonesOf(requestId)).toBeGreaterThan(0);
        expect(await auditOf(requestId)).toEqual(['tombstone.write', 'tombstone.kept']);
      } else {
        expect(task).toMatchObject({ outcome: 'NOT_FOUND', applied_count: 0 });
        // Nothing erased by it: once its last task ends, its tombstones go.
        expect(
          await eventually(
            () => tombstonesOf(requestId),
            (n) => n === 0,
          ),
        ).toBe(0);
        expect(await auditOf(requestId)).toEqual(['tombstone.write', 'tombstone.kept', 'tombstone.withdraw']);
      }
      for (const w of workers.splice(0)) await w.close();
    }
  }, 90_000);

  /** The request whose hold stopped a task, as the task row keeps it. */
  async function heldBy(taskId: string): Promise<string | null> {
    const [row] = await gw.runtime.services.dataSource.query(`SELECT held_by_request_id FROM task WHERE id = $1`, [taskId]);
    return row.held_by_request_id;
  }

  /** Request 2 about the same person, in review: the privacy office holds one record under it (a RETAIN override, litigation). */
  async function holdUnderSecondRequest(recordId: string): Promise<string> {
    const s = gw.runtime.services;
    const second = await insertApprovedRequest(s, {
      type: RequestType.ACCESS,
      status: RequestStatus.IN_REVIEW,
      identifiers: [{ type: T.EMAIL, value: 'litigant@example.org' }],
      decisions: [{ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.RELEASE }],
    });
    const held = await gw.graphql<{ overrideDecision: { decisions: { recordId: string; action: string }[] } }>(
      `mutation($id: ID!, $input: OverrideDecisionInput!) { overrideDecision(requestId: $id, input: $input) { decisions { recordId action } } }`,
      { id: second, input: { sourceId: 'case_management', recordId, action: 'RETAIN', reason: 'litigation pending' } },
      await bearer(gw, ['HANDLER']),
    );
    expect(held.body.data?.overrideDecision.decisions).toEqual([{ recordId, action: 'RETAIN' }]);
    return second;
  }

  /** Runs the queued tasks; the held record stays, the other goes, the request closes PARTIALLY_COMPLETED naming the hold. */
  async function expectHeldRecordKept(requestId: string, held: string, erased: string, holder: string): Promise<void> {
    const s = gw.runtime.services;
    workers = startWorkers(s);
    expect(await waitForClosed(s, requestId, 30_000)).toBe('PARTIALLY_COMPLETED');
    const tasks = await tasksOf(s, requestId);
    const byRecord = new Map(tasks.map((t) => [t.record_id, t]));
    expect([byRecord.get(held)!.status, byRecord.get(held)!.applied_count]).toEqual([TaskStatus.FAILED, 0]);
    // The text, shown to whoever reads this request, names no other request; the holder is kept apart.
    expect(byRecord.get(held)!.last_error).toMatch(/OPEN_REQUEST: left alone, another open request holds the record/);
    expect(byRecord.get(held)!.last_error).not.toContain(holder);
    expect(await heldBy(byRecord.get(held)!.id)).toBe(holder);
    expect(byRecord.get(erased)!.status).toBe(TaskStatus.SUCCEEDED);
    const left = await pool.query(`SELECT id FROM case_management.cases WHERE id = ANY($1)`, [[held, erased]]);
    expect(left.rows.map((r) => r.id)).toEqual([held]);
    const audited = await s.dataSource.query(`SELECT outcome FROM audit_log WHERE action = 'task.execute' AND target_id = $1`, [byRecord.get(held)!.id]);
    expect(audited.map((a: { outcome: string }) => a.outcome)).toEqual(['FAILED']);
    const closed = await s.stores.requests.find(requestId);
    expect(JSON.stringify(closed!.response)).toContain('another open request holds the record');
    expect(JSON.stringify(closed!.response)).not.toContain(holder);
    // The person is told the record is kept for another matter, never that it will be retried, nor whose matter.
    const { letter } = await answerOf(requestId);
    expect(letter).toContain(`- case ${held}: not erased: we must keep this record for another matter that is still open, so it stays as it is.`);
    expect(letter).toContain('Some actions could not be carried out, for the reasons given above.');
    expect(letter).not.toMatch(/retrying|write again/);
    expect(letter).not.toContain(holder);
    for (const w of workers.splice(0)) await w.close();
  }

  /** An erasure of `recordIds` in case management, approved and executed: its tasks wait in the queue. */
  async function queuedErasure(recordIds: string[]): Promise<string> {
    const s = gw.runtime.services;
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'litigant@example.org' }],
      decisions: recordIds.map((recordId) => ({ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.ERASE })),
    });
    await s.execution.execute(requestId, 'handler');
    return requestId;
  }

  it('R8: a record another open request came to hold (a RETAIN for litigation) while an erasure waited in the queue stays; its task fails with OPEN_REQUEST', async () => {
    const [held, erased] = takeCases(2) as [string, string];
    const requestId = await queuedErasure([held, erased]);
    const holder = await holdUnderSecondRequest(held);
    await expectHeldRecordKept(requestId, held, erased, holder);
  }, 60_000);

  it('R8: an erasure approved (executeRequest) while another open request holds one of its records erases the others and leaves that one', async () => {
    const s = gw.runtime.services;
    const [held, erased] = takeCases(2) as [string, string];
    const holder = await holdUnderSecondRequest(held);
    const requestId = await insertApprovedRequest(s, {
      status: RequestStatus.IN_REVIEW,
      identifiers: [{ type: T.EMAIL, value: 'litigant@example.org' }],
      decisions: [held, erased].map((recordId) => ({ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.ERASE })),
    });
    const approved = await gw.graphql<{ executeRequest: { status: string } }>(
      `mutation($id: ID!) { executeRequest(requestId: $id) { status } }`,
      { id: requestId },
      await bearer(gw, ['HANDLER']),
    );
    expect(approved.body.errors ?? []).toEqual([]);
    expect(approved.body.data?.executeRequest.status).toBe('EXECUTING');
    await expectHeldRecordKept(requestId, held, erased, holder);
  }, 60_000);

  it("R8, R13: the request holding a task's record is named only to a caller whose controllers cover that request; its task's error names no request", async () => {
    const s = gw.runtime.services;
    const [held, erased] = takeCases(2) as [string, string];
    const requestId = await queuedErasure([held, erased]);
    const holder = await holdUnderSecondRequest(held);
    workers = startWorkers(s);
    expect(await waitForClosed(s, requestId, 30_000)).toBe('PARTIALLY_COMPLETED');
    for (const w of workers.splice(0)) await w.close();
    // As read: this request is controller A's, the holding one controller B's.
    await s.dataSource.query(`UPDATE data_subject_request SET controller_ids = ARRAY['controller-a'] WHERE id = $1`, [requestId]);
    await s.dataSource.query(`UPDATE request_record SET controller_id = 'controller-a' WHERE request_id = $1`, [requestId]);
    await s.dataSource.query(`UPDATE data_subject_request SET controller_ids = ARRAY['controller-b'] WHERE id = $1`, [holder]);

    const TASKS = `query($id: ID!) { request(id: $id) { tasks { recordId status lastError heldByRequestId } } }`;
    type Seen = { request: { tasks: { recordId: string; status: string; lastError: string | null; heldByRequestId: string | null }[] } };
    const heldTask = async (headers: Record<string, string>) => {
      const res = await gw.graphql<Seen>(TASKS, { id: requestId }, headers);
      expect(res.body.errors ?? []).toEqual([]);
      return res.body.data!.request.tasks.find((t) => t.recordId === held)!;
    };
    const handlerA = await heldTask(await bearer(gw, ['HANDLER'], ['controller-a']));
    expect(handlerA.status).toBe('FAILED');
    expect(handlerA.lastError).toMatch(/OPEN_REQUEST: left alone, another open request holds the record/);
    expect(handlerA.lastError).not.toContain(holder);
    expect(handlerA.heldByRequestId).toBeNull();
    const handlerAB = await heldTask(await bearer(gw, ['HANDLER'], ['controller-a', 'controller-b']));
    expect(handlerAB.heldByRequestId).toBe(holder);
    expect((await heldTask(await bearer(gw, ['HANDLER']))).heldByRequestId).toBe(holder);
  }, 60_000);

  /** The answer to the person as a handler reads it: totals, the letter, and per source what was corrected, restricted or not held. */
  async function answerOf(requestId: string): Promise<{
    totals: Record<string, number>;
    letter: string;
    sources: { corrected: { recordId: string }[]; restricted: { recordId: string }[]; notHeld: { recordId: string }[] }[];
  }> {
    type Answer = Awaited<ReturnType<typeof answerOf>>;
    const res = await gw.graphql<{ request: { response: Answer } }>(
      `query($id: ID!) { request(id: $id) { response { totals letter sources { corrected { recordId } restricted { recordId } notHeld { recordId } } } } }`,
      { id: requestId },
      await bearer(gw, ['HANDLER']),
    );
    expect(res.body.errors ?? []).toEqual([]);
    return res.body.data!.request.response;
  }

  /** The source lets `gone` go while the request's tasks wait in the queue; workers then run them to the close. The tasks by record. */
  async function runAfterRecordGone(requestId: string, gone: string) {
    const s = gw.runtime.services;
    await pool.query(`DELETE FROM case_management.cases WHERE id = $1`, [gone]);
    workers = startWorkers(s);
    expect(await waitForClosed(s, requestId, 30_000)).toBe('COMPLETED');
    for (const w of workers.splice(0)) await w.close();
    return new Map((await tasksOf(s, requestId)).map((t) => [t.record_id, t]));
  }

  it('R14: a correction of a record the source no longer holds (it answers NOT_FOUND) is never told to the person as a correction: the answer says the record is not held and was not changed', async () => {
    const [gone, corrected] = takeCases(2) as [string, string];
    const requestId = await queuedCorrection('case_management', [gone, corrected], { field: 'employer', value: 'Corrected Employer Ltd' });
    const byRecord = await runAfterRecordGone(requestId, gone);
    expect([byRecord.get(gone)!.status, byRecord.get(gone)!.outcome, byRecord.get(gone)!.applied_count]).toEqual([TaskStatus.SUCCEEDED, 'NOT_FOUND', 0]);
    expect([byRecord.get(corrected)!.outcome, byRecord.get(corrected)!.applied_count]).toEqual(['APPLIED', 1]);
    const response = await answerOf(requestId);
    expect(response.totals).toMatchObject({ CORRECTED: 1, NOT_HELD: 1 });
    expect(response.sources.map((x) => [x.corrected.map((i) => i.recordId), x.notHeld.map((i) => i.recordId)])).toEqual([[[corrected], [gone]]]);
    expect(response.letter).toContain(`- case ${gone}: no longer held by us, so there was nothing in it to correct; it was not changed.`);
    expect(response.letter).toContain(`- case ${corrected}: corrected on `);
    expect(response.letter).not.toContain(`- case ${gone}: corrected`);
  }, 60_000);

  it('R1: a restriction of a record the source no longer holds (it answers NOT_FOUND) is never told to the person as a restriction: the answer says the record is not held and nothing was restricted', async () => {
    const s = gw.runtime.services;
    const [gone, restricted] = takeCases(2) as [string, string];
    const requestId = await insertApprovedRequest(s, {
      type: RequestType.RESTRICTION,
      identifiers: [{ type: T.EMAIL, value: 'contested@example.org' }],
      decisions: [gone, restricted].map((recordId) => ({ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.RESTRICT })),
    });
    await s.execution.execute(requestId, 'handler');
    const byRecord = await runAfterRecordGone(requestId, gone);
    expect([byRecord.get(gone)!.status, byRecord.get(gone)!.outcome, byRecord.get(gone)!.applied_count]).toEqual([TaskStatus.SUCCEEDED, 'NOT_FOUND', 0]);
    expect([byRecord.get(restricted)!.outcome, byRecord.get(restricted)!.applied_count]).toEqual(['APPLIED', 1]);
    const response = await answerOf(requestId);
    expect(response.totals).toMatchObject({ RESTRICTED: 1, NOT_HELD: 1 });
    expect(response.sources.map((x) => [x.restricted.map((i) => i.recordId), x.notHeld.map((i) => i.recordId)])).toEqual([[[restricted], [gone]]]);
    expect(response.letter).toContain(`- case ${gone}: no longer held by us, so there was nothing in it to restrict; it was not changed.`);
    expect(response.letter).toContain(`- case ${restricted}: restricted: kept but no longer used on `);
    expect(response.letter).not.toContain(`- case ${gone}: restricted`);
  }, 60_000);

  it('R14: a correction the source applied whose read-back failed is read back on the retry; the task records the change (APPLIED, counted once) and its audit says so', async () => {
    const s = gw.runtime.services;
    const [recordId] = takeCases(1) as [string];
    const requestId = await queuedCorrection('case_management', [recordId], { field: 'employer', value: 'Read Back Ltd' });
    // The real source, whose first read after a correction fails (the connection drops then).
    let corrected = false;
    let dropped = false;
    const sources = Object.create(s.sources) as typeof s.sources;
    sources.connector = async (id: string) => {
      const real = await s.sources.connector(id);
      return new Proxy(real, {
        get(target, prop) {
          if (prop === 'correct')
            return async (...args: Parameters<Connector['correct']>) => {
              const answer = await target.correct(...args);
              corrected = true;
              return answer;
            };
          if (prop === 'export')
            return async (...args: Parameters<Connector['export']>) => {
              if (corrected && !dropped) {
                dropped = true;
                throw new Error('connection reset while reading back');
              }
              return target.export(...args);
            };
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    };
    const { task, job, afterFirst } = await appliedThenRetrying(requestId, sources);
    expect(afterFirst!.last_error).toMatch(/^UNVERIFIED: the source applied the correction, reading the record back failed/);
    const held = async () =>
      (await pool.query<{ employer: string | null }>(`SELECT employer FROM case_management.cases WHERE id = $1`, [recordId])).rows[0]!.employer;
    expect(await held()).toBe('Read Back Ltd');

    // The retry: the source answers ALREADY_APPLIED, the record is read back and carries the correction.
    expect(await new TaskRunner({ ...s, settings: s.execution.settings }).run(job, { attempt: 2, maxAttempts: 3 })).toEqual({ outcome: 'APPLIED' });
    const [done] = await tasksOf(s, requestId);
    expect([done!.status, done!.outcome, done!.applied_count, done!.last_error]).toEqual([TaskStatus.SUCCEEDED, 'APPLIED', 1, null]);
    const audited = await s.dataSource.query(`SELECT outcome, params_digest FROM audit_log WHERE action = 'task.execute' AND target_id = $1`, [task!.id]);
    const params = {
      requestId,
      sourceId: 'case_management',
      recordId,
      action: RecordAction.CORRECT,
      detail: 'APPLIED: by an earlier attempt whose read-back failed; read back and verified now',
    };
    expect(audited).toEqual([{ outcome: 'SUCCESS', params_digest: paramsDigest(params, s.keyrings.tombstone) }]);
  }, 60_000);

  /** A rectification of `recordIds` in `sourceId`, its inaccuracy established for `field`, executed: its tasks wait in the queue. */
  /**
   * Runs a queued correction's task once through `sources`, whose read-back fails: the source
   * applied it, and the task waits for its retry (RETRYING, APPLIED, counted once).
   */
  async function appliedThenRetrying(requestId: string, sources: ConstructorParameters<typeof TaskRunner>[0]['sources']) {
    const s = gw.runtime.services;
    const [task] = await tasksOf(s, requestId);
    const job = { taskId: task!.id, requestId, sourceId: task!.source_id };
    const first = await new TaskRunner({ ...s, sources, settings: s.execution.settings })
      .run(job, { attempt: 1, maxAttempts: 3 })
      .catch((error: Error) => error);
    expect(first).toBeInstanceOf(Error);
    const [afterFirst] = await tasksOf(s, requestId);
    expect([afterFirst!.status, afterFirst!.outcome, afterFirst!.applied_count]).toEqual([TaskStatus.RETRYING, 'APPLIED', 1]);
    return { task, job, afterFirst };
  }

  async function queuedCorrection(sourceId: string, recordIds: string[], correction: { field: string; value: string }): Promise<string> {
    const s = gw.runtime.services;
    const requestId = await insertApprovedRequest(s, {
      type: RequestType.RECTIFICATION,
      identifiers: [{ type: T.EMAIL, value: 'corrected@example.org' }],
      corrections: [{ ...correction, reason: 'the person showed evidence' }],
      decisions: recordIds.map((recordId) => ({ sourceId, recordId, recordType: 'case', action: RecordAction.CORRECT })),
    });
    await recordInaccuracyFinding(s, requestId, [correction.field]);
    await s.execution.execute(requestId, 'handler');
    return requestId;
  }

  /** The registry, its connectors' `export` replaced by `reading` (given the real one). */
  function readingThrough(reading: (real: Connector['export'], refs: Parameters<Connector['export']>[0]) => ReturnType<Connector['export']>) {
    const s = gw.runtime.services;
    const sources = Object.create(s.sources) as typeof s.sources;
    sources.connector = async (id: string) => {
      const real = await s.sources.connector(id);
      return new Proxy(real, {
        get(target, prop) {
          if (prop === 'export') return (refs: Parameters<Connector['export']>[0]) => reading(target.export.bind(target), refs);
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    };
    return sources;
  }

  it('R14: a correction the source applied whose record is gone when read back (deleted between the write and the read) is not verified: recorded APPLIED, UNVERIFIED, and the answer says the change could not be checked', async () => {
    const s = gw.runtime.services;
    const [recordId] = takeCases(1) as [string];
    const requestId = await queuedCorrection('case_management', [recordId], { field: 'employer', value: 'Vanished Ltd' });
    // The source deletes the record right after it took the correction, before it is read back.
    const sources = readingThrough(async (real, refs) => {
      await pool.query(`DELETE FROM case_management.cases WHERE id = $1`, [recordId]);
      return real(refs);
    });
    const { task, job, afterFirst } = await appliedThenRetrying(requestId, sources);
    expect(afterFirst!.last_error).toMatch(
      /^UNVERIFIED: the source applied the correction, reading the record back failed: the record was not found when read back/,
    );

    // The retry: the source no longer holds the record. The change was made once and never read back.
    expect(await new TaskRunner({ ...s, settings: s.execution.settings }).run(job, { attempt: 2, maxAttempts: 3 })).toEqual({ outcome: 'NOT_FOUND' });
    const [done] = await tasksOf(s, requestId);
    expect([done!.status, done!.outcome, done!.applied_count]).toEqual([TaskStatus.SUCCEEDED, 'NOT_FOUND', 1]);
    expect(done!.last_error).toMatch(/^UNVERIFIED: the source applied the correction in an earlier attempt; the record is no longer held/);
    const audited = await s.dataSource.query(`SELECT outcome, params_digest FROM audit_log WHERE action = 'task.execute' AND target_id = $1`, [task!.id]);
    const params = {
      requestId,
      sourceId: 'case_management',
      recordId,
      action: RecordAction.CORRECT,
      detail: 'APPLIED, not verified: the record is no longer held',
    };
    expect(audited).toEqual([{ outcome: 'SUCCESS', params_digest: paramsDigest(params, s.keyrings.tombstone) }]);

    await new RequestFinaliser({ ...s, settings: s.execution.settings }, s.execution).finalise({ requestId, round: '0', verifications: 0 });
    const response = await answerOf(requestId);
    expect(response.totals).toMatchObject({ CORRECTED: 0, NOT_HELD: 1 });
    expect(response.letter).toContain(`- case ${recordId}: corrected, but no longer held by us when we read it back, so the change could not be checked.`);
    expect(response.letter).not.toContain('it was not changed');
  }, 60_000);

  it('R14: a correction the source applied whose read-back fails on every attempt is told as corrected but not checked, never as still to do; the request closes PARTIALLY_COMPLETED', async () => {
    const s = gw.runtime.services;
    const [recordId] = takeCases(1) as [string];
    const requestId = await queuedCorrection('case_management', [recordId], { field: 'employer', value: 'Never Read Ltd' });
    const sources = readingThrough(() => Promise.reject(new Error('connection reset while reading back')));
    const [task] = await tasksOf(s, requestId);
    const job = { taskId: task!.id, requestId, sourceId: task!.source_id };
    for (const attempt of [1, 2]) {
      const failed = await new TaskRunner({ ...s, sources, settings: s.execution.settings })
        .run(job, { attempt, maxAttempts: 2 })
        .catch((error: Error) => error);
      expect(failed).toBeInstanceOf(Error);
    }
    const [done] = await tasksOf(s, requestId);
    expect([done!.status, done!.outcome, done!.applied_count]).toEqual([TaskStatus.FAILED, 'APPLIED', 1]);
    expect(done!.last_error).toMatch(/^UNVERIFIED: /);

    await new RequestFinaliser({ ...s, settings: s.execution.settings }, s.execution).finalise({ requestId, round: '0', verifications: 0 });
    expect((await requestStatus(s, requestId)).status).toBe(RequestStatus.PARTIALLY_COMPLETED);
    const response = await answerOf(requestId);
    expect(response.totals).toMatchObject({ CORRECTED: 0, NOT_DONE: 1 });
    expect(response.letter).toContain(`- case ${recordId}: corrected, but we could not check the change by reading the record back.`);
    expect(response.letter).not.toContain('could not yet be corrected');
  }, 60_000);

  it("R14: a correction the source applied whose read-back does not answer within the attempt's time limit is recorded as applied and not verified (APPLIED, UNVERIFIED), never lost to the attempt's time-out", async () => {
    const s = gw.runtime.services;
    const [recordId] = takeCases(1) as [string];
    const requestId = await queuedCorrection('case_management', [recordId], { field: 'employer', value: 'Slow Read Ltd' });
    // The source takes the correction, then never answers the read.
    const sources = readingThrough(() => new Promise<never>(() => {}));
    const [task] = await tasksOf(s, requestId);
    const job = { taskId: task!.id, requestId, sourceId: task!.source_id };
    const first = await new TaskRunner({ ...s, sources, settings: { ...s.execution.settings, taskTimeoutMs: 1000 } })
      .run(job, { attempt: 1, maxAttempts: 3 })
      .catch((error: Error) => error);
    expect(first).toBeInstanceOf(Error);
    const [afterFirst] = await tasksOf(s, requestId);
    expect([afterFirst!.status, afterFirst!.outcome, afterFirst!.applied_count]).toEqual([TaskStatus.RETRYING, 'APPLIED', 1]);
    expect(afterFirst!.last_error).toMatch(/^UNVERIFIED: the source applied the correction, reading the record back failed: the read-back did not answer/);
    expect((await pool.query<{ employer: string }>(`SELECT employer FROM case_management.cases WHERE id = $1`, [recordId])).rows[0]!.employer).toBe(
      'Slow Read Ltd',
    );
    // The retry reads it back and verifies it: the change was this task's, counted once.
    expect(await new TaskRunner({ ...s, settings: s.execution.settings }).run(job, { attempt: 2, maxAttempts: 3 })).toEqual({ outcome: 'APPLIED' });
    const [done] = await tasksOf(s, requestId);
    expect([done!.status, done!.outcome, done!.applied_count, done!.last_error]).toEqual([TaskStatus.SUCCEEDED, 'APPLIED', 1, null]);
  }, 60_000);

  it('R8, R14: a correction leaves a record another open request holds (a RETAIN for litigation) as it is: its task fails with OPEN_REQUEST; the other record is corrected', async () => {
    const s = gw.runtime.services;
    const [held, corrected] = takeCases(2) as [string, string];
    const holder = await holdUnderSecondRequest(held);
    const before = (await pool.query<{ employer: string | null }>(`SELECT employer FROM case_management.cases WHERE id = $1`, [held])).rows[0]!.employer;
    const requestId = await queuedCorrection('case_management', [held, corrected], { field: 'employer', value: 'Corrected Employer Ltd' });
    const deps = { ...s, settings: s.execution.settings };
    for (const task of await tasksOf(s, requestId)) {
      await new TaskRunner(deps).run({ taskId: task.id, requestId, sourceId: task.source_id }, { attempt: 1, maxAttempts: 3 }).catch((error: Error) => error);
    }
    const byRecord = new Map((await tasksOf(s, requestId)).map((t) => [t.record_id, t]));
    expect([byRecord.get(held)!.status, byRecord.get(held)!.applied_count]).toEqual([TaskStatus.FAILED, 0]);
    expect(byRecord.get(held)!.last_error).toMatch(/OPEN_REQUEST: left alone, another open request holds the record/);
    expect(byRecord.get(held)!.last_error).not.toContain(holder);
    expect([byRecord.get(corrected)!.status, byRecord.get(corrected)!.outcome]).toEqual([TaskStatus.SUCCEEDED, 'APPLIED']);
    const rows = (
      await pool.query<{ id: string; employer: string | null }>(`SELECT id, employer FROM case_management.cases WHERE id = ANY($1)`, [[held, corrected]])
    ).rows;
    expect(new Map(rows.map((r) => [r.id, r.employer]))).toEqual(
      new Map([
        [held, before],
        [corrected, 'Corrected Employer Ltd'],
      ]),
    );
  }, 60_000);

  it("R8, R14: a rectification still open that found nothing to correct in a record (its RETAIN, no hold) does not stop another request's erasure of it", async () => {
    const s = gw.runtime.services;
    const [checked, other] = takeCases(2) as [string, string];
    await insertApprovedRequest(s, {
      type: RequestType.RECTIFICATION,
      status: RequestStatus.IN_REVIEW,
      identifiers: [{ type: T.EMAIL, value: 'accurate@example.org' }],
      corrections: [{ field: 'employer', value: 'Another Employer Ltd', reason: 'moved job' }],
      decisions: [
        {
          sourceId: 'case_management',
          recordId: checked,
          recordType: 'case',
          action: RecordAction.RETAIN,
          basis: 'the data was found accurate',
          rules: ['R14'],
        },
      ],
    });
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'accurate@example.org' }],
      decisions: [checked, other].map((recordId) => ({ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.ERASE })),
    });
    await s.execution.execute(requestId, 'handler');
    const deps = { ...s, settings: s.execution.settings };
    for (const task of await tasksOf(s, requestId)) {
      await new TaskRunner(deps).run({ taskId: task.id, requestId, sourceId: task.source_id }, { attempt: 1, maxAttempts: 3 }).catch((error: Error) => error);
    }
    expect((await tasksOf(s, requestId)).map((t) => [t.status, t.outcome, t.last_error])).toEqual([
      [TaskStatus.SUCCEEDED, 'APPLIED', null],
      [TaskStatus.SUCCEEDED, 'APPLIED', null],
    ]);
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = ANY($1)`, [[checked, other]])).rows).toEqual([]);
  }, 60_000);

  it("a task whose first worker lost its hold on the job (stalled, delivered again) and finished after the second: the second worker's success stands, audited once", async () => {
    const s = gw.runtime.services;
    // The source behind a proxy that can leave one new connection hanging: the first worker's call.
    const proxy = await hangingProxy(new URL(gw.databaseUrl));
    proxies.push(proxy);
    await s.sources.register(caseSource('slow_cases', gw.databaseUrl), 'test');
    const [recordId] = takeCases(1);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'stalled@example.org' }],
      decisions: [{ sourceId: 'slow_cases', recordId: recordId!, recordType: 'case', action: RecordAction.ERASE }],
    });
    await s.execution.execute(requestId, 'handler');
    const [task] = await tasksOf(s, requestId);
    const job = { taskId: task!.id, requestId, sourceId: 'slow_cases' };
    const deps = { ...s, settings: s.execution.settings };
    await s.sources.register(caseSource('slow_cases', proxy.url), 'test');
    proxy.holdNext();

    // The first worker starts the task; its call hangs until its time limit.
    const first = new TaskRunner(deps).run(job, { attempt: 1, maxAttempts: 3 }).catch((error: Error) => error);
    await eventually(
      () => tasksOf(s, requestId),
      ([t]) => t!.status === TaskStatus.RUNNING,
    );
    // Its lock lost, the job goes to a second worker, which reaches the source and succeeds.
    await expect(new TaskRunner(deps).run(job, { attempt: 1, maxAttempts: 3 })).resolves.toEqual({ outcome: 'APPLIED' });
    // The first worker's time-out comes in last: it records nothing, and its job asks for no retry.
    expect(await first).toEqual({ skipped: 'a later attempt of the task took over' });

    const [after] = await tasksOf(s, requestId);
    expect([after!.status, after!.outcome, after!.applied_count, after!.last_error]).toEqual([TaskStatus.SUCCEEDED, 'APPLIED', 1, null]);
    const audited = await s.dataSource.query(`SELECT action FROM audit_log WHERE target_type = 'task' AND target_id = $1`, [task!.id]);
    expect(audited).toHaveLength(1);
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = $1`, [recordId])).rows).toEqual([]);
    proxy.close();
    await s.sources.disable('slow_cases');
  }, 60_000);

  it('a source disabled after its tasks ran and before they were verified: the request closes PARTIALLY_COMPLETED naming it, instead of failing its verification on every try', async () => {
    const s = gw.runtime.services;
    await s.sources.register(caseSource('retired_cases', gw.databaseUrl), 'test');
    const [retired, kept] = takeCases(2);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'retired@example.org' }],
      decisions: [
        { sourceId: 'retired_cases', recordId: retired!, recordType: 'case', action: RecordAction.ERASE },
        { sourceId: 'case_management', recordId: kept!, recordType: 'case', action: RecordAction.ERASE },
      ],
    });
    await s.execution.execute(requestId, 'handler');
    const deps = { ...s, settings: s.execution.settings };
    for (const task of await tasksOf(s, requestId)) {
      await expect(new TaskRunner(deps).run({ taskId: task.id, requestId, sourceId: task.source_id }, { attempt: 1, maxAttempts: 3 })).resolves.toEqual({
        outcome: 'APPLIED',
      });
    }
    await s.sources.disable('retired_cases');

    const outcome = await new RequestFinaliser(deps, s.execution).finalise({ requestId, round: '0', verifications: 0 });
    expect(outcome.status).toBe(RequestStatus.PARTIALLY_COMPLETED);
    expect(outcome.reasons).toEqual(['verification incomplete: source retired_cases is no longer active']);
    const { status, response } = await requestStatus(s, requestId);
    expect(status).toBe(RequestStatus.PARTIALLY_COMPLETED);
    expect(JSON.stringify(response)).toContain('NOT_VERIFIED');
    // The active source was searched again and its removal verified; the retired one's is not
    // (retryFailedTasks looks again once the source is back).
    const { rows } = await pool.query<{ source_id: string; status: string; verified: boolean }>(
      `SELECT source_id, status, verified_at IS NOT NULL AS verified FROM task WHERE request_id = $1 ORDER BY source_id`,
      [requestId],
    );
    expect(rows).toEqual([
      { source_id: 'case_management', status: TaskStatus.SUCCEEDED, verified: true },
      { source_id: 'retired_cases', status: TaskStatus.SUCCEEDED, verified: false },
    ]);
  });

  it("Redis loses the queued jobs (flushed, or restarted without its data): the request's tasks are queued again from PostgreSQL, audited, and the request completes", async () => {
    const s = gw.runtime.services;
    const records = takeCases(2);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'flushed@example.org' }],
      decisions: records.map((recordId) => ({ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.ERASE })),
    });
    await s.execution.execute(requestId, 'handler');
    await removeQueueKeys(TEST_REDIS_URL, gw.config.QUEUE_PREFIX!);
    workers = startWorkers(s);

    // The scan looks at requests with no change for the grace period: here, none at all.
    const requeued = await s.execution.requeueStranded(new Date(Date.now() + 1000));
    expect(requeued).toContain(requestId);
    expect(await waitForClosed(s, requestId, 30_000)).toBe('COMPLETED');
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = ANY($1)`, [records])).rows).toEqual([]);
    const [audit] = await s.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'request.requeue-stranded' AND target_id = $1`, [
      requestId,
    ]);
    expect(audit.n).toBe(1);
    for (const w of workers.splice(0)) await w.close();
    // Work still on the queues is left alone, however long it waits.
    const waiting = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'waiting@example.org' }],
      decisions: takeCases(1).map((recordId) => ({ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.ERASE })),
    });
    await s.execution.execute(waiting, 'handler');
    expect(await s.execution.requeueStranded(new Date(Date.now() + 1000))).not.toContain(waiting);
  }, 60_000);

  it('R2: the task of a rejected request lost from Redis is failed by the stranded-work scan with REQUEST_REJECTED, audited once, never queued again', async () => {
    const s = gw.runtime.services;
    for (const w of workers.splice(0)) await w.close();
    const [recordId] = takeCases(1) as [string];
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'rejected-lost@example.org' }],
      decisions: [{ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.ERASE }],
    });
    await s.execution.execute(requestId, 'handler');
    const rejected = await gw.graphql<{ rejectRequest: { status: string } }>(
      `mutation($id: ID!) { rejectRequest(requestId: $id, reason: "the identity documents were forged") { status } }`,
      { id: requestId },
      await bearer(gw, ['HANDLER']),
    );
    expect(rejected.body.data?.rejectRequest.status).toBe('REJECTED');
    await removeQueueKeys(TEST_REDIS_URL, gw.config.QUEUE_PREFIX!);

    expect(await s.execution.requeueStranded(new Date(Date.now() + 1000))).not.toContain(requestId);
    const [task] = await tasksOf(s, requestId);
    expect([task!.status, task!.applied_count]).toEqual([TaskStatus.FAILED, 0]);
    expect(task!.last_error).toMatch(/^REQUEST_REJECTED: the request is REJECTED/);
    // Not queued again: the task keeps its job id, and no job of it is on the source's queue.
    expect(task!.job_id).not.toContain('-requeue-');
    expect(await jobIsLive(s.execution.queue(taskQueueName('case_management')), s.execution.jobIdOf(task!))).toBe(false);
    const audits = await s.dataSource.query(
      `SELECT action, count(*)::int AS n FROM audit_log WHERE target_id = ANY($1) AND action = ANY($2) GROUP BY action ORDER BY action`,
      [
        [requestId, task!.id],
        ['request.fail-stranded', 'request.requeue-stranded', 'task.execute'],
      ],
    );
    expect(audits).toEqual([{ action: 'request.fail-stranded', n: 1 }]);
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = $1`, [recordId])).rows).toHaveLength(1);
    // Nothing is left to find on the next scan.
    expect(await s.execution.requeueStranded(new Date(Date.now() + 1000))).not.toContain(requestId);
  }, 60_000);
});

/** A TCP proxy to PostgreSQL that leaves the next new connection hanging once armed (a network that stops answering). */
async function hangingProxy(target: URL): Promise<{ url: string; holdNext(): void; close(): void }> {
  let hold = false;
  const sockets: net.Socket[] = [];
  const server = net.createServer((client) => {
    sockets.push(client);
    if (hold) {
      hold = false;
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.push(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    holdNext: () => (hold = true),
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
