import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import type { RunningProcess } from '../support/processes.js';
import { compiledWorker, crashTestEnv, registerBuiltin, started } from '../support/crash-worker.js';
import { seedReferenceSources } from '../../src/population/seed.js';
import { armOutcomeTrap, releaseAndRemoveTrap, waitUntilHeld } from '../support/outcome-trap.js';
import { eventually } from '../support/eventually.js';

// CRASH (R9): a retention run over 180 expired cases, its worker SIGKILLed at the moment
// that tells exactly-once from at-least-once (a batch committed in the source, not yet
// recorded by the gateway: test/support/outcome-trap.ts). A new worker finishes the run;
// every record is destroyed once in effect, and the run closes COMPLETED after verification.
describe('CRASH: SIGKILL of a worker mid retention run (redis queue, compiled worker)', () => {
  let gw: TestGateway;
  const workers: RunningProcess[] = [];
  const env = crashTestEnv('dsrretcrash');
  const startedWorker = async () => {
    const w = compiledWorker(gw, env);
    workers.push(w);
    return started(w);
  };

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', worker: false, env });
    await seedReferenceSources({ url: gw.databaseUrl, people: 1000, seed: 13, systems: ['case_management'] });
    await registerBuiltin(gw, 'case_management');
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await gw?.stop();
  });

  it('R9: a new worker finishes the run; each of 180 expired cases is destroyed once in effect; the run closes COMPLETED after verification', async () => {
    const s = gw.runtime.services;
    const db = s.dataSource;
    await db.query(`UPDATE case_management.cases SET created_at = now() - interval '10 days', last_activity_at = now() - interval '10 days'`);
    await db.query(`UPDATE case_management.case_parties SET created_at = now() - interval '10 days', last_activity_at = now() - interval '10 days'`);
    const cases: { id: string }[] = await db.query(`SELECT id FROM case_management.cases ORDER BY id LIMIT 180`);
    const ids = cases.map((c) => c.id);
    await db.query(
      `UPDATE case_management.cases SET created_at = now() - interval '4 years', last_activity_at = now() - interval '4 years' WHERE id = ANY($1)`,
      [ids],
    );

    const preview = await s.retention.prepare({ actor: 'handler' });
    expect(preview.summary[0]!.toDestroy).toEqual([{ recordType: 'case', action: 'ERASE', count: 180 }]);
    await armOutcomeTrap(db, preview.id, 40);
    const first = await startedWorker();
    await s.retention.approve(preview.id, 'handler');
    await waitUntilHeld(db, 60_000);
    await first.stop('SIGKILL');
    await releaseAndRemoveTrap(db);

    const runTasks = () => s.stores.tasks.rowsOfRun(preview.id);
    const unrecorded = (await runTasks()).filter((t) => t.status !== 'SUCCEEDED');
    expect(unrecorded.length).toBeGreaterThan(0);
    const kept: { id: string }[] = await db.query(`SELECT id FROM case_management.cases WHERE id = ANY($1)`, [unrecorded.map((t) => t.record_id)]);
    // Cut off after the source committed: gone from the store, not recorded as done.
    const cutOff = unrecorded.filter((t) => !kept.some((k) => k.id === t.record_id)).map((t) => t.id);
    expect(cutOff.length).toBeGreaterThan(0);

    await startedWorker();
    const run = await eventually(
      () => s.retention.find(preview.id),
      (r) => r.status !== 'EXECUTING',
      { timeoutMs: 90_000 },
    );
    expect(run.status).toBe('COMPLETED');
    expect(run.outcome).toMatchObject({ destroyed: 180, failed: 0, reasons: [] });

    const tasks = await runTasks();
    expect(tasks).toHaveLength(180);
    expect(tasks.filter((t) => t.status !== 'SUCCEEDED')).toEqual([]);
    // Exactly once: APPLIED by one run, or found already done by the re-run of a task the kill cut off.
    expect(tasks.filter((t) => t.applied_count > 1)).toEqual([]);
    const rerun = (t: (typeof tasks)[number]) => t.applied_count === 0 && t.outcome === 'NOT_FOUND' && t.attempts > 1;
    expect(tasks.filter((t) => t.applied_count !== 1 && !rerun(t))).toEqual([]);
    expect(tasks.filter((t) => cutOff.includes(t.id) && !rerun(t))).toEqual([]);
    expect((await db.query(`SELECT count(*)::int AS n FROM case_management.cases WHERE id = ANY($1)`, [ids]))[0].n).toBe(0);
  }, 180_000);
});
