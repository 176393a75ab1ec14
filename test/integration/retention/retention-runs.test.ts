import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType as T, RecordAction, RequestStatus, RequestType, SourceKind } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest, waitForClosed } from '../../support/requests-fixture.js';
import { eventually } from '../../support/eventually.js';
import { QueueNames } from '../../../jobs/queue-names.js';
import { removeQueueKeys } from '../../support/redis-cleanup.js';
import { TEST_REDIS_URL } from '../../support/queue-settings.js';

// R9 end to end against real PostgreSQL and the reference stores: what is past retention in
// case management, training, CCTV and recruitment is previewed, approved by a handler,
// executed through the task queues and verified; the clinic's records inside statutory
// retention are untouched; a record an open request holds is left alone; a second run
// finds nothing to destroy.
const SYSTEMS = ['case_management', 'training', 'cctv', 'recruitment', 'clinic'] as const;
const KIND: Record<(typeof SYSTEMS)[number], SourceKind> = {
  case_management: SourceKind.CASE_MANAGEMENT,
  training: SourceKind.TRAINING,
  cctv: SourceKind.CCTV,
  recruitment: SourceKind.RECRUITMENT,
  clinic: SourceKind.CLINIC,
};

const RUN_FIELDS = `id status automatic approvedBy
  sources { sourceId listable error toDestroy { recordType action count } kept { reason count } oldest sampleRecordIds }
  outcome { destroyed failed heldSincePreview reasons }`;

interface RunView {
  id: string;
  status: string;
  automatic: boolean;
  approvedBy: string | null;
  sources: {
    sourceId: string;
    listable: boolean;
    error: string | null;
    toDestroy: { recordType: string; action: string; count: number }[];
    kept: { reason: string; count: number }[];
    oldest: string | null;
    sampleRecordIds: string[];
  }[];
  outcome: { destroyed: number; failed: number; heldSincePreview: number; reasons: string[] } | null;
}

describe('R9: retention runs over the reference stores (redis queue, real PostgreSQL)', () => {
  let gw: TestGateway;
  let footageDir: string;
  let handler: Record<string, string>;
  let auditor: Record<string, string>;
  const aged: Record<string, string[]> = {};
  let heldCase: string;
  let heldLater: string;
  let refusedCase: string;
  let clinicInside: string[];
  let hiredCandidate: string;
  let oldFootage: string[];

  const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => gw.runtime.services.dataSource.query(text, params) as Promise<R[]>;
  const ids = async (query: string, n: number) => (await sql<{ id: string }>(`${query} ORDER BY id LIMIT ${n}`)).map((r) => r.id);
  const age = (table: string, recordIds: string[], interval: string) =>
    sql(`UPDATE ${table} SET created_at = now() - $2::interval, last_activity_at = now() - $2::interval WHERE id = ANY($1)`, [recordIds, interval]);

  beforeAll(async () => {
    gw = await startTestGateway({
      queue: 'redis',
      env: { SCHEDULERS: 'false', TASK_BACKOFF_MS: '50', DSR_SOURCE_SECRET_NOLIST: 'no-listing-secret-0123456789abcdef' },
    });
    footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-retention-'));
    await seedReferenceSources({ url: gw.databaseUrl, people: 60, seed: 31, systems: [...SYSTEMS], footageDir });
    for (const system of SYSTEMS) {
      await gw.runtime.services.sources.register(
        {
          id: system,
          name: system,
          kind: KIND[system],
          type: 'builtin',
          connection: { system, schema: system, url: gw.databaseUrl, ...(system === 'cctv' ? { footageDir } : {}) },
        },
        'test',
      );
    }
    // Everything recent, then a few records of each store aged past its retention.
    for (const { table_schema, table_name } of await sql<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.columns WHERE column_name = 'last_activity_at' AND table_schema = ANY($1)`,
      [[...SYSTEMS]],
    )) {
      await sql(`UPDATE ${table_schema}.${table_name} SET created_at = now() - interval '10 days', last_activity_at = now() - interval '10 days'`);
    }
    await sql(`UPDATE cctv.visits SET arrived_at = now() - interval '10 days', left_at = now() - interval '10 days' + interval '1 hour'`);
    await sql(`UPDATE cctv.segments SET started_at = now() - interval '10 days', ended_at = now() - interval '10 days' + interval '30 minutes'`);
    const cases = await ids(`SELECT id FROM case_management.cases WHERE controller_id IS NULL`, 6);
    [heldCase, heldLater, refusedCase] = cases.slice(3);
    aged.case_management = cases.slice(0, 3);
    await age('case_management.cases', cases, '4 years');
    aged.training = await ids(`SELECT id FROM training.learners`, 2);
    await age('training.learners', aged.training, '4 years');
    aged.recruitment = await ids(`SELECT id FROM recruitment.candidates WHERE NOT hired`, 2);
    await age('recruitment.candidates', aged.recruitment, '1 year');
    [hiredCandidate] = await ids(`SELECT id FROM recruitment.candidates WHERE hired`, 1);
    await age('recruitment.candidates', [hiredCandidate!], '1 year');
    aged.cctv = await ids(`SELECT id FROM cctv.visits`, 2);
    await sql(`UPDATE cctv.visits SET arrived_at = now() - interval '120 days', left_at = now() - interval '120 days' + interval '1 hour' WHERE id = ANY($1)`, [
      aged.cctv,
    ]);
    await age('cctv.visits', aged.cctv, '120 days');
    const [segment] = await sql<{ id: string; file_path: string }>(
      `UPDATE cctv.segments s SET site = v.site, started_at = v.arrived_at, ended_at = v.arrived_at + interval '30 minutes'
         FROM cctv.visits v WHERE v.id = $1 AND s.id = (SELECT min(id) FROM cctv.segments) RETURNING s.id, s.file_path`,
      [aged.cctv[0]],
    ).then((r) => (Array.isArray(r[0]) ? (r[0] as { id: string; file_path: string }[]) : (r as { id: string; file_path: string }[])));
    oldFootage = [segment!.file_path];
    // Medical records: one past 3 + 30 years, others well inside them.
    const patients = await ids(`SELECT p.id FROM clinic.patients p WHERE NOT EXISTS (SELECT 1 FROM clinic.emergency_contacts c WHERE c.patient_id = p.id)`, 3);
    aged.clinic = patients.slice(0, 1);
    await age('clinic.patients', aged.clinic, '34 years');
    clinicInside = patients.slice(1);
    await age('clinic.patients', clinicInside, '10 years');
    // An open request keeps one expired case under its legal hold.
    await insertApprovedRequest(gw.runtime.services, {
      identifiers: [{ type: T.EMAIL, value: 'held@example.org' }],
      status: RequestStatus.IN_REVIEW,
      decisions: [{ sourceId: 'case_management', recordId: heldCase!, recordType: 'case', action: RecordAction.RETAIN, basis: 'legal claim pending' }],
    });
    // R6: a closed request about another expired case, whose controller refused it: that binds.
    const refusing = await insertApprovedRequest(gw.runtime.services, {
      identifiers: [{ type: T.EMAIL, value: 'refused@example.org' }],
      status: RequestStatus.COMPLETED,
      decisions: [{ sourceId: 'case_management', recordId: refusedCase!, recordType: 'case', action: RecordAction.RETAIN, basis: 'controller refused' }],
    });
    await sql(`UPDATE request_record SET controller_id = 'employer-1' WHERE request_id = $1`, [refusing]);
    await sql(
      `INSERT INTO controller_instruction (request_id, source_id, controller_id, decision, actor, at) VALUES ($1, 'case_management', 'employer-1', 'REFUSE', 'test', now())`,
      [refusing],
    );
    handler = await bearer(gw, ['HANDLER']);
    auditor = await bearer(gw, ['AUDITOR']);
  }, 180_000);

  afterAll(async () => {
    await gw?.stop();
    if (footageDir) await rm(footageDir, { recursive: true, force: true });
  });

  const prepare = async () => {
    const reply = await gw.graphql<{ prepareRetentionRun: RunView }>(`mutation { prepareRetentionRun { ${RUN_FIELDS} } }`, {}, handler);
    expect(reply.body.errors).toBeUndefined();
    return reply.body.data!.prepareRetentionRun;
  };
  const sourceOf = (run: RunView, id: string) => run.sources.find((s) => s.sourceId === id)!;
  /** Approves a run while its source's tasks are held back, does `meanwhile`, lets the tasks run and waits for the run to close. */
  const approveAndChangeBeforeTasks = async (runId: string, sourceId: string, meanwhile: () => Promise<unknown>) => {
    const s = gw.runtime.services;
    const queue = s.execution.queue(QueueNames.sourceTasks(sourceId));
    await queue.pause();
    try {
      await s.retention.approve(runId, 'handler');
      await meanwhile();
    } finally {
      await queue.resume();
    }
    return eventually(
      () => s.retention.find(runId),
      (r) => r.status !== 'EXECUTING',
      { timeoutMs: 30_000 },
    );
  };

  it('R9: previewed per source and record type with the oldest date, sample ids and what is kept and why; approved by a handler; executed, verified; the records are gone and the clinic’s inside statutory retention untouched', async () => {
    const preview = await prepare();
    expect(preview.status).toBe('PREVIEWED');
    expect(preview.sources.map((s) => s.sourceId).sort()).toEqual([...SYSTEMS].sort());
    expect(sourceOf(preview, 'case_management').toDestroy).toEqual([{ recordType: 'case', action: 'ERASE', count: 4 }]);
    expect(sourceOf(preview, 'case_management').kept).toEqual([
      { reason: 'CONTROLLER_REFUSED', count: 1 },
      { reason: 'OPEN_REQUEST', count: 1 },
    ]);
    expect(sourceOf(preview, 'training').toDestroy).toEqual([{ recordType: 'learner', action: 'ERASE', count: 2 }]);
    expect(sourceOf(preview, 'recruitment').toDestroy).toEqual([{ recordType: 'candidate', action: 'MINIMISE', count: 2 }]);
    expect(sourceOf(preview, 'recruitment').kept).toEqual([{ reason: 'PERSONNEL_FILE', count: 1 }]);
    expect(sourceOf(preview, 'cctv').toDestroy).toEqual([{ recordType: 'visit', action: 'PURGE', count: 2 }]);
    expect(sourceOf(preview, 'clinic').toDestroy).toEqual([{ recordType: 'patient', action: 'PURGE', count: 1 }]);
    expect(sourceOf(preview, 'clinic').sampleRecordIds).toEqual(aged.clinic);
    expect(sourceOf(preview, 'case_management').sampleRecordIds.sort()).toEqual([...aged.case_management!, heldLater].sort());
    expect(new Date(sourceOf(preview, 'clinic').oldest!).getUTCFullYear()).toBe(new Date().getUTCFullYear() - 34);
    // The preview is what is approved: nothing changed yet.
    expect((await sql(`SELECT 1 FROM case_management.cases WHERE id = ANY($1)`, [aged.case_management])).length).toBe(3);

    // An auditor sees runs, but approval is the privacy office's.
    const refused = await gw.graphql(`mutation($id: ID!) { approveRetentionRun(id: $id) { id } }`, { id: preview.id }, auditor);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Between preview and approval, an open request comes to hold another expired case.
    await insertApprovedRequest(gw.runtime.services, {
      identifiers: [{ type: T.EMAIL, value: 'held-later@example.org' }],
      status: RequestStatus.AWAITING_CONTROLLER,
      decisions: [
        { sourceId: 'case_management', recordId: heldLater, recordType: 'case', action: RecordAction.RETAIN, basis: 'awaiting the controller’s instruction' },
      ],
    });
    const approved = await gw.graphql<{ approveRetentionRun: RunView }>(
      `mutation($id: ID!) { approveRetentionRun(id: $id) { ${RUN_FIELDS} } }`,
      { id: preview.id },
      handler,
    );
    expect(approved.body.errors).toBeUndefined();
    expect(approved.body.data!.approveRetentionRun.status).toBe('EXECUTING');

    const done = await eventually(
      async () =>
        (
          await gw.graphql<{ retentionRun: RunView & { tasks: { status: string; action: string; recordId: string }[] } }>(
            `query($id: ID!) { retentionRun(id: $id) { ${RUN_FIELDS} tasks { status action recordId } } }`,
            { id: preview.id },
            auditor,
          )
        ).body.data!.retentionRun,
      (r) => r.status !== 'EXECUTING',
      { timeoutMs: 60_000 },
    );
    expect(done.outcome).toEqual({ destroyed: 10, failed: 0, heldSincePreview: 1, reasons: [] });
    expect(done.status).toBe('COMPLETED');
    expect(done.tasks).toHaveLength(10);
    expect(done.tasks.filter((t) => t.status !== 'SUCCEEDED')).toEqual([]);
    expect(done.tasks.map((t) => t.recordId)).not.toContain(heldLater);

    // In the stores themselves.
    expect(
      await sql(`SELECT id FROM case_management.cases WHERE id = ANY($1) ORDER BY id`, [[...aged.case_management!, heldCase, heldLater, refusedCase]]),
    ).toEqual([heldCase, heldLater, refusedCase].sort().map((id) => ({ id })));
    expect(await sql(`SELECT 1 FROM training.learners WHERE id = ANY($1)`, [aged.training])).toEqual([]);
    expect(await sql(`SELECT 1 FROM recruitment.candidates WHERE id = ANY($1)`, [aged.recruitment])).toEqual([]);
    expect(
      (await sql(`SELECT DISTINCT source_record_id FROM recruitment.recruiting_activity WHERE source_record_id = ANY($1)`, [aged.recruitment])).length,
    ).toBe(2);
    expect(await sql(`SELECT 1 FROM recruitment.candidates WHERE id = $1`, [hiredCandidate])).toHaveLength(1);
    expect(await sql(`SELECT 1 FROM cctv.visits WHERE id = ANY($1)`, [aged.cctv])).toEqual([]);
    expect(oldFootage.some((f) => existsSync(path.resolve(footageDir, f)))).toBe(false);
    expect(await sql(`SELECT 1 FROM clinic.patients WHERE id = ANY($1)`, [aged.clinic])).toEqual([]);
    expect(await sql(`SELECT id FROM clinic.patients WHERE id = ANY($1) ORDER BY id`, [clinicInside])).toEqual(clinicInside.map((id) => ({ id })));

    // Audited: prepared, approved, closed.
    const audit = await gw.runtime.services.audit.list({ actions: ['retention.prepare', 'retention.approve', 'retention.close'] });
    expect(
      audit.entries
        .filter((e) => e.targetId === preview.id)
        .map((e) => e.action)
        .sort(),
    ).toEqual(['retention.approve', 'retention.close', 'retention.prepare']);

    // Metrics: what the run found per source, the oldest, the runs and how they ended.
    const monitor = await bearer(gw, ['MONITOR']);
    const metrics = await (await fetch(`${gw.url}/metrics`, { headers: monitor })).text();
    expect(metrics).toContain('dsr_retention_past_records{source="case_management"} 4');
    expect(metrics).toContain('dsr_retention_past_records{source="clinic"} 1');
    expect(metrics).toMatch(/dsr_retention_oldest_seconds\{source="clinic"\} \d+/);
    expect(metrics).toContain('dsr_retention_runs{status="COMPLETED"} 1');
    expect(metrics).toContain('dsr_retention_runs_total{outcome="COMPLETED",automatic="false"} 1');

    // Approving again is refused with its code.
    const again = await gw.graphql(`mutation($id: ID!) { approveRetentionRun(id: $id) { id } }`, { id: preview.id }, handler);
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'RETENTION_RUN_NOT_PREVIEWED', currentStatus: 'COMPLETED' });
  }, 120_000);

  it('R9: a second run finds nothing to destroy; what is kept is kept again, with its reason', async () => {
    const second = await prepare();
    expect(second.sources.flatMap((s) => s.toDestroy)).toEqual([]);
    expect(sourceOf(second, 'case_management').kept).toEqual([
      { reason: 'CONTROLLER_REFUSED', count: 1 },
      { reason: 'OPEN_REQUEST', count: 2 },
    ]);
    const cancelled = await gw.graphql<{ cancelRetentionRun: RunView }>(
      `mutation($id: ID!) { cancelRetentionRun(id: $id) { status } }`,
      { id: second.id },
      handler,
    );
    expect(cancelled.body.data!.cancelRetentionRun.status).toBe('CANCELLED');
  }, 60_000);

  it('R9, R6: a record an open request comes to hold after approval, before its task runs, is left alone; the run closes PARTIALLY_COMPLETED naming it', async () => {
    const s = gw.runtime.services;
    const [learner] = await ids(`SELECT id FROM training.learners`, 1);
    await age('training.learners', [learner!], '4 years');
    const run = await s.retention.prepare({ actor: 'handler', sourceIds: ['training'] });
    expect(run.summary[0]!.toDestroy).toEqual([{ recordType: 'learner', action: 'ERASE', count: 1 }]);
    const closed = await approveAndChangeBeforeTasks(run.id, 'training', () =>
      insertApprovedRequest(s, {
        identifiers: [{ type: T.EMAIL, value: 'held-after-approval@example.org' }],
        status: RequestStatus.IN_REVIEW,
        decisions: [{ sourceId: 'training', recordId: learner!, recordType: 'learner', action: RecordAction.RETAIN, basis: 'legal claim pending' }],
      }),
    );
    expect(closed.status).toBe('PARTIALLY_COMPLETED');
    expect(closed.outcome!.reasons).toEqual([expect.stringContaining('OPEN_REQUEST: left alone')]);
    expect(await sql(`SELECT 1 FROM training.learners WHERE id = $1`, [learner])).toHaveLength(1);
  }, 60_000);

  it('R8, R9: a candidate hired after the run’s approval, before its task runs, keeps the application as the personnel file; the run closes PARTIALLY_COMPLETED naming it', async () => {
    const s = gw.runtime.services;
    const [candidate] = (
      await sql<{ id: string }>(`SELECT id FROM recruitment.candidates WHERE NOT hired AND id <> ALL($1) ORDER BY id LIMIT 1`, [aged.recruitment])
    ).map((r) => r.id);
    await age('recruitment.candidates', [candidate!], '1 year');
    const run = await s.retention.prepare({ actor: 'handler', sourceIds: ['recruitment'] });
    expect(run.summary[0]!.toDestroy).toEqual([{ recordType: 'candidate', action: 'MINIMISE', count: expect.any(Number) }]);
    // Hired meanwhile: the application is now the employee's personnel file.
    const closed = await approveAndChangeBeforeTasks(run.id, 'recruitment', () =>
      sql(`UPDATE recruitment.candidates SET hired = true WHERE id = $1`, [candidate]),
    );
    expect(closed.status).toBe('PARTIALLY_COMPLETED');
    expect(closed.outcome!.reasons).toEqual([
      expect.stringMatching(new RegExp(`MINIMISE recruitment record ${candidate}\\) failed: .*LEGAL_HOLD: MINIMISE refused, .*personnel file of an employee`)),
    ]);
    expect(await sql(`SELECT 1 FROM recruitment.candidates WHERE id = $1 AND hired`, [candidate])).toHaveLength(1);
    expect(await sql(`SELECT 1 FROM recruitment.applications WHERE candidate_ref = $1`, [candidate])).not.toHaveLength(0);
  }, 60_000);

  /** The training system's registration as the gateway has it: each test re-registers it with another retention and back. */
  const trainingRegistration = () => ({
    id: 'training',
    name: 'training',
    kind: KIND.training,
    type: 'builtin' as const,
    connection: { system: 'training' as const, schema: 'training', url: gw.databaseUrl },
  });

  it('R9: a source re-registered with a longer retention after the run’s approval, before its task runs, keeps the record now inside it; the run closes PARTIALLY_COMPLETED naming it', async () => {
    const s = gw.runtime.services;
    // The last learner: no other test here ages it or holds it.
    const [learner] = (await sql<{ id: string }>(`SELECT id FROM training.learners ORDER BY id DESC LIMIT 1`)).map((r) => r.id);
    await age('training.learners', [learner!], '4 years');
    const run = await s.retention.prepare({ actor: 'handler', sourceIds: ['training'] });
    expect(run.summary[0]!.toDestroy).toEqual([{ recordType: 'learner', action: 'ERASE', count: expect.any(Number) }]);
    const registration = trainingRegistration();
    try {
      const closed = await approveAndChangeBeforeTasks(run.id, 'training', () =>
        s.sources.register({ ...registration, retention: { maxAge: 'P10Y', summary: 'ten years (changed after the run was approved)' } }, 'test'),
      );
      expect(closed.status).toBe('PARTIALLY_COMPLETED');
      expect(closed.outcome!.reasons).toContainEqual(expect.stringMatching(new RegExp(`record ${learner}\\) failed: .*RETENTION_CHANGED: .*NOT_EXPIRED`)));
      expect(await sql(`SELECT 1 FROM training.learners WHERE id = $1`, [learner])).toHaveLength(1);
    } finally {
      await s.sources.register(registration, 'test');
    }
  }, 60_000);

  it('R9: a source whose retention says, after the run’s approval and before its task runs, to anonymise or minimise instead of delete keeps the record whole: the approved deletion is not carried out, the run closes PARTIALLY_COMPLETED naming it', async () => {
    const s = gw.runtime.services;
    // The last learner but one: no other test here ages it or holds it.
    const [learner] = (await sql<{ id: string }>(`SELECT id FROM training.learners ORDER BY id DESC LIMIT 1 OFFSET 1`)).map((r) => r.id);
    await age('training.learners', [learner!], '4 years');
    const run = await s.retention.prepare({ actor: 'handler', sourceIds: ['training'] });
    expect(run.summary[0]!.toDestroy).toEqual([{ recordType: 'learner', action: 'ERASE', count: expect.any(Number) }]);
    const registration = trainingRegistration();
    try {
      const closed = await approveAndChangeBeforeTasks(run.id, 'training', () =>
        s.sources.register(
          { ...registration, retention: { erasure: 'ANONYMISE', summary: 'anonymised past retention (changed after the run was approved)' } },
          'test',
        ),
      );
      expect(closed.status).toBe('PARTIALLY_COMPLETED');
      expect(closed.outcome!.reasons).toContainEqual(expect.stringMatching(new RegExp(`record ${learner}\\) failed: .*RETENTION_CHANGED: ANONYMISE`)));
      expect(await sql(`SELECT 1 FROM training.learners WHERE id = $1 AND anonymised_at IS NULL`, [learner])).toHaveLength(1);
    } finally {
      await s.sources.register(registration, 'test');
    }
  }, 60_000);

  it('R1, R9: a record a restriction request still open asks to keep (stored, not processed, often instead of its erasure) is kept by the preview with its reason, and by a run approved before that request came: its task leaves it alone', async () => {
    const s = gw.runtime.services;
    const [asked, askedLater] = (
      await sql<{ id: string }>(`SELECT id FROM case_management.cases WHERE controller_id IS NULL ORDER BY id OFFSET 6 LIMIT 2`)
    ).map((r) => r.id);
    await age('case_management.cases', [asked!, askedLater!], '4 years');
    const restrictionOf = (recordId: string) =>
      insertApprovedRequest(s, {
        type: RequestType.RESTRICTION,
        identifiers: [{ type: T.EMAIL, value: `restrict-${recordId}@example.org` }],
        status: RequestStatus.IN_REVIEW,
        decisions: [{ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.RESTRICT }],
      });
    const holder = await restrictionOf(asked!);
    const run = await s.retention.prepare({ actor: 'handler', sourceIds: ['case_management'] });
    const items = new Map((await s.stores.retentionRuns.items(run.id)).map((i) => [i.record_id, i]));
    expect(items.get(asked!)).toMatchObject({ action: null, kept_reason: 'OPEN_REQUEST', kept_detail: expect.stringContaining(holder) });
    expect(items.get(askedLater!)).toMatchObject({ action: RecordAction.ERASE, kept_reason: null });
    const closed = await approveAndChangeBeforeTasks(run.id, 'case_management', () => restrictionOf(askedLater!));
    expect(closed.status).toBe('PARTIALLY_COMPLETED');
    expect(closed.outcome!.reasons).toContainEqual(expect.stringMatching(new RegExp(`record ${askedLater}\\) failed: .*OPEN_REQUEST: left alone`)));
    expect(await sql(`SELECT id FROM case_management.cases WHERE id = ANY($1) ORDER BY id`, [[asked, askedLater]])).toHaveLength(2);
  }, 60_000);

  it('R1, R9: a restriction stands once its request is answered: a record restricted at the person’s request is kept by the preview, by the approval of a run previewed before, and by a run’s task queued before that request closed; a rejected one keeps nothing', async () => {
    const s = gw.runtime.services;
    const [before, beforeApproval, beforeTask, refused] = (
      await sql<{ id: string }>(`SELECT id FROM case_management.cases WHERE controller_id IS NULL ORDER BY id OFFSET 8 LIMIT 4`)
    ).map((r) => r.id);
    await age('case_management.cases', [before!, beforeApproval!, beforeTask!, refused!], '4 years');
    const restriction = (recordId: string, status: RequestStatus = RequestStatus.APPROVED) =>
      insertApprovedRequest(s, {
        type: RequestType.RESTRICTION,
        identifiers: [{ type: T.EMAIL, value: `restricted-${recordId}@example.org` }],
        status,
        decisions: [{ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.RESTRICT }],
      });
    /** The restriction carried out at the source and its request answered. */
    const restrictFully = async (recordId: string) => {
      const requestId = await restriction(recordId);
      await s.execution.execute(requestId, 'handler');
      expect(await waitForClosed(s, requestId)).toBe(RequestStatus.COMPLETED);
      expect(await sql(`SELECT 1 FROM case_management.cases WHERE id = $1 AND restricted`, [recordId])).toHaveLength(1);
      return requestId;
    };
    const answered = await restrictFully(before!);
    // A restriction rejected (or cancelled) was never carried out: it keeps nothing.
    await restriction(refused!, RequestStatus.REJECTED);
    const run = await s.retention.prepare({ actor: 'handler', sourceIds: ['case_management'] });
    const items = new Map((await s.stores.retentionRuns.items(run.id)).map((i) => [i.record_id, i]));
    expect(items.get(before!)).toMatchObject({ action: null, kept_reason: 'RESTRICTED', kept_detail: expect.stringContaining(answered) });
    expect(items.get(beforeApproval!)).toMatchObject({ action: RecordAction.ERASE, kept_reason: null });
    expect(items.get(beforeTask!)).toMatchObject({ action: RecordAction.ERASE, kept_reason: null });
    expect(items.get(refused!)).toMatchObject({ action: RecordAction.ERASE, kept_reason: null });
    await restrictFully(beforeApproval!);
    // The last one's restriction is answered while the run's task waits in the queue.
    const closed = await approveAndChangeBeforeTasks(run.id, 'case_management', () => restriction(beforeTask!, RequestStatus.COMPLETED));
    expect(closed.outcome!.heldSincePreview).toBe(1);
    expect(closed.outcome!.reasons).toContainEqual(
      expect.stringMatching(new RegExp(`record ${beforeTask}\\) failed: .*RESTRICTED: left alone, a restriction the person asked for keeps the record`)),
    );
    expect(await sql(`SELECT id FROM case_management.cases WHERE id = ANY($1)`, [[before, beforeApproval, beforeTask]])).toHaveLength(3);
  }, 90_000);

  it('R1, R9: a record a restriction request answered asks to keep (restriction in force, the request closed) is kept by the preview with its reason, and by a run approved before that request closed: its task leaves it alone', async () => {
    const s = gw.runtime.services;
    const [restricted, restrictedLater] = (
      await sql<{ id: string }>(`SELECT id FROM case_management.cases WHERE controller_id IS NULL ORDER BY id OFFSET 12 LIMIT 2`)
    ).map((r) => r.id);
    await age('case_management.cases', [restricted!, restrictedLater!], '4 years');
    const answeredRestriction = (recordId: string) =>
      insertApprovedRequest(s, {
        type: RequestType.RESTRICTION,
        identifiers: [{ type: T.EMAIL, value: `restricted-${recordId}@example.org` }],
        status: RequestStatus.COMPLETED,
        decisions: [{ sourceId: 'case_management', recordId, recordType: 'case', action: RecordAction.RESTRICT }],
      });
    const holder = await answeredRestriction(restricted!);
    const run = await s.retention.prepare({ actor: 'handler', sourceIds: ['case_management'] });
    const items = new Map((await s.stores.retentionRuns.items(run.id)).map((i) => [i.record_id, i]));
    expect(items.get(restricted!)).toMatchObject({ action: null, kept_reason: 'RESTRICTED', kept_detail: expect.stringContaining(holder) });
    expect(items.get(restrictedLater!)).toMatchObject({ action: RecordAction.ERASE, kept_reason: null });
    const closed = await approveAndChangeBeforeTasks(run.id, 'case_management', () => answeredRestriction(restrictedLater!));
    expect(closed.status).toBe('PARTIALLY_COMPLETED');
    expect(closed.outcome!.reasons).toContainEqual(expect.stringMatching(new RegExp(`record ${restrictedLater}\\) failed: .*RESTRICTED: left alone`)));
    expect(await sql(`SELECT id FROM case_management.cases WHERE id = ANY($1) ORDER BY id`, [[restricted, restrictedLater]])).toHaveLength(2);
    // A restriction rejected or cancelled keeps nothing.
    await sql(`UPDATE data_subject_request SET status = 'CANCELLED' WHERE id = $1`, [holder]);
    const again = await s.retention.prepare({ actor: 'handler', sourceIds: ['case_management'] });
    const itemsAgain = new Map((await s.stores.retentionRuns.items(again.id)).map((i) => [i.record_id, i]));
    expect(itemsAgain.get(restricted!)).toMatchObject({ action: RecordAction.ERASE, kept_reason: null });
    await s.retention.cancel(again.id, 'handler');
  }, 60_000);

  it('R9: a run whose queued jobs Redis lost (flushed, or restarted without its data) is queued again from the task table, audited, and closes with its records destroyed', async () => {
    const s = gw.runtime.services;
    const [learner] = (await sql<{ id: string }>(`SELECT id FROM training.learners ORDER BY id DESC OFFSET 1 LIMIT 1`)).map((r) => r.id);
    await age('training.learners', [learner!], '4 years');
    const run = await s.retention.prepare({ actor: 'handler', sourceIds: ['training'] });
    const queue = s.execution.queue(QueueNames.sourceTasks('training'));
    await queue.pause();
    await s.retention.approve(run.id, 'handler');
    await removeQueueKeys(TEST_REDIS_URL, gw.config.QUEUE_PREFIX!); // the run's jobs, and the pause, are gone
    expect(await s.retention.requeueStranded(new Date(Date.now() + 1000), (name) => s.execution.queue(name))).toEqual([run.id]);
    const closed = await eventually(
      () => s.retention.find(run.id),
      (r) => r.status !== 'EXECUTING',
      { timeoutMs: 30_000 },
    );
    expect(closed.status).toBe('COMPLETED');
    expect(await sql(`SELECT 1 FROM training.learners WHERE id = $1`, [learner])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM audit_log WHERE action = 'retention.requeue-stranded' AND target_id = $1`, [run.id])).toHaveLength(1);
  }, 60_000);

  it('R9: a source that cannot list its records past retention is named in the preview, never skipped silently', async () => {
    const s = gw.runtime.services;
    await s.sources.register(
      {
        id: 'no-listing',
        name: 'no listing',
        kind: SourceKind.OTHER,
        type: 'remote',
        connection: { baseUrl: 'http://127.0.0.1:9/', secretEnv: 'DSR_SOURCE_SECRET_NOLIST' },
      },
      'test',
    );
    const run = await s.retention.prepare({ actor: 'test', sourceIds: ['no-listing'] });
    expect(run.summary).toEqual([
      expect.objectContaining({ sourceId: 'no-listing', listable: false, error: expect.stringMatching(/^(NOT_SUPPORTED|UNAVAILABLE|CONFIGURATION)/) }),
    ]);
    await s.retention.cancel(run.id, 'test');
  });

  it('an unknown run id answers RETENTION_RUN_NOT_FOUND; an unknown source SOURCE_NOT_FOUND, and no run is made', async () => {
    const reply = await gw.graphql(`query { retentionRun(id: "00000000-0000-4000-8000-000000000000") { id } }`, {}, auditor);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('RETENTION_RUN_NOT_FOUND');
    const before = (await gw.runtime.services.retention.list(100)).length;
    const unknown = await gw.graphql(`mutation { prepareRetentionRun(sourceIds: ["no-such-source"]) { id } }`, {}, handler);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('SOURCE_NOT_FOUND');
    expect((await gw.runtime.services.retention.list(100)).length).toBe(before);
  });
});
