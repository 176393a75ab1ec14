// Behaviour of the reference stores that the privacy rules require.
import { access } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinConnector } from '../../../connectors/builtin.js';
import { CctvConnector } from '../../../connectors/cctv/connector.js';
import { ClinicConnector } from '../../../connectors/clinic/connector.js';
import { decryptCardNumber } from '../../../connectors/concierge/card-crypto.js';
import { Relationship } from '../../../src/domain/vocabulary.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { createTestDatabase } from '../../support/test-database.js';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { blockingKeysOf } from '../../../src/identity/blocking.js';

let db: { url: string; drop: () => Promise<void> };
let footageDir: string;
const cardKey = Buffer.alloc(32, 7);
const plan = (action: 'ERASE' | 'ANONYMISE' | 'MINIMISE' | 'PURGE' = 'ERASE') => ({ action, requestId: 'req-1', taskId: 'task-1' });

async function sql<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** The `offset`-th most recent visit with footage, and its segments' files. */
async function visitWithFootage(cctv: CctvConnector, offset: number) {
  const [visit] = await sql<{ id: string }>(
    `SELECT v.id FROM cctv.visits v WHERE EXISTS (SELECT 1 FROM cctv.segments s WHERE s.site = v.site AND s.started_at < COALESCE(v.left_at, v.arrived_at + interval '1 day') AND s.ended_at > v.arrived_at)
      ORDER BY v.last_activity_at DESC OFFSET $1 LIMIT 1`,
    [offset],
  );
  const ref = { sourceId: 'cctv', recordId: visit!.id };
  const footage = (await cctv.export([ref]))[0]!.data.footage as { segmentId: string }[];
  const files = await sql<{ file_path: string }>(`SELECT file_path FROM cctv.segments WHERE id = ANY($1)`, [footage.map((f) => f.segmentId)]);
  expect(files.length).toBeGreaterThan(0);
  return { visit: visit!, ref, footage, files };
}

beforeAll(async () => {
  db = await createTestDatabase();
  footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-footage-'));
  await seedReferenceSources({
    url: db.url,
    people: 120,
    seed: 3,
    footageDir,
    cardKey,
    groundTruthPath: path.join(footageDir, 'truth.csv'),
    referenceDate: new Date(),
  });
});
afterAll(async () => {
  await db?.drop();
  await rm(footageDir, { recursive: true, force: true });
});

describe('reference stores', () => {
  it('R8: clinic refuses to erase a medical record, naming the legal hold and its end date', async () => {
    const clinic = createBuiltinConnector('clinic', { url: db.url, schema: 'clinic' });
    const [{ id }] = (await sql<{ id: string }>(`SELECT id FROM clinic.patients ORDER BY id LIMIT 1`)) as [{ id: string }];
    const result = await clinic.erase({ sourceId: 'clinic', recordId: id }, plan());
    expect(result.outcome).toBe('REFUSED');
    expect(result.detail).toMatch(/LEGAL_HOLD: Statutory retention.*retained until \d{4}-/);
    expect(await sql(`SELECT 1 FROM clinic.patients WHERE id = $1`, [id])).toHaveLength(1);
    await clinic.close();
  });

  it('R8: the clinic refuses a PURGE of a medical record still under statutory retention, whatever the gateway asks; past it, the record goes', async () => {
    const clinic = createBuiltinConnector('clinic', { url: db.url, schema: 'clinic' });
    const [held, old] = await sql<{ id: string }>(`SELECT id FROM clinic.patients ORDER BY id OFFSET 2 LIMIT 2`);
    const purge = (c: { erase: typeof clinic.erase }, id: string) => c.erase({ sourceId: 'clinic', recordId: id }, plan('PURGE'));
    const result = await purge(clinic, held!.id);
    expect(result.outcome).toBe('REFUSED');
    expect(result.detail).toMatch(/LEGAL_HOLD: Statutory retention.*retained until \d{4}-/);
    expect(await sql(`SELECT 1 FROM clinic.patients WHERE id = $1`, [held!.id])).toHaveLength(1);

    // Each defence holds alone: the clinic's own check, and the shared reference path's.
    class ClinicWithoutSharedCheck extends ClinicConnector {
      protected override retentionRunning() {
        return null;
      }
    }
    class ClinicThatWouldPurge extends ClinicConnector {
      protected override async eraseRecords(_c: unknown, _s: unknown, rows: readonly unknown[]) {
        return rows.map(() => ({ outcome: 'APPLIED' as const }));
      }
    }
    for (const c of [new ClinicWithoutSharedCheck({ url: db.url, schema: 'clinic' }), new ClinicThatWouldPurge({ url: db.url, schema: 'clinic' })]) {
      expect((await purge(c, held!.id)).outcome, c.constructor.name).toBe('REFUSED');
      await c.close();
    }
    expect(await sql(`SELECT 1 FROM clinic.patients WHERE id = $1`, [held!.id])).toHaveLength(1);

    // Thirty-four years without activity: retention has run out and the PURGE goes ahead.
    await sql(`UPDATE clinic.patients SET created_at = now() - interval '40 years', last_activity_at = now() - interval '34 years' WHERE id = $1`, [old!.id]);
    expect((await purge(clinic, old!.id)).outcome).toBe('APPLIED');
    expect(await sql(`SELECT 1 FROM clinic.patients WHERE id = $1`, [old!.id])).toHaveLength(0);
    await clinic.close();
  });

  it('R14: a clinic correction is an annotation; the original stays', async () => {
    const clinic = createBuiltinConnector('clinic', { url: db.url, schema: 'clinic' });
    const [row] = await sql<{ id: string; family_name: string }>(`SELECT id, family_name FROM clinic.patients ORDER BY id OFFSET 1 LIMIT 1`);
    const ref = { sourceId: 'clinic', recordId: row!.id };
    const change = { field: 'familyName', value: 'Corrected', reason: 'passport shown' };
    expect((await clinic.correct(ref, [change])).outcome).toBe('APPLIED');
    expect((await clinic.correct(ref, [change])).outcome).toBe('ALREADY_APPLIED');
    const [exported] = await clinic.export([ref]);
    expect(exported!.data.family_name).toBe(row!.family_name);
    expect(exported!.data.annotations).toEqual([expect.objectContaining({ field: 'familyName', value: 'Corrected', reason: 'passport shown' })]);
    await clinic.close();
  });

  it('R14: a clinic record corrected back to an earlier value is annotated again, so its latest annotation is the value now correct', async () => {
    const clinic = createBuiltinConnector('clinic', { url: db.url, schema: 'clinic' });
    const [row] = await sql<{ id: string }>(`SELECT id FROM clinic.patients ORDER BY id OFFSET 4 LIMIT 1`);
    const ref = { sourceId: 'clinic', recordId: row!.id };
    const to = (value: string) => [{ field: 'email', value, reason: 'the person told us' }];
    expect((await clinic.correct(ref, to('first@example.org'))).outcome).toBe('APPLIED');
    expect((await clinic.correct(ref, to('second@example.org'))).outcome).toBe('APPLIED');
    expect((await clinic.correct(ref, to('first@example.org'))).outcome).toBe('APPLIED');
    // The same correction delivered again (a retried task) adds nothing.
    expect((await clinic.correct(ref, to('first@example.org'))).outcome).toBe('ALREADY_APPLIED');
    const [exported] = await clinic.export([ref]);
    const annotations = exported!.data.annotations as { field: string; value: string }[];
    expect(annotations.map((a) => a.value)).toEqual(['first@example.org', 'second@example.org', 'first@example.org']);
    await clinic.close();
  });

  it('R16: an emergency contact can be removed from a patient record; the patient record stays', async () => {
    const clinic = createBuiltinConnector('clinic', { url: db.url, schema: 'clinic' });
    const [contact] = await sql<{ id: string; patient_id: string }>(`SELECT id, patient_id FROM clinic.emergency_contacts ORDER BY id LIMIT 1`);
    const [record] = await clinic.export([{ sourceId: 'clinic', recordId: contact!.id }]);
    expect(record).toMatchObject({ relationship: Relationship.EMERGENCY_CONTACT, parentRecordId: contact!.patient_id });
    expect((await clinic.erase({ sourceId: 'clinic', recordId: contact!.id }, plan())).outcome).toBe('APPLIED');
    expect(await sql(`SELECT 1 FROM clinic.patients WHERE id = $1`, [contact!.patient_id])).toHaveLength(1);
    expect(await sql(`SELECT 1 FROM clinic.record_key WHERE record_id = $1`, [contact!.id])).toHaveLength(0);
    await clinic.close();
  });

  it('R6: the clinic erases an occupational assessment held for an employer (returned to it on its instruction); one of the group’s own stays held', async () => {
    const clinic = createBuiltinConnector('clinic', { url: db.url, schema: 'clinic' });
    const [held] = await sql<{ id: string }>(`SELECT id FROM clinic.occupational_assessments WHERE controller_id IS NOT NULL ORDER BY id LIMIT 1`);
    await sql(`INSERT INTO clinic.annotations (record_id, field, value, reason) VALUES ($1, 'fitnessOutcome', 'Fit', 'test')`, [held!.id]);
    const [own] = await sql<{ id: string }>(`SELECT id FROM clinic.occupational_assessments WHERE id <> $1 ORDER BY id LIMIT 1`, [held!.id]);
    await sql(`UPDATE clinic.occupational_assessments SET controller_id = NULL WHERE id = $1`, [own!.id]);
    const [returned, kept] = await clinic.eraseMany!([
      { ref: { sourceId: 'clinic', recordId: held!.id }, plan: plan() },
      { ref: { sourceId: 'clinic', recordId: own!.id }, plan: plan() },
    ]);
    expect(returned!.outcome).toBe('APPLIED');
    expect(kept!.outcome).toBe('REFUSED');
    expect(kept!.detail).toMatch(/LEGAL_HOLD/);
    expect(await sql(`SELECT 1 FROM clinic.occupational_assessments WHERE id = $1`, [held!.id])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM clinic.annotations WHERE record_id = $1`, [held!.id])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM clinic.occupational_assessments WHERE id = $1`, [own!.id])).toHaveLength(1);
    await clinic.close();
  });

  it('R15: concierge exports brand, last four and expiry only; the stored number is encrypted', async () => {
    const concierge = createBuiltinConnector('concierge', { url: db.url, schema: 'concierge' });
    const [card] = await sql<{ member_ref: string; card_number_enc: string; last_four: string }>(
      `SELECT member_ref, card_number_enc, last_four FROM concierge.payment_cards LIMIT 1`,
    );
    const pan = decryptCardNumber(card!.card_number_enc, cardKey);
    expect(pan.endsWith(card!.last_four)).toBe(true);
    expect(card!.card_number_enc).not.toContain(pan);
    const [member] = await concierge.export([{ sourceId: 'concierge', recordId: card!.member_ref }]);
    const cards = member!.data.paymentCards as Record<string, unknown>[];
    expect(Object.keys(cards[0]!).sort()).toEqual(['brand', 'expiry', 'id', 'last_four']);
    expect(JSON.stringify(member)).not.toContain(pan);
    await concierge.close();
  });

  it('R9: recruitment erasure minimises to a recruiting-activity record without identifiers', async () => {
    const recruitment = createBuiltinConnector('recruitment', { url: db.url, schema: 'recruitment' });
    const [cand] = await sql<{ id: string }>(`SELECT id FROM recruitment.candidates WHERE NOT hired ORDER BY id LIMIT 1`);
    const ref = { sourceId: 'recruitment', recordId: cand!.id };
    expect((await recruitment.erase(ref, plan('MINIMISE'))).outcome).toBe('APPLIED');
    expect((await recruitment.erase(ref, plan('MINIMISE'))).outcome).toBe('ALREADY_APPLIED');
    const activity = await sql<Record<string, unknown>>(`SELECT * FROM recruitment.recruiting_activity WHERE source_record_id = $1`, [cand!.id]);
    expect(activity).toHaveLength(1);
    expect(Object.keys(activity[0]!).sort()).toEqual(['applied_at', 'country', 'id', 'minimised_at', 'outcome', 'position', 'source_record_id']);
    for (const t of ['candidates', 'applications', 'eo_monitoring', 'referees']) {
      expect(await sql(`SELECT 1 FROM recruitment.${t} WHERE ${t === 'candidates' ? 'id' : 'candidate_ref'} = $1`, [cand!.id])).toHaveLength(0);
    }
    await recruitment.close();
  });

  it('case management: dependants and beneficiaries are their own records pointing at the case', async () => {
    const cases = createBuiltinConnector('case_management', { url: db.url, schema: 'case_management' });
    const [party] = await sql<{ id: string; case_id: string; role: string }>(`SELECT id, case_id, role FROM case_management.case_parties ORDER BY id LIMIT 1`);
    const [record] = await cases.export([{ sourceId: 'cm', recordId: party!.id }]);
    expect(record).toMatchObject({ relationship: party!.role, parentRecordId: party!.case_id });
    const [answer] = await cases.discover([{ identifiers: record!.identifiers, blockingKeys: blockingKeysOf(record!.identifiers) }]);
    expect(answer!.map((r) => r.recordId)).toContain(party!.id);
    const [ctl] = await sql<{ id: string; controller_id: string }>(
      `SELECT id, controller_id FROM case_management.cases WHERE controller_id IS NOT NULL LIMIT 1`,
    );
    expect((await cases.export([{ sourceId: 'cm', recordId: ctl!.id }]))[0]!.controllerId).toBe(ctl!.controller_id);
    await cases.close();
  });

  it('R9: CCTV erasure deletes the visit and its footage segments (files and rows)', async () => {
    const cctv = new CctvConnector({ url: db.url, schema: 'cctv', footageDir });
    const [visit] = await sql<{ id: string }>(`SELECT id FROM cctv.visits ORDER BY last_activity_at DESC LIMIT 1`);
    const ref = { sourceId: 'cctv', recordId: visit!.id };
    const [record] = await cctv.export([ref]);
    const footage = record!.data.footage as { segmentId: string }[];
    expect(footage.length).toBeGreaterThan(0);
    const files = await sql<{ id: string; file_path: string }>(`SELECT id, file_path FROM cctv.segments WHERE id = ANY($1)`, [footage.map((f) => f.segmentId)]);
    for (const f of files) await access(path.join(footageDir, f.file_path));
    expect((await cctv.erase(ref, plan('PURGE'))).outcome).toBe('APPLIED');
    expect(await sql(`SELECT 1 FROM cctv.segments WHERE id = ANY($1)`, [files.map((f) => f.id)])).toHaveLength(0);
    for (const f of files) await expect(access(path.join(footageDir, f.file_path))).rejects.toThrow();
    expect((await cctv.erase(ref, plan('PURGE'))).outcome).toBe('NOT_FOUND');
    await cctv.close();
  });

  it('R9: footage files go only once the erasure has committed; a rolled-back erasure leaves them', async () => {
    const cctv = new CctvConnector({ url: db.url, schema: 'cctv', footageDir });
    const { visit, ref, footage, files } = await visitWithFootage(cctv, 1);
    // Another table of the store still points at the visit: deleting it fails after the segments' rows went.
    await sql(`CREATE TABLE cctv.incident_reports (visit_id text REFERENCES cctv.visits(id))`);
    await sql(`INSERT INTO cctv.incident_reports VALUES ($1)`, [visit.id]);
    try {
      await expect(cctv.erase(ref, plan('PURGE'))).rejects.toThrow();
      expect(await sql(`SELECT 1 FROM cctv.segments WHERE id = ANY($1)`, [footage.map((f) => f.segmentId)])).toHaveLength(footage.length);
      for (const f of files) await access(path.join(footageDir, f.file_path));
    } finally {
      await sql(`DROP TABLE cctv.incident_reports`);
    }
    expect((await cctv.erase(ref, plan('PURGE'))).outcome).toBe('APPLIED');
    for (const f of files) await expect(access(path.join(footageDir, f.file_path))).rejects.toThrow();
    await cctv.close();
  });

  it('R9: a footage file that cannot be removed after the commit makes the erasure REFUSED with the reason, not APPLIED', async () => {
    const cctv = new CctvConnector({ url: db.url, schema: 'cctv', footageDir });
    const { visit, ref, files } = await visitWithFootage(cctv, 2);
    // A directory where the file should be: unlink fails whoever runs the test.
    const where = path.join(footageDir, files[0]!.file_path);
    await rm(where, { force: true });
    await mkdir(where);
    try {
      const result = await cctv.erase(ref, plan('PURGE'));
      expect(result.outcome).toBe('REFUSED');
      expect(result.detail).toMatch(/1 footage file\(s\) could not be removed/);
      expect(await sql(`SELECT 1 FROM cctv.visits WHERE id = $1`, [visit.id])).toHaveLength(0);
    } finally {
      await rm(where, { recursive: true, force: true });
      await cctv.close();
    }
  });

  it('case management: erasing a case deletes its parties, notes and every blocking key of both', async () => {
    const cases = createBuiltinConnector('case_management', { url: db.url, schema: 'case_management' });
    const [kase] = await sql<{ id: string }>(
      `SELECT c.id FROM case_management.cases c WHERE EXISTS (SELECT 1 FROM case_management.case_parties p WHERE p.case_id = c.id)
          AND EXISTS (SELECT 1 FROM case_management.case_notes n WHERE n.case_id = c.id) ORDER BY c.id LIMIT 1`,
    );
    const parties = (await sql<{ id: string }>(`SELECT id FROM case_management.case_parties WHERE case_id = $1`, [kase!.id])).map((p) => p.id);
    const owners = [kase!.id, ...parties];
    expect(await sql(`SELECT 1 FROM case_management.record_key WHERE record_id = ANY($1)`, [owners])).not.toHaveLength(0);
    expect((await cases.erase({ sourceId: 'cm', recordId: kase!.id }, plan('ERASE'))).outcome).toBe('APPLIED');
    expect(await sql(`SELECT 1 FROM case_management.record_key WHERE record_id = ANY($1)`, [owners])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM case_management.case_parties WHERE case_id = $1`, [kase!.id])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM case_management.case_notes WHERE case_id = $1`, [kase!.id])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM case_management.cases WHERE id = $1`, [kase!.id])).toHaveLength(0);
    await cases.close();
  });

  it('R9: CCTV lists every visit older than 90 days as past retention, page by page, and nothing newer', async () => {
    const cctv = new CctvConnector({ url: db.url, schema: 'cctv', footageDir });
    const now = new Date();
    const cutoff = new Date(now.getTime() - 90 * 86_400_000);
    const old = (await sql<{ id: string }>(`SELECT id FROM cctv.visits WHERE COALESCE(last_activity_at, created_at) <= $1 ORDER BY id`, [cutoff])).map(
      (v) => v.id,
    );
    expect(old.length).toBeGreaterThan(3);
    const listed: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const { records, next } = await cctv.listExpired(now, 3, after);
      listed.push(...records.map((r) => r.recordId));
      if (!next) break;
      after = next;
    }
    expect(listed).toEqual(old);
    await cctv.close();
  });

  it('R9: the CCTV purge removes footage older than 90 days that no visit points to, and leaves visits to retention runs', async () => {
    const cctv = new CctvConnector({ url: db.url, schema: 'cctv', footageDir });
    const now = new Date();
    const [segment] = await sql<{ id: string }>(`SELECT id FROM cctv.segments ORDER BY id LIMIT 1`);
    // Older than any visit: no visit points to it.
    await sql(
      `UPDATE cctv.segments SET started_at = now() - interval '400 days', ended_at = now() - interval '400 days' + interval '30 minutes' WHERE id = $1`,
      [segment!.id],
    );
    const [{ visits }] = (await sql<{ visits: number }>(`SELECT count(*)::int AS visits FROM cctv.visits`)) as [{ visits: number }];
    const purged = await cctv.purgeExpired(now);
    expect(purged.segments).toBeGreaterThanOrEqual(1);
    expect(await sql(`SELECT 1 FROM cctv.segments WHERE id = $1`, [segment!.id])).toHaveLength(0);
    expect(await sql(`SELECT 1 FROM cctv.visits`)).toHaveLength(visits);
    await cctv.close();
  });
});
