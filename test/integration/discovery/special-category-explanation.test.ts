// R12 in match explanations: when an identifier is itself special-category data (the
// number of a sexual-health clinic's register says the person attends it), the values
// compared for it are withheld from a handler without SPECIAL_CATEGORY, like the data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfigInput } from '../../../connectors/registry.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { createForeignCrmDatabase, type ForeignDatabase } from '../connectors/foreign-crm.js';

const CLINIC_NUMBER = 'GUM-77031';
const DIAGNOSIS = 'Chlamydia, treated';

function registerConfig(url: string): SourceConfigInput {
  return {
    id: 'gum_clinic',
    name: 'Sexual health clinic register',
    kind: 'OTHER',
    type: 'sql',
    connection: { url, passwordEnv: 'DSR_SOURCE_SECRET_CRM_DB_PASSWORD' },
    controller: { role: 'CONTROLLER' },
    retention: { summary: '8 years after last visit', activePeriod: 'P8Y', erasure: 'DELETE' },
    mapping: {
      recordTypes: [
        {
          name: 'patient',
          table: 'crm.gum_register',
          primaryKey: 'reg_no',
          identifiers: { first_name: 'GIVEN_NAME', surname: 'FAMILY_NAME', e_mail: 'EMAIL', born: 'DATE_OF_BIRTH', clinic_number: 'PATIENT_ID' },
          fullName: ['first_name', 'surname'],
          columns: {
            first_name: { categories: ['IDENTITY'], erase: 'NULL' },
            surname: { categories: ['IDENTITY'], erase: 'NULL' },
            e_mail: { categories: ['CONTACT'], erase: 'NULL' },
            born: { categories: ['IDENTITY'], erase: 'NULL' },
            clinic_number: { categories: ['HEALTH'], erase: 'DELETE_ROW' },
            diagnosis: { categories: ['HEALTH'], erase: 'NULL' },
          },
        },
      ],
    },
  } as SourceConfigInput;
}

interface Comparison {
  field: string;
  group: string;
  queryValue: string | null;
  recordValue: string | null;
  withheld: boolean;
}
interface Answer {
  subject: {
    records: { sourceId: string; recordId: string; band: string; data: Record<string, unknown>; withheldFields: string[]; explanation: Comparison[] }[];
  };
}
const SUBJECT = `query($q: SubjectQueryInput!) { subject(query: $q) { records { sourceId recordId band data withheldFields explanation { field group queryValue recordValue withheld } } } }`;

describe('R12: special-category identifiers in match explanations', () => {
  let gw: TestGateway;
  let db: ForeignDatabase;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'not-needed-locally' } });
    db = await createForeignCrmDatabase();
    await db.query(
      `CREATE TABLE crm.gum_register (reg_no serial PRIMARY KEY, first_name text, surname text, e_mail text, born date, clinic_number text, diagnosis text)`,
    );
    await db.query(
      `INSERT INTO crm.gum_register (first_name, surname, e_mail, born, clinic_number, diagnosis) VALUES ('Bruno', 'Keller', 'bruno.k@example.net', '1979-07-30', $1, $2)`,
      [CLINIC_NUMBER, DIAGNOSIS],
    );
    await gw.runtime.services.sources.register(registerConfig(db.url), 'test');
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await db?.drop();
  });

  const q = {
    identifiers: [
      { type: 'GIVEN_NAME', value: 'Bruno' },
      { type: 'FAMILY_NAME', value: 'Keller' },
      { type: 'DATE_OF_BIRTH', value: '1979-07-30' },
      { type: 'EMAIL', value: 'bruno.k@example.net' },
      { type: 'PATIENT_ID', value: CLINIC_NUMBER },
    ],
  };
  const register = (a: Answer) => a.subject.records.find((r) => r.sourceId === 'gum_clinic');
  // The clinic number, however normalised (case, separators), must not appear.
  const clinicNumberIn = (text: string) => /gum[^a-z0-9]{0,3}77031/i.test(text);

  it('R12: a handler without SPECIAL_CATEGORY sees the clinic-number comparison withheld, and neither the number nor the diagnosis anywhere', async () => {
    const reply = await gw.graphql<Answer>(SUBJECT, { q }, await bearer(gw, ['HANDLER']));
    expect(reply.body.errors).toBeUndefined();
    const record = register(reply.body.data!)!;
    expect(record).toBeDefined();
    const reference = record.explanation.filter((c) => c.group === 'REFERENCE');
    expect(reference.length).toBeGreaterThan(0);
    expect(reference.every((c) => c.withheld && c.queryValue === '[redacted]' && c.recordValue === '[redacted]')).toBe(true);
    // Identifiers that are not special stay visible: the hiding is per evidence group.
    expect(record.explanation.find((c) => c.group === 'EMAIL')).toMatchObject({
      withheld: false,
      recordValue: expect.stringMatching(/bruno\.k@example\.net/i),
    });
    expect(record.withheldFields).toEqual(['clinic_number', 'diagnosis']);
    const text = JSON.stringify(reply.body);
    expect(clinicNumberIn(text)).toBe(false);
    expect(text).not.toContain('Chlamydia');
  });

  it('R12: with SPECIAL_CATEGORY the same comparison shows the clinic number', async () => {
    const reply = await gw.graphql<Answer>(SUBJECT, { q }, await bearer(gw, ['HANDLER', 'SPECIAL_CATEGORY']));
    expect(reply.body.errors).toBeUndefined();
    const record = register(reply.body.data!)!;
    const reference = record.explanation.filter((c) => c.group === 'REFERENCE');
    expect(reference.length).toBeGreaterThan(0);
    expect(reference.every((c) => !c.withheld && clinicNumberIn(c.recordValue ?? '') && clinicNumberIn(c.queryValue ?? ''))).toBe(true);
    expect(record.data.diagnosis).toBe(DIAGNOSIS);
    expect(record.withheldFields).toEqual([]);
  });
});
