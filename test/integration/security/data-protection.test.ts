// R12 (special categories shown only to SPECIAL_CATEGORY) through `subject`, and secrets at
// rest: no request identifier or connector secret in clear anywhere in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personAt } from '../../../src/population/person.js';
import { bearer } from '../../support/runtime.js';
import { startReferenceGateway, type ReferenceGateway } from '../discovery/reference-gateway.js';

const SEED = 11;
const PEOPLE = 300;
/** A connector secret the gateway holds in its environment only. */
const CONNECTOR_SECRET = 'sk-at-rest-check-5f0d9e2b7c4a4e1f8a3b6c9d2e5f8a1b';

interface Rec {
  sourceId: string;
  recordId: string;
  categories: string[];
  data: Record<string, unknown> | null;
  withheldFields: string[];
  explanation: { withheld: boolean; recordValue: string | null }[];
}
const SUBJECT = `query($q: SubjectQueryInput!) { subject(query: $q) { records { sourceId recordId categories data withheldFields explanation { withheld recordValue } } } }`;

let ref: ReferenceGateway;
beforeAll(async () => {
  ref = await startReferenceGateway({ people: PEOPLE, seed: SEED, env: { DSR_SOURCE_SECRET_SECURITY_TEST: CONNECTOR_SECRET } });
}, 300_000);
afterAll(() => ref?.stop());

/** Every clear string value inside a JSON value (for comparing what was withheld). */
function leaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => leaves(v, out));
  return out;
}

describe('R12: special-category values', () => {
  it('R12: are absent from subject responses without SPECIAL_CATEGORY, marked as withheld, and present with it', async () => {
    const handler = await bearer(ref.gw, ['HANDLER']);
    const cleared = await bearer(ref.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
    const people = [...new Set(ref.truth.filter((e) => e.source === 'clinic' || e.source === 'case_management').map((e) => e.personId))].slice(0, 40);
    let plain!: { body: { data?: { subject: { records: Rec[] } }; errors?: unknown[] } };
    let full!: typeof plain;
    let withheldValues: string[] = [];
    // The first person whose records hold a special-category value (health data in the clinic or a case).
    for (const personId of people) {
      const p = personAt(SEED, Number(personId.slice(1)));
      const q = { identifiers: [{ type: 'GIVEN_NAME', value: p.givenName }, { type: 'FAMILY_NAME', value: p.familyName }, { type: 'DATE_OF_BIRTH', value: p.dateOfBirth }, { type: 'EMAIL', value: p.email }] };
      plain = await ref.gw.graphql<{ subject: { records: Rec[] } }>(SUBJECT, { q }, handler);
      full = await ref.gw.graphql<{ subject: { records: Rec[] } }>(SUBJECT, { q }, cleared);
      expect(plain.body.errors).toBeUndefined();
      expect(full.body.errors).toBeUndefined();
      const fullByKey = new Map(full.body.data!.subject.records.map((r) => [`${r.sourceId}/${r.recordId}`, r]));
      withheldValues = plain.body.data!.subject.records
        .flatMap((r) => r.withheldFields.flatMap((field) => leaves(fullByKey.get(`${r.sourceId}/${r.recordId}`)?.data?.[field.split(/[.[]/)[0]!])))
        .filter((v) => v.length >= 4);
      if (withheldValues.length > 0) break;
    }
    expect(withheldValues.length, 'a person with special-category values among the first 40').toBeGreaterThan(0);
    const plainRec = plain.body.data!.subject.records.find((r) => r.withheldFields.length > 0)!;
    expect(plainRec.categories.some((c) => ['HEALTH', 'RELIGION', 'ETHNICITY', 'SEXUAL_ORIENTATION', 'TRADE_UNION', 'BELIEFS', 'GENETIC', 'BIOMETRIC'].includes(c))).toBe(true);
    const fullRec = full.body.data!.subject.records.find((r) => r.sourceId === plainRec.sourceId && r.recordId === plainRec.recordId)!;
    // Without the role: named as withheld, the value replaced by a marker; with it, nothing withheld.
    expect(fullRec.withheldFields).toEqual([]);
    expect(JSON.stringify(plainRec.data)).toMatch(/withheld/i);
    const plainText = JSON.stringify(plain.body);
    for (const value of withheldValues) expect(plainText).not.toContain(JSON.stringify(value));
    // With the role: the same values are there.
    const fullText = JSON.stringify(full.body);
    for (const value of withheldValues) expect(fullText).toContain(JSON.stringify(value));
  });
});

describe('secrets at rest', () => {
  /** Every row of every table of the gateway's own schema, as text. */
  async function databaseText(): Promise<string> {
    const ds = ref.gw.runtime.services.dataSource;
    const tables = (await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    )) as { table_name: string }[];
    const chunks: string[] = [];
    for (const { table_name } of tables) {
      const rows = (await ds.query(`SELECT row_to_json(t)::text AS j FROM "${table_name}" t`)) as { j: string }[];
      for (const r of rows) chunks.push(`${table_name}: ${r.j}`);
    }
    return chunks.join('\n');
  }

  it('request identifiers are not stored in clear (submitRequest)', async () => {
    const handler = await bearer(ref.gw, ['HANDLER']);
    const email = 'zq-secret-marker-7731@example.org';
    const phrase = 'Quillonbrae Marchetti-Oyelaran';
    const reply = await ref.gw.graphql<{ submitRequest: { id: string } }>(
      'mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }',
      { input: { type: 'ERASURE', identifiers: [{ type: 'EMAIL', value: email }, { type: 'FULL_NAME', value: phrase }] } },
      handler,
    );
    expect(reply.body.errors, JSON.stringify(reply.body.errors)).toBeUndefined();
    const text = (await databaseText()).toLowerCase();
    expect(text).toContain(reply.body.data!.submitRequest.id);
    expect(text).not.toContain('zq-secret-marker-7731');
    expect(text).not.toContain('quillonbrae');
  });

  it('connector secrets are not stored in clear (registerSource names the variable, never the value)', async () => {
    const admin = await bearer(ref.gw, ['ADMIN']);
    const reply = await ref.gw.graphql(
      'mutation($input: RegisterSourceInput!) { registerSource(input: $input) { id } }',
      { input: { id: 'remote-secret-check', name: 'remote secret check', kind: 'OTHER', type: 'remote', connection: { baseUrl: 'http://127.0.0.1:9/', secretEnv: 'DSR_SOURCE_SECRET_SECURITY_TEST' } } },
      admin,
    );
    expect(reply.body.errors, JSON.stringify(reply.body.errors)).toBeUndefined();
    const text = await databaseText();
    expect(text).toContain('remote-secret-check');
    expect(text).toContain('DSR_SOURCE_SECRET_SECURITY_TEST');
    expect(text).not.toContain(CONNECTOR_SECRET);
  });
});
