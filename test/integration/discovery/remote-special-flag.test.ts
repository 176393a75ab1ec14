// R12 for a remote source that describes a field's categories without the `special` flag
// (the contract derives it from the categories; a team's own service in another language
// may leave it out or get it wrong). The gateway judges special-category data by its
// categories: a health identifier (the number of a sexual-health clinic's register says the
// person attends it) is withheld from a handler without SPECIAL_CATEGORY in the match
// explanation, as the record's data is, and the source's fields say it is special; a list
// whose rows are described as holding health data is withheld whole, as the access copy
// judges it.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClinicConnector } from '../../../connectors/clinic/connector.js';
import type { Connector, SourceDescription, SourceRecord } from '../../../connectors/contract.js';
import { createConnectorRouter } from '../../../connectors/remote/router.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seededStores, type SeededStores } from '../connectors/fixtures.js';

const SECRET = randomBytes(24).toString('base64url');
const SOURCE = 'remote_register';

interface Comparison {
  group: string;
  recordValue: string | null;
  withheld: boolean;
}
interface Answer {
  subject: { records: { sourceId: string; recordId: string; explanation: Comparison[] }[] };
}
const SUBJECT = `query($q: SubjectQueryInput!) { subject(query: $q) { records { sourceId recordId explanation { group recordValue withheld } } } }`;

const DIAGNOSIS = 'Chlamydia, treated';

/**
 * The clinic as a remote register describes it: its patient number is health data, and no
 * field carries the `special` flag. Its patients' visits come with discovery, described
 * field by field under the list (`visits.diagnosis`), as the recruitment system describes
 * its monitoring rows.
 */
function withoutSpecialFlags(inner: ClinicConnector): Connector {
  const describe = (): SourceDescription => {
    const d = inner.describe();
    const fields = d.fields.map(({ special: _dropped, ...f }) => (f.field === 'patient_number' ? { ...f, categories: ['HEALTH'] } : f));
    const visits = [
      { recordType: 'patient', field: 'visits', categories: ['SERVICE_HISTORY'], correctable: false },
      { recordType: 'patient', field: 'visits.on', categories: ['SERVICE_HISTORY'], correctable: false },
      { recordType: 'patient', field: 'visits.diagnosis', categories: ['HEALTH'], correctable: false },
    ];
    return { ...d, fields: [...fields, ...visits] as SourceDescription['fields'] };
  };
  const discover: Connector['discover'] = async (queries) =>
    (await inner.discover(queries)).map((records) =>
      records.map((r) => (r.recordType === 'patient' ? { ...r, data: { ...r.data, visits: [{ on: '2026-03-02', diagnosis: DIAGNOSIS }] } } : r)),
    );
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'describe') return describe;
      if (prop === 'discover') return discover;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as unknown as Connector;
}

describe('R12: a remote description without special-category flags', () => {
  let gw: TestGateway;
  let stores: SeededStores;
  let clinic: ClinicConnector;
  let server: Server;
  let patient: SourceRecord;

  beforeAll(async () => {
    stores = await seededStores(20, 7);
    clinic = new ClinicConnector({ url: stores.url, schema: 'clinic' });
    const client = new pg.Client({ connectionString: stores.url });
    await client.connect();
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM clinic.patients WHERE patient_number IS NOT NULL ORDER BY id LIMIT 1`);
    await client.end();
    [patient] = await clinic.export([{ sourceId: SOURCE, recordId: rows[0]!.id }]);
    const app = express();
    app.use('/connector', createConnectorRouter(withoutSpecialFlags(clinic), { secret: SECRET }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as { port: number };
    gw = await startTestGateway({ worker: false, env: { DSR_SOURCE_SECRET_REMOTE_REGISTER: SECRET } });
    await gw.runtime.services.sources.register(
      {
        id: SOURCE,
        name: 'Clinic register (remote)',
        kind: 'CLINIC',
        type: 'remote',
        connection: { baseUrl: `http://127.0.0.1:${port}/connector`, secretEnv: 'DSR_SOURCE_SECRET_REMOTE_REGISTER', timeoutMs: 2000 },
      },
      'test',
    );
  }, 180_000);

  afterAll(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
    await clinic?.close();
    await gw?.stop();
    await stores?.drop();
  });

  const patientNumber = () => patient.identifiers.find((i) => i.type === 'PATIENT_ID')!.value;

  it('R12: a handler without SPECIAL_CATEGORY does not see the health identifier compared in the explanation', async () => {
    const identifiers = patient.identifiers.filter((i) => ['PATIENT_ID', 'GIVEN_NAME', 'FAMILY_NAME', 'DATE_OF_BIRTH'].includes(i.type));
    const reply = await gw.graphql<Answer>(SUBJECT, { q: { identifiers, sourceIds: [SOURCE] } }, await bearer(gw, ['HANDLER']));
    expect(reply.body.errors).toBeUndefined();
    const found = reply.body.data!.subject.records.find((r) => r.recordId === patient.recordId);
    expect(found).toBeDefined();
    const reference = found!.explanation.filter((c) => c.group === 'REFERENCE');
    expect(reference.length).toBeGreaterThan(0);
    expect(reference.every((c) => c.withheld)).toBe(true);
    // Not in the data either, nor anywhere else in the answer.
    expect(JSON.stringify(reply.body)).not.toContain(patientNumber());
  });

  it('R12: a list whose rows hold health data is withheld whole from a handler without SPECIAL_CATEGORY, as in the access copy', async () => {
    const identifiers = patient.identifiers.filter((i) => ['PATIENT_ID', 'GIVEN_NAME', 'FAMILY_NAME', 'DATE_OF_BIRTH'].includes(i.type));
    type Data = { subject: { records: { recordId: string; data: Record<string, unknown>; withheldFields: string[] }[] } };
    const query = `query($q: SubjectQueryInput!) { subject(query: $q) { records { recordId data withheldFields } } }`;
    const handler = await gw.graphql<Data>(query, { q: { identifiers, sourceIds: [SOURCE] } }, await bearer(gw, ['HANDLER']));
    expect(handler.body.errors).toBeUndefined();
    const found = handler.body.data!.subject.records.find((r) => r.recordId === patient.recordId)!;
    expect(found.withheldFields).toContain('visits');
    expect(JSON.stringify(handler.body)).not.toContain('Chlamydia');
    // With SPECIAL_CATEGORY the visits are shown.
    const cleared = await gw.graphql<Data>(query, { q: { identifiers, sourceIds: [SOURCE] } }, await bearer(gw, ['HANDLER', 'SPECIAL_CATEGORY']));
    expect(cleared.body.data!.subject.records.find((r) => r.recordId === patient.recordId)!.data.visits).toEqual([{ on: '2026-03-02', diagnosis: DIAGNOSIS }]);
  });

  it("R12: the source's fields mark the health identifier special", async () => {
    type Listed = { sources: { id: string; fields: { recordType: string; field: string; special: boolean }[] }[] };
    const reply = await gw.graphql<Listed>(`{ sources { id fields { recordType field special } } }`, {}, await bearer(gw, ['HANDLER']));
    expect(reply.body.errors).toBeUndefined();
    const fields = reply.body.data!.sources.find((s) => s.id === SOURCE)!.fields;
    expect(fields.find((f) => f.field === 'patient_number')?.special).toBe(true);
    expect(fields.find((f) => f.field === 'given_name')?.special).toBe(false);
  });
});
