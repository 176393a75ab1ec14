import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { TEST_REDIS_URL } from '../support/queue-settings.js';
import { compiledEntry, runNode, type RunningProcess } from '../support/processes.js';
import { seedReferenceSources } from '../../src/population/seed.js';
import { RecordAction, RequestType, SourceKind } from '../../src/domain/vocabulary.js';
import { normaliseQueryIdentifiers } from '../../src/identity/index.js';
import { insertApprovedRequest, tasksOf, waitForClosed } from '../support/requests-fixture.js';

// CRASH: a worker process killed with SIGKILL in the middle of a fan-out over hundreds
// of records; a new worker finishes it; every record acted on exactly once in effect,
// counted in the source store itself: the erased rows, and the clinic's annotation rows
// (an annotation is not naturally idempotent: a second run would add a second row).
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
    await seedReferenceSources({ url: gw.databaseUrl, people: 700, seed: 11, systems: ['case_management', 'clinic'] });
    await gw.runtime.services.sources.register(
      { id: 'case_management', name: 'Case management', kind: SourceKind.CASE_MANAGEMENT, type: 'builtin', connection: { system: 'case_management', schema: 'case_management', url: gw.databaseUrl } },
      'test',
    );
    await gw.runtime.services.sources.register(
      { id: 'clinic', name: 'Clinic', kind: SourceKind.CLINIC, type: 'builtin', connection: { system: 'clinic', schema: 'clinic', url: gw.databaseUrl } },
      'test',
    );
  }, 120_000);

  /** Starts a worker, executes the request, SIGKILLs the worker mid fan-out, finishes with a new one. */
  async function crashMidFanOut(requestId: string): Promise<void> {
    const s = gw.runtime.services;
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
    await second.stop('SIGKILL');
  }
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await gw?.stop();
  });

  it('ERASURE of a real person among 300 cases: a new worker finishes the fan-out; each record is erased once in effect; verification finds nothing of them', async () => {
    const s = gw.runtime.services;
    const cases: { id: string }[] = await s.dataSource.query(`SELECT id FROM case_management.cases ORDER BY id LIMIT 300`);
    expect(cases.length).toBeGreaterThanOrEqual(200);
    // The request is a real person's (the subject of the first case), so the verification's
    // re-discovery searches for someone the store did hold, and every case of theirs is in the plan.
    const connector = await s.sources.connector('case_management');
    const [firstCase] = await connector.export([{ sourceId: 'case_management', recordId: cases[0]!.id }]);
    const identifiers = firstCase!.identifiers;
    const theirs = (await s.discovery.discover({ identifiers: normaliseQueryIdentifiers(identifiers) })).records.filter((r) => r.sourceId === 'case_management' && r.band === 'MATCH');
    expect(theirs.map((r) => r.recordId)).toContain(cases[0]!.id);
    const planned = [...new Map([...cases.map((c) => [c.id, 'case'] as const), ...theirs.map((r) => [r.recordId, r.recordType] as const)])];
    const requestId = await insertApprovedRequest(s, {
      identifiers,
      decisions: planned.map(([recordId, recordType]) => ({ sourceId: 'case_management', recordId, recordType, action: RecordAction.ERASE })),
    });
    await crashMidFanOut(requestId);

    const tasks = await tasksOf(s, requestId);
    expect(tasks).toHaveLength(planned.length);
    expect(tasks.filter((t) => t.status !== 'SUCCEEDED')).toEqual([]);
    // Exactly once in effect: no record changed twice, and every record was changed by
    // exactly one run (APPLIED), or by a run the kill cut off after the source committed
    // (its re-run then finds the record gone: NOT_FOUND after more than one attempt).
    expect(tasks.every((t) => t.applied_count <= 1)).toBe(true);
    const appliedOnce = tasks.filter((t) => t.applied_count === 1).length;
    const cutOff = tasks.filter((t) => t.applied_count === 0 && t.outcome === 'NOT_FOUND' && t.attempts > 1).length;
    expect(appliedOnce + cutOff).toBe(planned.length);
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
    await s.dataSource.query(`UPDATE data_subject_request SET inaccuracy_finding = $2 WHERE id = $1`, [requestId, JSON.stringify({ inaccurate: true, accepted: ['phone'] })]);
    const before: { n: number }[] = await s.dataSource.query(`SELECT count(*)::int AS n FROM clinic.annotations WHERE record_id = ANY($1)`, [ids]);
    expect(before[0]!.n).toBe(0);

    await crashMidFanOut(requestId);

    const tasks = await tasksOf(s, requestId);
    expect(tasks).toHaveLength(ids.length);
    expect(tasks.filter((t) => t.status !== 'SUCCEEDED')).toEqual([]);
    // Counted in the store, not by the gateway: one annotation per record, none missing, none doubled.
    const rows: { record_id: string; n: number }[] = await s.dataSource.query(
      `SELECT record_id, count(*)::int AS n FROM clinic.annotations WHERE record_id = ANY($1) GROUP BY record_id`,
      [ids],
    );
    expect(rows.length).toBe(ids.length);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    // The medical record itself is unchanged (R14): annotated, not overwritten.
    const overwritten: { n: number }[] = await s.dataSource.query(`SELECT count(*)::int AS n FROM clinic.patients WHERE id = ANY($1) AND phone = '+44 20 7946 0999'`, [ids]);
    expect(overwritten[0]!.n).toBe(0);
  }, 180_000);
});
