// The recreation sweep's erasures keep R8 and R6 although their records were never in a
// verification snapshot: the rules are checked when the task runs, from the record as the
// source holds it and the request's controller instructions.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { personAt } from '../../../src/population/person.js';
import { IdentifierType as T, RequestStatus, RequestType } from '../../../src/domain/vocabulary.js';
import { normaliseQueryIdentifiers } from '../../../src/identity/index.js';
import { insertCase } from '../../../connectors/case-management/roster-import.js';
import { runRecreationSweep } from '../../../src/tombstones/recreation-sweep.js';
import { insertApprovedRequest, tasksOf, waitForClosed } from '../../support/requests-fixture.js';
import { caseSource } from '../../support/sources-fixture.js';
import { eventually } from '../../support/eventually.js';

const SEED = 13;

describe('R8, R6: erasures the recreation sweep queues', () => {
  let gw: TestGateway;
  let pool: pg.Pool;

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', env: { TASK_BACKOFF_MS: '20', TASK_ATTEMPTS: '2', SCHEDULERS: 'false' } });
    await seedReferenceSources({ url: gw.databaseUrl, people: 10, seed: SEED, systems: ['case_management'] });
    pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await gw?.stop();
  });

  /** An erasure of a person no seeded record holds, run to COMPLETED: their identifiers are tombstoned. */
  async function erased(
    index: number,
    refuseFor?: { sourceId: string; controllerId: string; decision?: 'REFUSE' | 'RETURN_AND_ERASE' },
  ): Promise<{ requestId: string; person: ReturnType<typeof personAt> }> {
    const s = gw.runtime.services;
    const person = personAt(SEED, index);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [
        { type: T.EMAIL, value: person.email },
        { type: T.PHONE, value: person.phone },
      ],
      decisions: [],
    });
    if (refuseFor) {
      await pool.query(
        `INSERT INTO controller_instruction (request_id, source_id, controller_id, decision, reference, actor, at) VALUES ($1, $2, $3, $4, 'letter 3', 'handler', now())`,
        [requestId, refuseFor.sourceId, refuseFor.controllerId, refuseFor.decision ?? 'REFUSE'],
      );
    }
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId)).toBe('COMPLETED');
    return { requestId, person };
  }

  const recreate = (person: ReturnType<typeof personAt>, controllerId?: string) =>
    insertCase(pool, 'case_management', {
      ref: 'ROW',
      givenName: person.givenName,
      familyName: person.familyName,
      dateOfBirth: person.dateOfBirth,
      email: person.email,
      phone: person.phone,
      employer: 'Acme',
      controllerId,
    });

  const settledTask = (requestId: string, sourceId: string, recordId: string) =>
    eventually(
      async () => (await tasksOf(gw.runtime.services, requestId)).find((t) => t.source_id === sourceId && t.record_id === recordId),
      (t) => t?.status === 'SUCCEEDED' || t?.status === 'FAILED',
    );

  it('R6: a recreated record whose controller refused the original request is not erased by the sweep', async () => {
    const s = gw.runtime.services;
    await s.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
    const refused = await erased(500, { sourceId: 'case_management', controllerId: 'insurer-9' });
    const free = await erased(501);
    const refusedRecord = await recreate(refused.person, 'insurer-9');
    const freeRecord = await recreate(free.person, 'insurer-9');

    const report = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000) });
    expect(report.hits.map((h) => [h.recordId, h.requestId]).sort()).toEqual(
      [
        [refusedRecord, refused.requestId],
        [freeRecord, free.requestId],
      ].sort(),
    );

    const task = await settledTask(refused.requestId, 'case_management', refusedRecord);
    expect(task).toMatchObject({ status: 'FAILED', applied_count: 0 });
    expect(task!.last_error).toMatch(/CONTROLLER_REFUSED/);
    expect((await pool.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [refusedRecord])).rows).toHaveLength(1);
    // The same controller's record for a request it did not refuse is erased.
    expect(await settledTask(free.requestId, 'case_management', freeRecord)).toMatchObject({ status: 'SUCCEEDED', applied_count: 1 });
    expect((await pool.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [freeRecord])).rows).toHaveLength(0);
  }, 60_000);

  it('R10, R16: a record of another person who shares one contact of the erased person (a household phone) is not erased by the sweep; it is reported for a handler', async () => {
    const s = gw.runtime.services;
    if (!(await s.sources.find('case_management'))) await s.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
    const { requestId, person } = await erased(520);
    const recreated = await recreate(person);
    // Someone else: own name, date of birth and e-mail, the erased person's landline.
    const housemate = personAt(SEED, 521);
    const other = await insertCase(pool, 'case_management', {
      ref: 'ROW',
      givenName: housemate.givenName,
      familyName: housemate.familyName,
      dateOfBirth: housemate.dateOfBirth,
      email: housemate.email,
      phone: person.phone,
      employer: 'Acme',
    });

    const report = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000) });
    const mine = (ids: { recordId: string }[]) => ids.map((h) => h.recordId).filter((id) => id === recreated || id === other);
    expect(mine(report.hits)).toEqual([recreated]);
    expect(report.unconfirmed).toEqual([{ sourceId: 'case_management', recordId: other, requestId }]);

    // The erased person's record goes; the other person's stays, with no task against it.
    expect(await settledTask(requestId, 'case_management', recreated)).toMatchObject({ status: 'SUCCEEDED', applied_count: 1 });
    expect((await tasksOf(s, requestId)).filter((t) => t.record_id === other)).toEqual([]);
    expect((await pool.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [other])).rows).toHaveLength(1);
  }, 60_000);

  it('R10, R16: an earlier request that erased only other kinds of record (a child’s access request) does not hide a later erasure of the same person from the sweep', async () => {
    const s = gw.runtime.services;
    if (!(await s.sources.find('case_management'))) await s.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
    const person = personAt(SEED, 530);
    const identifiers = [
      { type: T.EMAIL, value: person.email },
      { type: T.PHONE, value: person.phone },
    ];
    // First the child's access request, which erased their online training records only and
    // tombstoned them; months later an erasure of the same person, holding the same tokens.
    const access = await insertApprovedRequest(s, {
      type: RequestType.ACCESS,
      identifiers,
      decisions: [{ sourceId: 'training', recordId: 'learner-530', recordType: 'learner', action: 'ERASE' }],
    });
    await s.tombstones.record(access, normaliseQueryIdentifiers(identifiers), new Date('2026-01-10T00:00:00Z'));
    const erasure = await insertApprovedRequest(s, { identifiers, decisions: [] });
    await s.tombstones.record(erasure, normaliseQueryIdentifiers(identifiers), new Date('2026-04-10T00:00:00Z'));
    const recreated = await recreate(person);

    const report = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000) });
    expect(report.hits.filter((h) => h.recordId === recreated).map((h) => h.requestId)).toEqual([erasure]);
    expect((await tasksOf(s, access)).filter((t) => t.record_id === recreated)).toEqual([]);
  }, 60_000);

  it('R1, R10: a recreated record the same person has since asked to be kept (a restriction, answered or still open) is not erased by the sweep; the erasure says why', async () => {
    const s = gw.runtime.services;
    if (!(await s.sources.find('case_management'))) await s.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
    const answered = await erased(540);
    const open = await erased(541);
    const answeredRecord = await recreate(answered.person);
    const openRecord = await recreate(open.person);
    // Months after the erasure the person asks that the record found again be kept and not used.
    const restrict = (requestId: string, recordId: string, status: RequestStatus) =>
      insertApprovedRequest(s, {
        type: RequestType.RESTRICTION,
        status,
        identifiers: [],
        decisions: [{ sourceId: 'case_management', recordId, recordType: 'case', action: 'RESTRICT' }],
      });
    await restrict(answered.requestId, answeredRecord, RequestStatus.COMPLETED);
    await restrict(open.requestId, openRecord, RequestStatus.APPROVED);

    const report = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000) });
    expect(
      report.hits
        .filter((h) => h.recordId === answeredRecord || h.recordId === openRecord)
        .map((h) => h.requestId)
        .sort(),
    ).toEqual([answered.requestId, open.requestId].sort());
    for (const [requestId, recordId] of [
      [answered.requestId, answeredRecord],
      [open.requestId, openRecord],
    ] as const) {
      const task = await settledTask(requestId, 'case_management', recordId);
      expect(task).toMatchObject({ status: 'FAILED', applied_count: 0 });
      expect(task!.last_error).toMatch(
        /OPEN_REQUEST: left alone, a restriction the person asked for after this request keeps the record; it stands until lifted/,
      );
      expect((await pool.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [recordId])).rows).toHaveLength(1);
    }
  }, 60_000);

  it('R8: a recreated record inside its source’s statutory retention is not erased by the sweep; one past it is', async () => {
    const s = gw.runtime.services;
    // Only the held registration sweeps the store now.
    if (await s.sources.find('case_management')) await s.sources.disable('case_management');
    // Case files kept ten years by law, erased by deletion afterwards: the sweep's action is ERASE.
    await s.sources.register(
      {
        ...caseSource('case_held', gw.databaseUrl),
        retention: {
          summary: '10 years from the last activity, by law',
          activePeriod: 'P10Y',
          statutory: true,
          basis: 'statutory retention of case files',
          erasure: 'DELETE' as const,
        },
      },
      'test',
    );
    const held = await erased(510);
    const past = await erased(511);
    const heldRecord = await recreate(held.person);
    const pastRecord = await recreate(past.person);
    await pool.query(
      `UPDATE case_management.cases SET created_at = now() - interval '20 years', last_activity_at = now() - interval '12 years' WHERE id = $1`,
      [pastRecord],
    );

    const report = await runRecreationSweep(s, { since: new Date(Date.now() - 30 * 365 * 86_400_000) });
    const hits = report.hits.filter((h) => h.sourceId === 'case_held');
    expect(hits.map((h) => [h.recordId, h.requestId])).toEqual(
      expect.arrayContaining([
        [heldRecord, held.requestId],
        [pastRecord, past.requestId],
      ]),
    );

    const task = await settledTask(held.requestId, 'case_held', heldRecord);
    expect(task).toMatchObject({ action: 'ERASE', status: 'FAILED', applied_count: 0 });
    expect(task!.last_error).toMatch(/LEGAL_HOLD: .*statutory retention of case files; retained until \d{4}-/);
    expect((await pool.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [heldRecord])).rows).toHaveLength(1);
    expect(await settledTask(past.requestId, 'case_held', pastRecord)).toMatchObject({ action: 'ERASE', status: 'SUCCEEDED', applied_count: 1 });
    expect((await pool.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [pastRecord])).rows).toHaveLength(0);
  }, 60_000);

  it('R6, R8: a recreated record of a controller that took its records back (RETURN_AND_ERASE) is still under statutory retention: it was never returned, so the sweep does not erase it', async () => {
    const s = gw.runtime.services;
    // The statutory registration of the test before (case_held) sweeps the store.
    const returned = await erased(512, { sourceId: 'case_held', controllerId: 'employer-5', decision: 'RETURN_AND_ERASE' });
    const recreated = await recreate(returned.person, 'employer-5');
    const report = await runRecreationSweep(s, { since: new Date(Date.now() - 86_400_000) });
    expect(report.hits.filter((h) => h.recordId === recreated).map((h) => h.requestId)).toEqual([returned.requestId]);
    const task = await settledTask(returned.requestId, 'case_held', recreated);
    expect(task).toMatchObject({ action: 'ERASE', status: 'FAILED', applied_count: 0 });
    expect(task!.last_error).toMatch(/LEGAL_HOLD: .*statutory retention of case files; retained until \d{4}-/);
    expect((await pool.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [recreated])).rows).toHaveLength(1);
  }, 60_000);
});
