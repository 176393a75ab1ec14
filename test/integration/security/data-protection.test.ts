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

describe('R12: special-category values', () => {
  it('R12: are absent from subject responses without SPECIAL_CATEGORY, marked as withheld, and present with it', async () => {
    const handler = await bearer(ref.gw, ['HANDLER']);
    const cleared = await bearer(ref.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
    // The expected values come from the store, not from a response under test: the health
    // notes of an occupational-health assessment (clinic) and the person it is about.
    const assessment = ref.truth.find((e) => e.source === 'clinic' && e.recordId.startsWith('OHA-'))!;
    const [stored] = (await ref.gw.runtime.services.dataSource.query(`SELECT health_notes FROM clinic.occupational_assessments WHERE id = $1`, [
      assessment.recordId,
    ])) as { health_notes: string }[];
    expect(stored!.health_notes.length).toBeGreaterThan(3);
    const p = personAt(SEED, Number(assessment.personId.slice(1)));
    const q = {
      identifiers: [
        { type: 'GIVEN_NAME', value: p.givenName },
        { type: 'FAMILY_NAME', value: p.familyName },
        { type: 'DATE_OF_BIRTH', value: p.dateOfBirth },
        { type: 'EMAIL', value: p.email },
      ],
    };
    const plain = await ref.gw.graphql<{ subject: { records: Rec[] } }>(SUBJECT, { q }, handler);
    const full = await ref.gw.graphql<{ subject: { records: Rec[] } }>(SUBJECT, { q }, cleared);
    expect(plain.body.errors).toBeUndefined();
    expect(full.body.errors).toBeUndefined();
    const pick = (records: Rec[]) => records.find((r) => r.sourceId === 'clinic' && r.recordId === assessment.recordId)!;
    const plainRec = pick(plain.body.data!.subject.records);
    const fullRec = pick(full.body.data!.subject.records);
    // Without the role: named as withheld, the value replaced by a marker, absent from the whole answer.
    expect(plainRec.categories).toContain('HEALTH');
    expect(plainRec.withheldFields).toContain('health_notes');
    expect(plainRec.data!.health_notes).toEqual({ withheld: true, reason: 'SPECIAL_CATEGORY' });
    expect(JSON.stringify(plain.body)).not.toContain(JSON.stringify(stored!.health_notes));
    // With the role: nothing withheld, the stored value itself.
    expect(fullRec.withheldFields).toEqual([]);
    expect(fullRec.data!.health_notes).toBe(stored!.health_notes);
  });
});

describe('secrets at rest', () => {
  /** Every row of every table of the gateway's own schema, as text. */
  async function databaseText(): Promise<string> {
    const ds = ref.gw.runtime.services.dataSource;
    const tables = (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)) as {
      table_name: string;
    }[];
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
      {
        input: {
          type: 'ERASURE',
          identifiers: [
            { type: 'EMAIL', value: email },
            { type: 'FULL_NAME', value: phrase },
          ],
        },
      },
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
      {
        input: {
          id: 'remote-secret-check',
          name: 'remote secret check',
          kind: 'OTHER',
          type: 'remote',
          connection: { baseUrl: 'http://127.0.0.1:9/', secretEnv: 'DSR_SOURCE_SECRET_SECURITY_TEST' },
        },
      },
      admin,
    );
    expect(reply.body.errors, JSON.stringify(reply.body.errors)).toBeUndefined();
    const text = await databaseText();
    expect(text).toContain('remote-secret-check');
    expect(text).toContain('DSR_SOURCE_SECRET_SECURITY_TEST');
    expect(text).not.toContain(CONNECTOR_SECRET);
  });
});
