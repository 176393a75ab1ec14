import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType as T, RecordAction, RequestStatus, RequestType, SourceKind, TaskStatus } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest, tasksOf, waitForClosed } from '../../support/requests-fixture.js';
import { eventually } from '../../support/eventually.js';
import { QueueNames } from '../../../jobs/queue-names.js';

// R8, R9, R16: footage segments overlap between visitors, so destroying one visit's footage
// destroys part of every visit recorded at the same time. A visit another open request holds
// (an incident under investigation) keeps its footage: neither the daily CCTV run (executed
// at once, autoExecute) nor a person's erasure destroys a segment that shows it
// (real PostgreSQL and Redis, the reference CCTV store with files on disk).
describe('R8: footage a held visit shares is not destroyed with another visit', () => {
  let gw: TestGateway;
  let footageDir: string;
  let spare: { id: string; file_path: string }[];

  const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => gw.runtime.services.dataSource.query(text, params) as Promise<R[]>;

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', env: { SCHEDULERS: 'false', TASK_BACKOFF_MS: '50' } });
    footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-held-footage-'));
    await seedReferenceSources({ url: gw.databaseUrl, people: 40, seed: 23, systems: ['cctv'], footageDir });
    await gw.runtime.services.sources.register(
      { id: 'cctv', name: 'cctv', kind: SourceKind.CCTV, type: 'builtin', connection: { system: 'cctv', schema: 'cctv', url: gw.databaseUrl, footageDir } },
      'test',
    );
    // Everything recent: only the visits a test ages are past 90 days.
    await sql(`UPDATE cctv.visits SET arrived_at = now() - interval '10 days', left_at = now() - interval '10 days' + interval '1 hour',
                 created_at = now() - interval '10 days', last_activity_at = now() - interval '10 days'`);
    await sql(`UPDATE cctv.segments SET started_at = now() - interval '10 days', ended_at = now() - interval '10 days' + interval '30 minutes'`);
    spare = await sql(`SELECT id, file_path FROM cctv.segments ORDER BY id`);
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    if (footageDir) await rm(footageDir, { recursive: true, force: true });
  });

  /**
   * At a site of its own, `days` ago: visit `a` (10:00–11:00) and visit `b` (10:30–12:00); a
   * segment only `a` shows (10:00–10:20) and one both show (10:30–10:50). `b` is held by an
   * open request unless `held` is false.
   */
  async function overlappingVisits(site: string, days: number, held = true) {
    const [a, b] = (await sql<{ id: string }>(`SELECT id FROM cctv.visits WHERE site NOT LIKE 'held-%' ORDER BY id LIMIT 2`)).map((r) => r.id);
    const [own, shared] = spare.splice(0, 2);
    const at = `now() - interval '${days} days'`;
    await sql(
      `UPDATE cctv.visits SET site = $2, arrived_at = ${at}, left_at = ${at} + interval '1 hour', created_at = ${at}, last_activity_at = ${at} WHERE id = $1`,
      [a, site],
    );
    await sql(
      `UPDATE cctv.visits SET site = $2, arrived_at = ${at} + interval '30 minutes', left_at = ${at} + interval '2 hours',
              created_at = ${at}, last_activity_at = ${at} WHERE id = $1`,
      [b, site],
    );
    await sql(`UPDATE cctv.segments SET site = $2, started_at = ${at}, ended_at = ${at} + interval '20 minutes' WHERE id = $1`, [own!.id, site]);
    await sql(`UPDATE cctv.segments SET site = $2, started_at = ${at} + interval '30 minutes', ended_at = ${at} + interval '50 minutes' WHERE id = $1`, [
      shared!.id,
      site,
    ]);
    const holder = held ? await holdVisit(b!, site) : null;
    return { a: a!, b: b!, own: own!, shared: shared!, holder };
  }

  /** An open request keeps the visit (a RETAIN: an incident under investigation). */
  const holdVisit = (recordId: string, site: string) =>
    insertApprovedRequest(gw.runtime.services, {
      identifiers: [{ type: T.EMAIL, value: `incident-${site}@example.org` }],
      status: RequestStatus.IN_REVIEW,
      decisions: [{ sourceId: 'cctv', recordId, recordType: 'visit', action: RecordAction.RETAIN, basis: 'incident under investigation' }],
    });

  /** The held visit still shows the shared segment, whose row and file are still there. */
  async function expectSharedKept(b: string, shared: { id: string; file_path: string }) {
    expect(await sql(`SELECT id FROM cctv.segments WHERE id = $1`, [shared.id])).toEqual([{ id: shared.id }]);
    expect(existsSync(path.resolve(footageDir, shared.file_path))).toBe(true);
    const connector = await gw.runtime.services.sources.connector('cctv');
    const [visit] = await connector.export([{ sourceId: 'cctv', recordId: b }]);
    expect((visit!.data.footage as { segmentId: string }[]).map((s) => s.segmentId)).toContain(shared.id);
  }

  it('R8, R9: the daily run, executed at once for footage, keeps a visit past 90 days whose footage a held visit shares, naming the hold; the footage stays', async () => {
    const s = gw.runtime.services;
    const { a, b, shared, holder } = await overlappingVisits('held-1', 120);
    const { automatic } = await s.retention.runScheduled();
    const run = await eventually(
      () => s.retention.find(automatic!),
      (r) => r.status !== 'EXECUTING',
      { timeoutMs: 30_000 },
    );
    const items = new Map((await s.stores.retentionRuns.items(automatic!)).map((i) => [i.record_id, i]));
    expect(items.get(a)).toMatchObject({
      action: null,
      kept_reason: 'OPEN_REQUEST',
      kept_detail: `its data (footage) also shows record ${b}, which request ${holder} holds (R8)`,
    });
    expect(items.get(b)).toMatchObject({ action: null, kept_reason: 'OPEN_REQUEST' });
    expect(run.status).toBe('COMPLETED');
    await expectSharedKept(b, shared);
    expect(await sql(`SELECT id FROM cctv.visits WHERE id = $1`, [a])).toEqual([{ id: a }]);
  }, 60_000);

  it('R8, R9: a visit an open request comes to hold after the footage run’s approval, before its tasks run, keeps the footage it shares: the other visit is left alone too; the run closes PARTIALLY_COMPLETED naming it', async () => {
    const s = gw.runtime.services;
    const { a, b, shared } = await overlappingVisits('held-3', 120, false);
    const run = await s.retention.prepare({ actor: 'handler', sourceIds: ['cctv'] });
    const queue = s.execution.queue(QueueNames.sourceTasks('cctv'));
    await queue.pause();
    try {
      await s.retention.approve(run.id, 'handler');
      await holdVisit(b, 'held-3');
    } finally {
      await queue.resume();
    }
    const closed = await eventually(
      () => s.retention.find(run.id),
      (r) => r.status !== 'EXECUTING',
      { timeoutMs: 30_000 },
    );
    expect(closed.status).toBe('PARTIALLY_COMPLETED');
    expect(closed.outcome!.reasons).toContainEqual(
      expect.stringMatching(
        new RegExp(`record ${a}\\) failed: .*OPEN_REQUEST: left alone, an open request holds a record whose data \\(footage\\) erasing this one`),
      ),
    );
    await expectSharedKept(b, shared);
    expect(await sql(`SELECT id FROM cctv.visits WHERE id = ANY($1) ORDER BY id`, [[a, b]])).toHaveLength(2);
  }, 60_000);

  it('R8: a person’s erasure of their visit leaves it alone while another open request holds a visit its footage shows; the request closes PARTIALLY_COMPLETED, retried once the hold ends', async () => {
    const s = gw.runtime.services;
    const { a, b, own, shared, holder } = await overlappingVisits('held-2', 20);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'visitor@example.org' }],
      decisions: [{ sourceId: 'cctv', recordId: a, recordType: 'visit', relationship: 'VISITOR', action: RecordAction.ERASE }],
    });
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId, 30_000)).toBe('PARTIALLY_COMPLETED');
    const [task] = await tasksOf(s, requestId);
    expect([task!.status, task!.applied_count]).toEqual([TaskStatus.FAILED, 0]);
    expect(task!.last_error).toMatch(/OPEN_REQUEST: left alone, an open request holds a record whose data \(footage\) erasing this one would destroy too/);
    const [{ held_by_request_id }] = await sql<{ held_by_request_id: string }>(`SELECT held_by_request_id FROM task WHERE id = $1`, [task!.id]);
    expect(held_by_request_id).toBe(holder);
    await expectSharedKept(b, shared);
    expect(existsSync(path.resolve(footageDir, own.file_path))).toBe(true);

    // The investigation closes: the retry erases the visit and its footage.
    await sql(`UPDATE data_subject_request SET status = 'COMPLETED' WHERE id = $1`, [holder]);
    await s.execution.retryFailed(requestId, 'handler');
    expect(await waitForClosed(s, requestId, 30_000)).toBe('COMPLETED');
    expect(await sql(`SELECT id FROM cctv.segments WHERE id = ANY($1)`, [[own.id, shared.id]])).toEqual([]);
    expect(await sql(`SELECT id FROM cctv.visits WHERE id = $1`, [a])).toEqual([]);
  }, 90_000);

  it('R1, R8: a person’s erasure of their visit leaves it alone while another visitor’s restriction, answered, keeps a visit its footage shows; the footage stays and the letter says why', async () => {
    const s = gw.runtime.services;
    const { a, b, own, shared } = await overlappingVisits('restricted', 20, false);
    // The other visitor asked that their visit be kept and not used (say for a legal claim), and was answered.
    const restriction = await insertApprovedRequest(s, {
      type: RequestType.RESTRICTION,
      identifiers: [{ type: T.EMAIL, value: 'restricted-visitor@example.org' }],
      status: RequestStatus.COMPLETED,
      decisions: [{ sourceId: 'cctv', recordId: b, recordType: 'visit', relationship: 'VISITOR', action: RecordAction.RESTRICT }],
    });
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'visitor-beside@example.org' }],
      decisions: [{ sourceId: 'cctv', recordId: a, recordType: 'visit', relationship: 'VISITOR', action: RecordAction.ERASE }],
    });
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId, 30_000)).toBe('PARTIALLY_COMPLETED');
    const [task] = await tasksOf(s, requestId);
    expect([task!.status, task!.applied_count]).toEqual([TaskStatus.FAILED, 0]);
    expect(task!.last_error).toMatch(/OPEN_REQUEST: left alone, a restriction keeps a record whose data \(footage\) erasing this one would destroy too/);
    expect(task!.last_error).not.toContain('retry once');
    const [{ held_by_request_id }] = await sql<{ held_by_request_id: string }>(`SELECT held_by_request_id FROM task WHERE id = $1`, [task!.id]);
    expect(held_by_request_id).toBe(restriction);
    await expectSharedKept(b, shared);
    expect(existsSync(path.resolve(footageDir, own.file_path))).toBe(true);
    const letter = String((await s.stores.requests.find(requestId))!.response!.letter);
    expect(letter).toContain(`- visit ${a}: not erased: its data (footage) is also part of another record we must keep`);
  }, 90_000);

  it('R8: an erasure whose own request keeps a visit the footage shows leaves the other visit alone for good: never told to retry once closed, and the letter says why', async () => {
    const s = gw.runtime.services;
    const { a, b, shared } = await overlappingVisits('own-hold', 20, false);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'visitor-own@example.org' }],
      decisions: [
        { sourceId: 'cctv', recordId: a, recordType: 'visit', relationship: 'VISITOR', action: RecordAction.ERASE },
        { sourceId: 'cctv', recordId: b, recordType: 'visit', relationship: 'VISITOR', action: RecordAction.RETAIN, basis: 'legal claim of the person' },
      ],
    });
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId, 30_000)).toBe('PARTIALLY_COMPLETED');
    const [task] = await tasksOf(s, requestId);
    expect([task!.record_id, task!.status, task!.applied_count]).toEqual([a, TaskStatus.FAILED, 0]);
    // Its own request keeps the shared footage: closing that request ends no hold a retry could wait for.
    expect(task!.last_error).toMatch(
      /OPEN_REQUEST: left alone for good, this request itself keeps a record whose data \(footage\) erasing this one would destroy too/,
    );
    expect(task!.last_error).not.toContain('retry once');
    await expectSharedKept(b, shared);
    const letter = String((await s.stores.requests.find(requestId))!.response!.letter);
    expect(letter).toContain(
      `- visit ${a}: not erased: its data (footage) is also part of another record we must keep, and erasing it would destroy that too, so it stays as it is.`,
    );
    expect(letter).not.toMatch(/retrying|another matter/);
    // A handler retrying the failed task anyway reopens the request, whose own RETAIN holds again.
    await s.execution.retryFailed(requestId, 'handler');
    const [retried] = await eventually(
      () => tasksOf(s, requestId),
      ([t]) => t!.job_id !== task!.job_id && t!.status === TaskStatus.FAILED,
    );
    expect([retried!.status, retried!.applied_count]).toEqual([TaskStatus.FAILED, 0]);
    expect(await waitForClosed(s, requestId, 30_000)).toBe('PARTIALLY_COMPLETED');
    await expectSharedKept(b, shared);
  }, 90_000);
});
