// Discovery under controller scope (R13): a record a key bound to controller A may see can
// sit in a record of controller B (A's emergency contact on B's policy). The search does
// not return B's record to A, and RecordMatch.parentRecordId must not name it either: the
// parent's id is told only when the parent is a record A may see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfigInput } from '../../../connectors/registry.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { createForeignCrmDatabase, type ForeignDatabase } from '../connectors/foreign-crm.js';

function policiesConfig(url: string): SourceConfigInput {
  const person = {
    given: { categories: ['IDENTITY'], erase: 'NULL' },
    family: { categories: ['IDENTITY'], erase: 'NULL' },
    email: { categories: ['CONTACT'], erase: 'NULL' },
    born: { categories: ['IDENTITY'], erase: 'NULL' },
  };
  return {
    id: 'policies',
    name: 'Policies of several insurers',
    kind: 'OTHER',
    type: 'sql',
    connection: { url, passwordEnv: 'DSR_SOURCE_SECRET_CRM_DB_PASSWORD' },
    controller: { role: 'PROCESSOR' },
    retention: { summary: '6 years after the policy ends', activePeriod: 'P6Y', erasure: 'DELETE' },
    mapping: {
      recordTypes: [
        {
          name: 'policy',
          table: 'crm.policies',
          primaryKey: 'id',
          identifiers: { given: 'GIVEN_NAME', family: 'FAMILY_NAME', email: 'EMAIL', born: 'DATE_OF_BIRTH' },
          columns: person,
          controllerColumn: 'insurer',
        },
        {
          name: 'contact',
          table: 'crm.policy_contacts',
          primaryKey: 'id',
          relationship: 'EMERGENCY_CONTACT',
          parent: { column: 'policy_id', recordType: 'policy' },
          identifiers: { given: 'GIVEN_NAME', family: 'FAMILY_NAME', email: 'EMAIL', born: 'DATE_OF_BIRTH' },
          columns: person,
          controllerColumn: 'insurer',
        },
      ],
    },
  } as SourceConfigInput;
}

const SUBJECT = `query($q: SubjectQueryInput!) { subject(query: $q) { records { recordId recordType controllerId parentRecordId } } }`;
type Answer = { subject: { records: { recordId: string; recordType: string; controllerId: string | null; parentRecordId: string | null }[] } };

describe('RecordMatch.parentRecordId under controller scope', () => {
  let gw: TestGateway;
  let db: ForeignDatabase;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'not-needed-locally' } });
    db = await createForeignCrmDatabase();
    await db.query(`CREATE TABLE crm.policies (id int PRIMARY KEY, given text, family text, email text, born date, insurer text)`);
    await db.query(`CREATE TABLE crm.policy_contacts (id int PRIMARY KEY, policy_id int, given text, family text, email text, born date, insurer text)`);
    // Policy 1 is B's (another person's), policy 2 is A's (the person's own), policy 3 is A's (another person's).
    await db.query(
      `INSERT INTO crm.policies VALUES (1, 'Olga', 'Brandt', 'olga.b@example.net', '1960-02-01', 'ctrl-b'),
                                       (2, 'Bruno', 'Keller', 'bruno.k@example.net', '1979-07-30', 'ctrl-a'),
                                       (3, 'Ida', 'Lenz', 'ida.l@example.net', '1971-05-05', 'ctrl-a')`,
    );
    // Bruno is the emergency contact on each, recorded for the controller of the contact row.
    await db.query(
      `INSERT INTO crm.policy_contacts VALUES (10, 1, 'Bruno', 'Keller', 'bruno.k@example.net', '1979-07-30', 'ctrl-a'),
                                              (11, 2, 'Bruno', 'Keller', 'bruno.k@example.net', '1979-07-30', 'ctrl-a'),
                                              (12, 3, 'Bruno', 'Keller', 'bruno.k@example.net', '1979-07-30', 'ctrl-a')`,
    );
    await gw.runtime.services.sources.register(policiesConfig(db.url), 'test');
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
    ],
  };
  const parents = async (headers: Record<string, string>) => {
    const reply = await gw.graphql<Answer>(SUBJECT, { q }, headers);
    expect(reply.body.errors).toBeUndefined();
    return Object.fromEntries(reply.body.data!.subject.records.filter((r) => r.recordType === 'contact').map((r) => [r.recordId, r.parentRecordId]));
  };

  it("names to a key bound to A no parent of another controller's (nor one it cannot place); a parent it sees, it names; an unbound key sees them all", async () => {
    expect(await parents(await bearer(gw, ['HANDLER']))).toEqual({ 'contact:10': 'policy:1', 'contact:11': 'policy:2', 'contact:12': 'policy:3' });
    // Policy 2 is the person's own record of A, found by the same search: its id is told.
    // Policy 1 is B's; policy 3 is A's but about someone else, not returned, so its
    // controller cannot be told from here: both withheld.
    expect(await parents(await bearer(gw, ['HANDLER'], ['ctrl-a']))).toEqual({ 'contact:10': null, 'contact:11': 'policy:2', 'contact:12': null });
  });
});
