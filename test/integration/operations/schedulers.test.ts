import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType as T, RequestStatus } from '../../../src/domain/vocabulary.js';
import { paramsDigest } from '../../../src/audit/chain.js';
import { QueueNames } from '../../../jobs/queue-names.js';
import { registerSchedulers, ScheduleNames, schedulesProcessor } from '../../../jobs/schedules/schedules.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { cctvSource } from '../../support/sources-fixture.js';
import { eventually } from '../../support/eventually.js';

for (const queue of ['redis', 'postgres'] as const) {
  describe(`job schedulers (${queue} queue)`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ queue, worker: false, env: { SCHEDULERS: 'false', OVERDUE_SCAN_EVERY_MS: '60000' } });
    }, 60_000);
    afterAll(async () => gw?.stop());

    it('registerSchedulers upserts the five schedulers: registering again (every worker does) leaves five', async () => {
      const s = gw.runtime.services;
      const schedules = s.execution.queue(QueueNames.schedules);
      await registerSchedulers(s, schedules);
      await registerSchedulers(s, schedules);
      const found = await schedules.getJobSchedulers(0, -1, true);
      expect(found.map((f) => f.key).sort()).toEqual(
        [ScheduleNames.retentionRun, ScheduleNames.overdueScan, ScheduleNames.recreationSweep, ScheduleNames.packageSweep, ScheduleNames.strandedWork].sort(),
      );
      expect(found.find((f) => f.key === ScheduleNames.overdueScan)!.every).toBe(60_000);
      expect(await schedules.getJobSchedulersCount()).toBe(5);
    });

    it('a schedule retired in a release (the old footage purge) is removed, so it no longer fires jobs nobody processes', async () => {
      const s = gw.runtime.services;
      const schedules = s.execution.queue(QueueNames.schedules);
      await schedules.upsertJobScheduler('cctv-purge', { every: 86_400_000 }, { name: 'cctv-purge' });
      await registerSchedulers(s, schedules);
      const found = await schedules.getJobSchedulers(0, -1, true);
      expect(found.map((f) => f.key).sort()).toEqual(Object.values(ScheduleNames).sort());
    });
  });
}

describe('scheduled jobs: CCTV 90-day purge and the deadline scan (redis queue)', () => {
  let gw: TestGateway;
  let footageDir: string;

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', env: { SCHEDULERS: 'false' } });
    footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-purge-'));
    await seedReferenceSources({ url: gw.databaseUrl, people: 40, seed: 21, systems: ['cctv'], footageDir });
    await gw.runtime.services.sources.register(cctvSource('cctv', gw.databaseUrl, footageDir), 'test');
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
    if (footageDir) await rm(footageDir, { recursive: true, force: true });
  });

  it('R9: the retention schedule executes the CCTV 90-day purge without approval: visits past 90 days and their footage (rows and files) go, verified; older footage of no visit goes too; newer stays', async () => {
    const s = gw.runtime.services;
    const db = s.dataSource;
    // Everything recent, then a few visits and segments aged either side of the limit.
    await db.query(
      `UPDATE cctv.visits SET arrived_at = now() - interval '10 days', left_at = now() - interval '10 days' + interval '1 hour', created_at = now() - interval '10 days', last_activity_at = now() - interval '10 days'`,
    );
    await db.query(`UPDATE cctv.segments SET started_at = now() - interval '10 days', ended_at = now() - interval '10 days' + interval '30 minutes'`);
    const visits: { id: string; site: string }[] = await db.query(`SELECT id, site FROM cctv.visits ORDER BY id LIMIT 4`);
    const segments: { id: string; file_path: string }[] = await db.query(`SELECT id, file_path FROM cctv.segments ORDER BY id LIMIT 6`);
    const [old1, old2, old3, young] = visits.map((v) => v.id);
    await db.query(
      `UPDATE cctv.visits SET arrived_at = now() - interval '120 days', left_at = NULL, created_at = now() - interval '120 days', last_activity_at = now() - interval '120 days' WHERE id = ANY($1)`,
      [[old1, old2]],
    );
    await db.query(
      `UPDATE cctv.visits SET arrived_at = now() - interval '91 days', left_at = NULL, created_at = now() - interval '91 days', last_activity_at = NULL WHERE id = $1`,
      [old3],
    );
    await db.query(
      `UPDATE cctv.visits SET arrived_at = now() - interval '89 days', created_at = now() - interval '89 days', last_activity_at = now() - interval '89 days' WHERE id = $1`,
      [young],
    );
    const orphans = segments.slice(0, 4);
    const youngSegment = segments[4]!;
    const old1Segment = segments[5]!;
    await db.query(
      `UPDATE cctv.segments SET started_at = now() - interval '95 days', ended_at = now() - interval '95 days' + interval '30 minutes' WHERE id = ANY($1)`,
      [orphans.map((x) => x.id)],
    );
    await db.query(
      `UPDATE cctv.segments SET started_at = now() - interval '89 days', ended_at = now() - interval '89 days' + interval '30 minutes' WHERE id = $1`,
      [youngSegment.id],
    );
    // Footage showing old1's visit: it goes with the visit.
    await db.query(
      `UPDATE cctv.segments SET site = $2, started_at = now() - interval '120 days', ended_at = now() - interval '120 days' + interval '30 minutes' WHERE id = $1`,
      [old1Segment.id, visits[0]!.site],
    );
    const [{ visits: visitCount, segments: segmentCount }] = await db.query(
      `SELECT (SELECT count(*)::int FROM cctv.visits) AS visits, (SELECT count(*)::int FROM cctv.segments) AS segments`,
    );
    const connector = await s.sources.connector('cctv');
    const footage = (relative: string) => path.resolve(footageDir, relative);
    expect([...orphans, old1Segment].every((x) => existsSync(footage(x.file_path)))).toBe(true);

    const result = (await schedulesProcessor(s)({ name: ScheduleNames.retentionRun } as Job)) as {
      automatic: string;
      preview: string | null;
      purged: Record<string, unknown>;
    };
    expect(result.preview).toBeNull(); // CCTV is the only source, and it needs no approval
    expect(result.purged).toEqual({ cctv: { segments: 4, filesNotRemoved: 0 } });
    const run = await eventually(
      () => s.retention.find(result.automatic),
      (r) => r.status !== 'EXECUTING',
    );
    expect(run.status).toBe('COMPLETED');
    expect(run.automatic).toBe(true);
    expect(run.approved_by).toBe('system:scheduler');
    expect(run.summary).toEqual([
      expect.objectContaining({ sourceId: 'cctv', listable: true, toDestroy: [{ recordType: 'visit', action: 'PURGE', count: 3 }] }),
    ]);
    expect(run.outcome).toMatchObject({ destroyed: 3, failed: 0, reasons: [] });
    const left: { id: string }[] = await db.query(`SELECT id FROM cctv.visits WHERE id = ANY($1)`, [[old1, old2, old3, young]]);
    expect(left.map((v) => v.id)).toEqual([young]);
    const [{ visits: visitsNow, segments: segmentsNow }] = await db.query(
      `SELECT (SELECT count(*)::int FROM cctv.visits) AS visits, (SELECT count(*)::int FROM cctv.segments) AS segments`,
    );
    expect([visitsNow, segmentsNow]).toEqual([visitCount - 3, segmentCount - 5]);
    expect([...orphans, old1Segment].some((x) => existsSync(footage(x.file_path)))).toBe(false);
    expect(existsSync(footage(youngSegment.file_path))).toBe(true);
    // The purged visits can no longer be discovered: their blocking keys are gone.
    expect(await db.query(`SELECT 1 FROM cctv.record_key WHERE record_id = ANY($1)`, [[old1, old2, old3]])).toEqual([]);
    expect(await connector.export([{ sourceId: 'cctv', recordId: old1! }])).toEqual([]);
    // Running it again finds nothing more.
    const again = (await schedulesProcessor(s)({ name: ScheduleNames.retentionRun } as Job)) as { automatic: string; purged: Record<string, unknown> };
    expect(again.purged).toEqual({ cctv: { segments: 0, filesNotRemoved: 0 } });
    expect((await s.retention.find(again.automatic)).summary[0]!.toDestroy).toEqual([]);
  });

  it('R3: the deadline scan job reports a request past its due date as overdue and audits it (ids only)', async () => {
    const s = gw.runtime.services;
    const make = async (dueInDays: number, status: string) => {
      const id = await insertApprovedRequest(s, { identifiers: [{ type: T.EMAIL, value: `deadline-${dueInDays}@example.org` }], decisions: [], status });
      await s.dataSource.query(`UPDATE data_subject_request SET due_at = now() + $2 * interval '1 day', acknowledged_at = received_at WHERE id = $1`, [
        id,
        dueInDays,
      ]);
      return id;
    };
    const late = await make(-2, RequestStatus.APPROVED);
    await make(20, RequestStatus.APPROVED); // in time
    await make(-2, RequestStatus.COMPLETED); // closed: not overdue

    // Through the schedules queue, as the scheduler runs it.
    const schedules = s.execution.queue(QueueNames.schedules);
    const job = await schedules.add(ScheduleNames.overdueScan, {});
    const done = await eventually(
      async () => (await schedules.getJob(job.id!))?.returnvalue as { overdue: string[]; dueSoon: string[] } | undefined,
      (v) => v !== undefined && v !== null,
    );
    expect(done!.overdue).toEqual([late]);
    const audit = await s.audit.list({ actions: ['request.overdue'] });
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]!.actorId).toBe('system:scheduler');
    // The entry's parameters are exactly the overdue ids (its keyed digest matches).
    expect(audit.entries[0]!.paramsDigest).toBe(paramsDigest({ overdue: [late] }, s.keyrings.tombstone));
  });
});
