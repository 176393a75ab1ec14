// Every query and mutation of the built schema, run with every role and without
// credentials: allowed or denied exactly as the table below says. An operation added to
// the schema without a row here fails the test, so new operations must be classified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLSchema } from 'graphql';
import { buildGatewaySchema } from '../../../schema/build-schema.js';
import { bearer, startTestGateway, type GraphQLReply, type TestGateway } from '../../support/runtime.js';
import { ALL_ROLES, type Role } from '../../../src/auth/roles.js';
import { NO_SUCH_ID, operationDocument, rootOperations, sampleVariables, type RootOperation } from './schema-operations.js';

// Every role there is, so a role added later is run against every operation too.
const ROLES = ALL_ROLES;
type RoleName = `${Role}`;
const EVERY_ROLE: RoleName[] = [...ROLES];

/** Who may run each operation (written out independently of src/auth/permissions.ts). */
const EXPECTED: Record<string, RoleName[]> = {
  // system
  version: EVERY_ROLE,
  health: EVERY_ROLE,
  me: EVERY_ROLE,
  pingWorkers: ['ADMIN', 'WORKER'],
  // administration
  auditLog: ['AUDITOR'],
  auditChainVerification: ['AUDITOR'],
  apiKeys: ['ADMIN'],
  createApiKey: ['ADMIN'],
  revokeApiKey: ['ADMIN'],
  // sources
  sources: ['ADMIN', 'HANDLER'],
  source: ['ADMIN', 'HANDLER'],
  registerSource: ['ADMIN', 'CONNECTOR'],
  approveSource: ['ADMIN'],
  disableSource: ['ADMIN', 'CONNECTOR'],
  enableSource: ['ADMIN'],
  removeSource: ['ADMIN'],
  // discovery and tombstones
  subject: ['HANDLER'],
  tombstoneCheck: ['CONNECTOR', 'HANDLER'],
  // requests
  request: ['HANDLER'],
  requests: ['HANDLER'],
  submitRequest: ['HANDLER'],
  verifyIdentity: ['HANDLER'],
  recordControllerInstruction: ['HANDLER'],
  confirmMatches: ['HANDLER'],
  rejectMatches: ['HANDLER'],
  executeRequest: ['HANDLER'],
  extendDeadline: ['HANDLER'],
  recordExtensionNoticeSent: ['HANDLER'],
  retryFailedTasks: ['HANDLER'],
  overrideDecision: ['HANDLER'],
  recordInaccuracyFinding: ['HANDLER'],
  acknowledgeRequest: ['HANDLER'],
  cancelRequest: ['HANDLER'],
  rejectRequest: ['HANDLER'],
  holdRequest: ['HANDLER'],
  resumeRequest: ['HANDLER'],
  renewAccessPackageLink: ['HANDLER'],
  revokeAccessPackage: ['HANDLER'],
  rediscoverSources: ['HANDLER'],
  proceedWithoutSources: ['HANDLER'],
  recordCertificateAgreement: ['HANDLER'],
  // governance
  dataMap: ['ADMIN', 'HANDLER', 'AUDITOR'],
  requestReport: ['ADMIN', 'HANDLER', 'AUDITOR'],
  // retention runs (R9)
  retentionPreview: ['ADMIN', 'HANDLER', 'AUDITOR'],
  retentionRuns: ['ADMIN', 'HANDLER', 'AUDITOR'],
  retentionRun: ['ADMIN', 'HANDLER', 'AUDITOR'],
  prepareRetentionRun: ['HANDLER'],
  approveRetentionRun: ['HANDLER'],
  cancelRetentionRun: ['HANDLER'],
};

const REMOTE_SECRET_ENV = 'DSR_SOURCE_SECRET_MATRIX';
const remoteSource = (id: string, controllerId: string) => ({
  id,
  name: `matrix ${id}`,
  kind: 'OTHER',
  type: 'remote',
  connection: { baseUrl: 'http://127.0.0.1:9/', secretEnv: REMOTE_SECRET_ENV },
  controller: { role: 'PROCESSOR', defaultControllerId: controllerId },
});

/** Variables where the minimal derived ones would not reach the permission check meaningfully. */
const VARIABLES: Record<string, () => Record<string, unknown>> = {
  createApiKey: () => ({ input: { name: 'matrix', roles: ['WORKER'] } }),
  subject: () => ({ query: { identifiers: [{ type: 'EMAIL', value: 'nobody@example.org' }] } }),
  tombstoneCheck: () => ({ identifiers: [{ type: 'EMAIL', value: 'nobody@example.org' }] }),
  registerSource: () => ({ input: remoteSource(`matrix-${Math.random().toString(36).slice(2, 10)}`, 'ctrl-m') }),
  submitRequest: () => ({ input: { type: 'ACCESS', identifiers: [{ type: 'EMAIL', value: 'matrix@example.org' }] } }),
  revokeApiKey: () => ({ id: 'nosuchkey0000000' }),
  requestReport: () => ({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }),
};

const codes = (reply: GraphQLReply<unknown>) => (reply.body.errors ?? []).map((e) => e.extensions?.code);

let gw: TestGateway;
let schema: GraphQLSchema;
let operations: RootOperation[];
const keys = new Map<RoleName, Record<string, string>>();

beforeAll(async () => {
  gw = await startTestGateway({ env: { [REMOTE_SECRET_ENV]: 'matrix-secret-value-0123456789', RATE_LIMIT_PER_MINUTE: '100000' } });
  schema = await buildGatewaySchema();
  operations = rootOperations(schema);
  for (const role of ROLES) keys.set(role, await bearer(gw, [role]));
}, 60_000);
afterAll(() => gw?.stop());

describe('role × operation matrix', () => {
  it('classifies every query and mutation of the schema', () => {
    const unclassified = operations.map((o) => o.name).filter((name) => !(name in EXPECTED));
    expect(unclassified, 'add these operations to EXPECTED in role-matrix.test.ts').toEqual([]);
  });

  it('runs every operation with every role: allowed ones pass the permission check, the others are FORBIDDEN', async () => {
    const mismatches: string[] = [];
    for (const op of operations) {
      const allowedRoles = EXPECTED[op.name];
      if (!allowedRoles) continue;
      const document = operationDocument(op);
      for (const role of ROLES) {
        const variables = (VARIABLES[op.name] ?? (() => sampleVariables(op.field)))();
        const reply = await gw.graphql(document, variables, keys.get(role));
        const got = codes(reply);
        const allowed = allowedRoles.includes(role);
        if (allowed && (got.includes('FORBIDDEN') || got.includes('UNAUTHENTICATED'))) {
          mismatches.push(`${op.name} as ${role}: expected allowed, got ${got.join(',')}`);
        }
        if (!allowed && !got.includes('FORBIDDEN')) mismatches.push(`${op.name} as ${role}: expected FORBIDDEN, got ${got.join(',') || 'success'}`);
        if (!allowed && reply.body.data && (reply.body.data as Record<string, unknown>)[op.name] != null) {
          mismatches.push(`${op.name} as ${role}: refused but data was returned`);
        }
        if (got.includes('INTERNAL_SERVER_ERROR')) mismatches.push(`${op.name} as ${role}: INTERNAL_SERVER_ERROR`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('refuses every operation without credentials with UNAUTHENTICATED', async () => {
    const mismatches: string[] = [];
    for (const op of operations) {
      const variables = (VARIABLES[op.name] ?? (() => sampleVariables(op.field)))();
      const reply = await gw.graphql(operationDocument(op), variables);
      if (!codes(reply).includes('UNAUTHENTICATED')) mismatches.push(`${op.name}: ${codes(reply).join(',') || 'success'}`);
      if (reply.body.data && (reply.body.data as Record<string, unknown>)[op.name] != null) mismatches.push(`${op.name}: data returned`);
    }
    expect(mismatches).toEqual([]);
  });

  it('R13: records each refusal in the audit log as DENIED with the actor and operation', async () => {
    const worker = keys.get('WORKER')!;
    const workerKeyId = worker.authorization!.split('_')[1]!;
    const reply = await gw.graphql<{ auditLog: { nodes: { action: string; outcome: string }[] } }>(
      `{ auditLog(filter: { actor: "${workerKeyId}", outcome: DENIED }, first: 500) { nodes { action outcome } } }`,
      undefined,
      keys.get('AUDITOR'),
    );
    const denied = new Set(reply.body.data!.auditLog.nodes.map((n) => n.action));
    const refusedForWorker = operations.filter((o) => EXPECTED[o.name] && !EXPECTED[o.name]!.includes('WORKER')).map((o) => `graphql.${o.name}`);
    expect(refusedForWorker.filter((a) => !denied.has(a))).toEqual([]);
  });
});

describe('controller scoping: a HANDLER bound to controller A never reaches controller B’s data', () => {
  let handlerA: Record<string, string>;
  let handlerB: Record<string, string>;
  const has = (name: string) => operations.some((o) => o.name === name);

  beforeAll(async () => {
    handlerA = await bearer(gw, ['HANDLER'], ['ctrl-a']);
    handlerB = await bearer(gw, ['HANDLER'], ['ctrl-b']);
    const admin = keys.get('ADMIN')!;
    for (const [id, controller] of [
      ['scope-src-a', 'ctrl-a'],
      ['scope-src-b', 'ctrl-b'],
    ] as const) {
      const reply = await gw.graphql(
        'mutation($input: RegisterSourceInput!) { registerSource(input: $input) { id } }',
        { input: remoteSource(id, controller) },
        admin,
      );
      expect(reply.body.errors, JSON.stringify(reply.body.errors)).toBeUndefined();
    }
  });

  it('sources: lists only the handler’s own controller’s sources', async () => {
    const reply = await gw.graphql<{ sources: { id: string }[] }>('{ sources { id } }', undefined, handlerA);
    const ids = reply.body.data!.sources.map((s) => s.id);
    expect(ids).toContain('scope-src-a');
    expect(ids).not.toContain('scope-src-b');
  });

  it('request(id), requests and nested fields: B’s request is absent to A', async () => {
    expect(has('submitRequest') && has('request') && has('requests')).toBe(true);
    const submitted = await gw.graphql<{ submitRequest: { id: string } }>(
      'mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }',
      { input: { type: 'ERASURE', identifiers: [{ type: 'EMAIL', value: 'scope-b@example.org' }] } },
      handlerB,
    );
    expect(submitted.body.errors, JSON.stringify(submitted.body.errors)).toBeUndefined();
    const id = submitted.body.data!.submitRequest.id;
    const own = await gw.graphql<{ request: { id: string } | null }>('query($id: ID!) { request(id: $id) { id } }', { id }, handlerB);
    expect(own.body.data?.request?.id).toBe(id);

    const byId = await gw.graphql<{ request: unknown }>(
      'query($id: ID!) { request(id: $id) { id status decisions { recordId source { id name } } tasks { id recordId } } }',
      { id },
      handlerA,
    );
    expect(byId.body.data?.request ?? null).toBeNull();
    expect(JSON.stringify(byId.body)).not.toContain('scope-b@example.org');

    const list = await gw.graphql<{ requests: { edges?: { node: { id: string } }[]; nodes?: { id: string }[] } }>(
      '{ requests(first: 100) { edges { node { id } } } }',
      undefined,
      handlerA,
    );
    expect(list.body.errors).toBeUndefined();
    expect(JSON.stringify(list.body.data)).not.toContain(id);
    const listB = await gw.graphql('{ requests(first: 100) { edges { node { id } } } }', undefined, handlerB);
    expect(JSON.stringify(listB.body.data)).toContain(id);

    // Acting on B's request is refused as if it did not exist.
    for (const mutation of ['executeRequest', 'retryFailedTasks'].filter(has)) {
      const reply = await gw.graphql(`mutation($id: ID!) { ${mutation}(requestId: $id) { id } }`, { id }, handlerA);
      expect(codes(reply).join(','), mutation).toMatch(/NOT_FOUND/);
    }
    const extend = await gw.graphql('mutation($id: ID!) { extendDeadline(requestId: $id, reason: "complex") { id } }', { id }, handlerA);
    expect(codes(extend).join(',')).toMatch(/NOT_FOUND/);
  });

  it('subject: discovery shows A nothing of B’s sources', async () => {
    const reply = await gw.graphql<{ subject: { sources: { source: { id: string } }[]; records: { source: { id: string } }[] } }>(
      'query($q: SubjectQueryInput!) { subject(query: $q) { sources { source { id } } records { source { id } recordId } } }',
      { q: { identifiers: [{ type: 'EMAIL', value: 'scope-b@example.org' }], sourceIds: ['scope-src-b'] } },
      handlerA,
    );
    const text = JSON.stringify(reply.body.data ?? {});
    expect(text).not.toContain('"records":[{');
    expect(reply.body.data?.subject?.records ?? []).toEqual([]);
    // Whatever the answer, it names no source of B to A.
    expect(text).not.toContain('scope-src-b');
  });

  it('nonexistent and invisible ids answer alike (no existence oracle)', async () => {
    const missing = await gw.graphql<{ request: unknown }>('query($id: ID!) { request(id: $id) { id } }', { id: NO_SUCH_ID }, handlerA);
    expect(missing.body.data?.request ?? null).toBeNull();
  });
});
