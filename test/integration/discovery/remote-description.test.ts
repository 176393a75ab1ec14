// R12 for a remote source that was down when the gateway first described it: once it is
// back, its health data is still withheld from a handler without SPECIAL_CATEGORY, in
// `subject` and from its access packages (the second test runs after the first). The
// placeholder description it had while unreachable (no fields, retention unknown) must not
// stand in for what it describes once reached; nor is what it describes once reached taken on
// its word: nothing of it was approved, so it waits for an administrator's approval first.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClinicConnector } from '../../../connectors/clinic/connector.js';
import type { SourceRecord } from '../../../connectors/contract.js';
import { createConnectorRouter } from '../../../connectors/remote/router.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { eventually } from '../../support/eventually.js';
import { seededStores, type SeededStores } from '../connectors/fixtures.js';
import { settleReviewAndControllers } from '../requests/support.js';

const SECRET = randomBytes(24).toString('base64url');
const SUBJECT = `query($q: SubjectQueryInput!) { subject(query: $q) { records { sourceId recordId data withheldFields } } }`;

interface Answer {
  subject: { records: { sourceId: string; recordId: string; data: Record<string, unknown>; withheldFields: string[] }[] };
}

/** A port nothing listens on yet (the remote clinic is down). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('R12: a remote source described while it was unreachable', () => {
  let gw: TestGateway;
  let stores: SeededStores;
  let clinic: ClinicConnector;
  let server: Server | undefined;
  let assessment: SourceRecord;
  let port: number;

  beforeAll(async () => {
    stores = await seededStores(20, 7);
    gw = await startTestGateway({ worker: false, env: { DSR_SOURCE_SECRET_REMOTE_CLINIC: SECRET } });
    clinic = new ClinicConnector({ url: stores.url, schema: 'clinic' });
    const client = new pg.Client({ connectionString: stores.url });
    await client.connect();
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM clinic.occupational_assessments WHERE health_notes IS NOT NULL AND employee_id IS NOT NULL ORDER BY id LIMIT 1`,
    );
    await client.end();
    [assessment] = await clinic.export([{ sourceId: 'remote_clinic', recordId: rows[0]!.id }]);
    port = await freePort();
    await gw.runtime.services.sources.register(
      {
        id: 'remote_clinic',
        name: 'Clinic (remote)',
        kind: 'CLINIC',
        type: 'remote',
        connection: { baseUrl: `http://127.0.0.1:${port}/connector`, secretEnv: 'DSR_SOURCE_SECRET_REMOTE_CLINIC', timeoutMs: 2000 },
      },
      'test',
    );
  }, 180_000);

  afterAll(async () => {
    if (server) await new Promise((resolve) => server!.close(resolve));
    await clinic?.close();
    await gw?.stop();
    await stores?.drop();
  });

  /** The clinic comes back (once); what it describes then is approved by an administrator. */
  async function clinicBack(): Promise<void> {
    if (server) return;
    const app = express();
    app.use('/connector', createConnectorRouter(clinic, { secret: SECRET }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(port, '127.0.0.1', () => resolve(s));
    });
    const admin = await bearer(gw, ['ADMIN']);
    type Listed = { sources: { id: string; status: string; approvalToken: string; health: { detail: string } }[] };
    const mine = async () =>
      (await gw.graphql<Listed>(`{ sources { id status approvalToken health { detail } } }`, {}, admin)).body.data!.sources.find(
        (s) => s.id === 'remote_clinic',
      )!;
    // Reached, it describes fields nobody approved: it waits for approval, named by a code.
    const waiting = await eventually(mine, (s) => s.status === 'PENDING_APPROVAL', { timeoutMs: 10_000 });
    expect(waiting.health.detail).toContain('SOURCE_DESCRIPTION_CHANGED');
    const approved = await gw.graphql<{ approveSource: { status: string } }>(
      'mutation($token: String) { approveSource(id: "remote_clinic", approvalToken: $token) { status } }',
      { token: waiting.approvalToken },
      admin,
    );
    expect(approved.body.data?.approveSource.status).toBe('ACTIVE');
  }

  const identifiersOf = (record: SourceRecord) => record.identifiers.filter((i) => ['EMPLOYEE_ID', 'GIVEN_NAME', 'FAMILY_NAME', 'EMAIL'].includes(i.type));

  it('R12: health data is withheld once the source is back, though it was first described while down', async () => {
    const handler = await bearer(gw, ['HANDLER']);
    // While it is down, the gateway lists it (and describes it) as it can.
    const listed = await gw.graphql<{ sources: { id: string }[] }>(`{ sources { id fields { field } } }`, {}, handler);
    expect(listed.body.errors).toBeUndefined();
    expect(listed.body.data!.sources.map((s) => s.id)).toContain('remote_clinic');

    await clinicBack();
    const reply = await gw.graphql<Answer>(SUBJECT, { q: { identifiers: identifiersOf(assessment), sourceIds: ['remote_clinic'] } }, handler);
    expect(reply.body.errors).toBeUndefined();
    const found = reply.body.data!.subject.records.find((r) => r.recordId === assessment.recordId);
    expect(found).toBeDefined();
    // The clinic describes an assessment's outcome and health notes as HEALTH: withheld, and nowhere in the answer.
    expect(found!.withheldFields).toEqual(expect.arrayContaining(['fitness_outcome', 'health_notes']));
    expect(JSON.stringify(reply.body)).not.toContain(String(assessment.data.health_notes));
  });

  it('R12: its access package counts the health data, so a handler without SPECIAL_CATEGORY gets no download link', async () => {
    const handler = await bearer(gw, ['HANDLER']);
    await clinicBack();
    const FIELDS = `id status records { sourceId recordId reviewState } decisions { sourceId needsController }
      accessPackage { downloadUrl specialCategories downloadAllowed }`;
    interface Req {
      id: string;
      status: string;
      records: { sourceId: string; recordId: string; reviewState: string }[];
      decisions: { sourceId: string; needsController: boolean }[];
      accessPackage: { downloadUrl: string | null; specialCategories: string[] | null; downloadAllowed: boolean } | null;
    }
    const mutate = async (call: string, args: string, variables: Record<string, unknown>): Promise<Req> => {
      const name = call.slice(0, call.indexOf('('));
      const reply = await gw.graphql<Record<string, Req>>(`mutation(${args}) { ${call} { ${FIELDS} } }`, variables, handler);
      const data = reply.body.data?.[name];
      if (!data) throw new Error(`${name} failed: ${JSON.stringify(reply.body.errors)}`);
      return data;
    };
    const submitted = await mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', {
      input: { type: 'ACCESS', identifiers: identifiersOf(assessment), channel: 'email' },
    });
    let req = await mutate('verifyIdentity(requestId: $id, input: $input)', '$id: ID!, $input: IdentityVerificationInput!', {
      id: submitted.id,
      input: { method: 'passport seen on video call' },
    });
    expect(req.records.map((r) => r.recordId)).toContain(assessment.recordId);
    req = await settleReviewAndControllers(mutate, req, (r) => r.recordId === assessment.recordId, { reference: 'letter 7' });
    const executed = await mutate('executeRequest(requestId: $id)', '$id: ID!', { id: req.id });
    expect(executed.status).toBe('COMPLETED');
    expect(executed.accessPackage).toMatchObject({ downloadUrl: null, downloadAllowed: false, specialCategories: ['HEALTH'] });
  });
});
