import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { SourceKind } from '../../../src/domain/vocabulary.js';
import { AuditAction } from '../../../src/audit/index.js';
import { QueueNames } from '../../../jobs/queue-names.js';
import { ScheduleNames, schedulesProcessor } from '../../../jobs/schedules/schedules.js';
import { eventually } from '../../support/eventually.js';

// R9: the daily schedule prepares a preview for approval each day. A preview never approved
// is closed SUPERSEDED by the next preview of the same sources, pointing to it, so the
// privacy office has one preview to approve, and approving the stale one is refused before
// anything is queued. A run already approved is never touched.
const RUN = `id status automatic supersededBy sources { sourceId toDestroy { recordType action count } } tasks { id }`;

interface RunView {
  id: string;
  status: string;
  automatic: boolean;
  supersededBy: string | null;
  sources: { sourceId: string; toDestroy: { recordType: string; action: string; count: number }[] }[];
  tasks: { id: string }[];
}

describe('R9: previews the schedule prepares are superseded, not piled up (redis queue, real PostgreSQL)', () => {
  let gw: TestGateway;
  let footageDir: string;
  let handler: Record<string, string>;
  let learners: string[];

  const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => gw.runtime.services.dataSource.query(text, params) as Promise<R[]>;
  const schedulePass = async () =>
    (await schedulesProcessor(gw.runtime.services)({ name: ScheduleNames.retentionRun } as Job)) as { automatic: string | null; preview: string | null };
  const run = async (id: string) => {
    const reply = await gw.graphql<{ retentionRun: RunView }>(`query($id: ID!) { retentionRun(id: $id) { ${RUN} } }`, { id }, handler);
    expect(reply.body.errors).toBeUndefined();
    return reply.body.data!.retentionRun;
  };
  const statusOf = async (ids: string[]) =>
    Object.fromEntries(
      (await sql<{ id: string; status: string }>(`SELECT id, status FROM retention_run WHERE id = ANY($1)`, [ids])).map((r) => [r.id, r.status]),
    );
  const previewed = async () => (await sql<{ id: string }>(`SELECT id FROM retention_run WHERE status = 'PREVIEWED' ORDER BY created_at`)).map((r) => r.id);

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', env: { SCHEDULERS: 'false', TASK_BACKOFF_MS: '50' } });
    footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-superseded-'));
    await seedReferenceSources({ url: gw.databaseUrl, people: 30, seed: 47, systems: ['training', 'cctv'], footageDir });
    const s = gw.runtime.services;
    await s.sources.register(
      {
        id: 'training',
        name: 'training',
        kind: SourceKind.TRAINING,
        type: 'builtin',
        connection: { system: 'training', schema: 'training', url: gw.databaseUrl },
      },
      'test',
    );
    await s.sources.register(
      { id: 'cctv', name: 'cctv', kind: SourceKind.CCTV, type: 'builtin', connection: { system: 'cctv', schema: 'cctv', url: gw.databaseUrl, footageDir } },
      'test',
    );
    // Everything recent, then two learners past the training store's retention.
    for (const { table_name } of await sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns WHERE column_name = 'last_activity_at' AND table_schema = 'training'`,
    ))
      await sql(`UPDATE training.${table_name} SET created_at = now() - interval '10 days', last_activity_at = now() - interval '10 days'`);
    learners = (await sql<{ id: string }>(`SELECT id FROM training.learners ORDER BY id LIMIT 2`)).map((r) => r.id);
    await sql(`UPDATE training.learners SET created_at = now() - interval '4 years', last_activity_at = now() - interval '4 years' WHERE id = ANY($1)`, [
      learners,
    ]);
    handler = await bearer(gw, ['HANDLER']);
  }, 180_000);

  afterAll(async () => {
    await gw?.stop();
    if (footageDir) await rm(footageDir, { recursive: true, force: true });
  });

  let first: string;
  let second: string;

  it('two schedule passes leave one preview to approve: the first is SUPERSEDED, pointing to the second, audited; the footage runs the scheduler executed are untouched', async () => {
    const one = await schedulePass();
    const two = await schedulePass();
    first = one.preview!;
    second = two.preview!;
    expect(first).toBeTruthy();
    expect(second).not.toBe(first);

    const old = await run(first);
    expect(old).toMatchObject({ status: 'SUPERSEDED', supersededBy: second, tasks: [] });
    // What the stale preview showed stays readable, as it was.
    expect(old.sources).toEqual([{ sourceId: 'training', toDestroy: [{ recordType: 'learner', action: 'ERASE', count: 2 }] }]);
    expect(await run(second)).toMatchObject({ status: 'PREVIEWED', supersededBy: null });
    expect(await previewed()).toEqual([second]);
    // CCTV needs no approval: each pass executed its own run, none superseded.
    const auto = await eventually(
      () => statusOf([one.automatic!, two.automatic!]),
      (s) => Object.values(s).every((x) => x === 'COMPLETED'),
      { timeoutMs: 30_000 },
    );
    expect(Object.values(auto)).toEqual(['COMPLETED', 'COMPLETED']);

    const audit = await gw.runtime.services.audit.list({ actions: [AuditAction.RETENTION_SUPERSEDE] });
    expect(audit.entries.map((e) => ({ target: e.targetId, actor: e.actorId }))).toEqual([{ target: first, actor: 'system:scheduler' }]);

    const metrics = await (await fetch(`${gw.url}/metrics`, { headers: await bearer(gw, ['MONITOR']) })).text();
    expect(metrics).toContain('dsr_retention_runs{status="SUPERSEDED"} 1');
    expect(metrics).toContain('dsr_retention_runs{status="PREVIEWED"} 1');
  }, 90_000);

  it('approving the superseded preview is refused with RETENTION_RUN_NOT_PREVIEWED naming the newer one; nothing is queued or destroyed', async () => {
    const reply = await gw.graphql(`mutation($id: ID!) { approveRetentionRun(id: $id) { id } }`, { id: first }, handler);
    expect(reply.body.errors?.[0]?.extensions).toMatchObject({ code: 'RETENTION_RUN_NOT_PREVIEWED', currentStatus: 'SUPERSEDED', supersededBy: second });
    const cancel = await gw.graphql(`mutation($id: ID!) { cancelRetentionRun(id: $id) { id } }`, { id: first }, handler);
    expect(cancel.body.errors?.[0]?.extensions).toMatchObject({ code: 'RETENTION_RUN_NOT_PREVIEWED', currentStatus: 'SUPERSEDED' });
    expect(await statusOf([first, second])).toEqual({ [first]: 'SUPERSEDED', [second]: 'PREVIEWED' });
    expect(await sql(`SELECT 1 FROM task WHERE retention_run_id = $1`, [first])).toEqual([]);
    expect(await sql(`SELECT id FROM training.learners WHERE id = ANY($1) ORDER BY id`, [learners])).toEqual(learners.map((id) => ({ id })));
    expect(await gw.runtime.services.audit.list({ actions: [AuditAction.RETENTION_APPROVE], targetId: first })).toMatchObject({ entries: [] });
  });

  it('a preview of other sources is not superseded; a run approved and executing, or closed, never is', async () => {
    const s = gw.runtime.services;
    // Another scope: every source, CCTV included. The training-only preview stays.
    const wider = await s.retention.prepare({ actor: 'handler', sourceIds: ['training', 'cctv'] });
    expect(await statusOf([second, wider.id])).toEqual({ [second]: 'PREVIEWED', [wider.id]: 'PREVIEWED' });
    await s.retention.cancel(wider.id, 'handler');

    // The current preview approved, its tasks held back: EXECUTING while the next preview is prepared.
    const queue = s.execution.queue(QueueNames.sourceTasks('training'));
    await queue.pause();
    let third: string;
    try {
      expect((await s.retention.approve(second, 'handler')).status).toBe('EXECUTING');
      third = (await s.retention.prepare({ actor: 'handler', sourceIds: ['training'] })).id;
      expect(await run(second)).toMatchObject({ status: 'EXECUTING', supersededBy: null });
    } finally {
      await queue.resume();
    }
    const closed = await eventually(
      () => s.retention.find(second),
      (r) => r.status !== 'EXECUTING',
      { timeoutMs: 30_000 },
    );
    expect(closed.status).toBe('COMPLETED');
    expect(closed.outcome).toMatchObject({ destroyed: 2, failed: 0 });
    // A preview prepared after the run closed replaces the open preview, not the closed run.
    const fourth = (await s.retention.prepare({ actor: 'handler', sourceIds: ['training'] })).id;
    expect(await statusOf([second, third!, fourth])).toEqual({ [second]: 'COMPLETED', [third!]: 'SUPERSEDED', [fourth]: 'PREVIEWED' });
    expect((await s.retention.find(second)).superseded_by).toBeNull();
    expect((await s.retention.find(third!)).superseded_by).toBe(fourth);
  }, 60_000);

  it('the new preview and the superseding commit together: a failure leaves the older preview open and no new one', async () => {
    const s = gw.runtime.services;
    const [open] = await previewed();
    const before = (await s.retention.list(100)).length;
    const record = s.audit.record.bind(s.audit);
    const spy = vi.spyOn(s.audit, 'record').mockImplementation(async (input, m) => {
      if (input.action === AuditAction.RETENTION_PREPARE) throw new Error('audit store unavailable');
      return record(input, m);
    });
    try {
      await expect(s.retention.prepare({ actor: 'handler', sourceIds: ['training'] })).rejects.toThrow('audit store unavailable');
    } finally {
      spy.mockRestore();
    }
    expect(await previewed()).toEqual([open]);
    expect((await s.retention.list(100)).length).toBe(before);
    expect((await s.retention.find(open!)).superseded_by).toBeNull();
    expect(await s.audit.list({ actions: [AuditAction.RETENTION_SUPERSEDE], targetId: open! })).toMatchObject({ entries: [] });
  });

  it('previews of the same sources prepared at once leave exactly one open', async () => {
    const s = gw.runtime.services;
    const ids = (await Promise.all([1, 2, 3, 4].map(() => s.retention.prepare({ actor: 'handler', sourceIds: ['training'] })))).map((r) => r.id);
    const open = await previewed();
    expect(open).toHaveLength(1);
    expect(ids).toContain(open[0]);
    const superseded = await sql<{ id: string; superseded_by: string }>(`SELECT id, superseded_by FROM retention_run WHERE id = ANY($1) AND id <> $2`, [
      ids,
      open[0],
    ]);
    expect(superseded.map((r) => r.superseded_by).every(Boolean)).toBe(true);
  });

  it('the schedule’s own preview and a handler’s preview of the same sources never close each other; a stale automatic preview is closed by the next one', async () => {
    const s = gw.runtime.services;
    // The schedule prepares footage's run and approves it a moment later; a handler's preview of the same source lands in between.
    const automatic = await s.retention.prepare({ actor: 'system:scheduler', sourceIds: ['cctv'], automatic: true });
    const mine = await s.retention.prepare({ actor: 'handler', sourceIds: ['cctv'] });
    expect(await statusOf([automatic.id, mine.id])).toEqual({ [automatic.id]: 'PREVIEWED', [mine.id]: 'PREVIEWED' });
    expect((await s.retention.approve(automatic.id, 'system:scheduler')).status).toBe('EXECUTING');
    await eventually(
      () => s.retention.find(automatic.id),
      (r) => r.status === 'COMPLETED',
      { timeoutMs: 30_000 },
    );
    // A pass that stopped between preview and approval leaves an automatic preview: the next pass's closes it, not the handler's.
    const stale = await s.retention.prepare({ actor: 'system:scheduler', sourceIds: ['cctv'], automatic: true });
    const next = await s.retention.prepare({ actor: 'system:scheduler', sourceIds: ['cctv'], automatic: true });
    expect(await statusOf([stale.id, next.id, mine.id])).toEqual({ [stale.id]: 'SUPERSEDED', [next.id]: 'PREVIEWED', [mine.id]: 'PREVIEWED' });
    expect((await s.retention.find(stale.id)).superseded_by).toBe(next.id);
    await s.retention.cancel(next.id, 'system:scheduler');
    await s.retention.cancel(mine.id, 'handler');
  }, 60_000);

  it('retentionRuns pages through every run, the latest first, none lost or repeated; an unknown cursor is RETENTION_RUN_NOT_FOUND', async () => {
    // Six runs within one millisecond, two by two at the same microsecond: a cursor read into a
    // JavaScript Date (milliseconds) would skip some, one on the time alone would skip or repeat ties.
    const s = gw.runtime.services;
    const made = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => s.retention.prepare({ actor: 'handler', sourceIds: n % 2 ? ['training'] : ['cctv'] })));
    for (const [i, run] of made.entries())
      await sql(`UPDATE retention_run SET created_at = timestamptz '2026-01-05 09:00:00.123000+00' + $2 * interval '1 microsecond' WHERE id = $1`, [
        run.id,
        Math.floor(i / 2) * 100,
      ]);
    const all = (await sql<{ id: string }>(`SELECT id FROM retention_run ORDER BY created_at DESC, id DESC`)).map((r) => r.id);
    expect(all.length).toBeGreaterThan(5);
    const page = async (before?: string) => {
      const reply = await gw.graphql<{ retentionRuns: { id: string }[] }>(
        `query($before: ID) { retentionRuns(first: 3, before: $before) { id } }`,
        { before: before ?? null },
        handler,
      );
      expect(reply.body.errors).toBeUndefined();
      return reply.body.data!.retentionRuns.map((r) => r.id);
    };
    const seen: string[] = [];
    for (let ids = await page(); ids.length > 0; ids = await page(seen.at(-1))) {
      expect(ids.length).toBeLessThanOrEqual(3);
      seen.push(...ids);
    }
    expect(seen).toEqual(all);
    const unknown = await gw.graphql(`query { retentionRuns(before: "00000000-0000-4000-8000-000000000000") { id } }`, {}, handler);
    expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'RETENTION_RUN_NOT_FOUND' });
  });
});
