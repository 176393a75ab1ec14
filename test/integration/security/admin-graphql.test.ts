import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { graphqlCodeOf } from '../../support/error-codes.js';
import type { AuditActionName } from '../../../src/audit/index.js';

interface Entry {
  seq: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string | null;
  outcome: string;
  controllerId: string | null;
  at: string;
}
interface AuditReply {
  auditLog: { edges: { cursor: string; node: Entry }[]; nodes: Entry[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const AUDIT = `query($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { cursor node { seq actorId action targetType targetId outcome controllerId at } }
    nodes { seq actorId action targetType targetId outcome controllerId at }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { clearKey key { id name roles controllerIds revokedAt } } }`;

const keyIdOf = (auth: Record<string, string>) => auth.authorization!.split('_')[1]!;

describe('administration over GraphQL: API keys and the audit log', () => {
  let gw: TestGateway;
  let admin: Record<string, string>;
  let auditor: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false });
    admin = await bearer(gw, ['ADMIN']);
    auditor = await bearer(gw, ['AUDITOR']);
  });
  afterAll(() => gw.stop());

  it('creates a key (clear key shown once), lists it without a secret, and revokes it at once', async () => {
    const created = await gw.graphql<{ createApiKey: { clearKey: string; key: { id: string; roles: string[]; controllerIds: string[] } } }>(
      CREATE,
      { input: { name: 'handler for A', roles: ['HANDLER'], controllerIds: ['ctrl-a'] } },
      admin,
    );
    expect(created.body.errors).toBeUndefined();
    const { clearKey, key } = created.body.data!.createApiKey;
    expect(clearKey).toMatch(new RegExp(`^dsr_${key.id}_`));
    expect(key).toMatchObject({ roles: ['HANDLER'], controllerIds: ['ctrl-a'] });
    const asNew = { authorization: `Bearer ${clearKey}` };
    expect((await gw.graphql('{ version }', undefined, asNew)).status).toBe(200);

    const listed = await gw.graphql<{ apiKeys: { id: string }[] }>('{ apiKeys { id name roles createdAt lastUsedAt } }', undefined, admin);
    expect(listed.body.data!.apiKeys.map((k) => k.id)).toContain(key.id);
    expect(JSON.stringify(listed.body)).not.toContain(clearKey.split('_').slice(2).join('_'));

    const revoked = await gw.graphql<{ revokeApiKey: { revokedAt: string | null } }>(
      'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }',
      { id: key.id },
      admin,
    );
    expect(revoked.body.data!.revokeApiKey.revokedAt).not.toBeNull();
    const after = await gw.graphql('{ version }', undefined, asNew);
    expect(after.status).toBe(401);
    expect(graphqlCodeOf(after)).toBe('UNAUTHENTICATED');
    const listedAfter = await gw.graphql<{ apiKeys: { id: string }[] }>('{ apiKeys { id } }', undefined, admin);
    expect(listedAfter.body.data!.apiKeys.map((k) => k.id)).not.toContain(key.id);
    const withRevoked = await gw.graphql<{ apiKeys: { id: string }[] }>('{ apiKeys(includeRevoked: true) { id } }', undefined, admin);
    expect(withRevoked.body.data!.apiKeys.map((k) => k.id)).toContain(key.id);

    const log = await gw.graphql<AuditReply>(AUDIT, { filter: { target: key.id } }, auditor);
    expect(log.body.data!.auditLog.nodes.map((e) => [e.action, e.actorId, e.outcome])).toEqual([
      ['key.revoke', keyIdOf(admin), 'SUCCESS'],
      ['key.create', keyIdOf(admin), 'SUCCESS'],
    ]);
  });

  it('refuses bad key input and unknown keys with codes', async () => {
    const noRole = await gw.graphql(CREATE, { input: { name: 'x', roles: [] } }, admin);
    expect(graphqlCodeOf(noRole)).toBe('BAD_USER_INPUT');
    const badRole = await gw.graphql(CREATE, { input: { name: 'x', roles: ['ROOT'] } }, admin);
    expect(graphqlCodeOf(badRole)).toBe('BAD_USER_INPUT');
    const missing = await gw.graphql('mutation { revokeApiKey(id: "nosuchkey") { id } }', undefined, admin);
    expect(graphqlCodeOf(missing)).toBe('NOT_FOUND');
  });

  it('a scoped administrator cannot mint a key wider than itself', async () => {
    const scopedAdmin = await bearer(gw, ['ADMIN'], ['ctrl-a']);
    const wider = await gw.graphql(CREATE, { input: { name: 'all', roles: ['HANDLER'] } }, scopedAdmin);
    expect(graphqlCodeOf(wider)).toBe('FORBIDDEN');
    const other = await gw.graphql(CREATE, { input: { name: 'b', roles: ['HANDLER'], controllerIds: ['ctrl-b'] } }, scopedAdmin);
    expect(graphqlCodeOf(other)).toBe('FORBIDDEN');
  });

  it('R13: a refused operation is recorded as DENIED with actor and operation, and only non-administrators are refused', async () => {
    const handler = await bearer(gw, ['HANDLER'], ['ctrl-a']);
    const refused = await gw.graphql('{ apiKeys { id } }', undefined, handler);
    expect(graphqlCodeOf(refused)).toBe('FORBIDDEN');
    const refusedMutation = await gw.graphql(CREATE, { input: { name: 'sneaky', roles: ['ADMIN'] } }, handler);
    expect(graphqlCodeOf(refusedMutation)).toBe('FORBIDDEN');
    const log = await gw.graphql<AuditReply>(AUDIT, { filter: { actor: keyIdOf(handler), outcome: 'DENIED' } }, auditor);
    expect(log.body.errors).toBeUndefined();
    expect(log.body.data!.auditLog.nodes.map((e) => [e.action, e.targetType, e.targetId, e.controllerId])).toEqual([
      ['graphql.createApiKey', 'graphql-mutation', 'createApiKey', 'ctrl-a'],
      ['graphql.apiKeys', 'graphql-query', 'apiKeys', 'ctrl-a'],
    ]);
    // An anonymous caller is refused but leaves no entry (there is no actor to record).
    const before = (await gw.graphql<AuditReply>(AUDIT, { filter: { outcome: 'DENIED' }, first: 500 }, auditor)).body.data!.auditLog.nodes.length;
    expect(graphqlCodeOf(await gw.graphql('{ apiKeys { id } }'))).toBe('UNAUTHENTICATED');
    const afterCount = (await gw.graphql<AuditReply>(AUDIT, { filter: { outcome: 'DENIED' }, first: 500 }, auditor)).body.data!.auditLog.nodes.length;
    expect(afterCount).toBe(before);
  });

  it('pages the audit log by seq cursor, filters by action and time range, and audits the reading', async () => {
    for (let i = 0; i < 3; i++) await gw.graphql(CREATE, { input: { name: `paged ${i}`, roles: ['WORKER'] } }, admin);
    const first = await gw.graphql<AuditReply>(AUDIT, { filter: { action: 'key.create' }, first: 2 }, auditor);
    const page1 = first.body.data!.auditLog;
    expect(page1.nodes).toHaveLength(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page1.edges.map((e) => e.cursor)).toEqual(page1.nodes.map((n) => n.seq));
    const second = await gw.graphql<AuditReply>(AUDIT, { filter: { action: 'key.create' }, first: 2, after: page1.pageInfo.endCursor }, auditor);
    const page2 = second.body.data!.auditLog;
    expect(BigInt(page2.nodes[0]!.seq)).toBeLessThan(BigInt(page1.nodes[1]!.seq));
    expect(page2.nodes.every((n) => n.action === 'key.create')).toBe(true);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await gw.graphql<AuditReply>(AUDIT, { filter: { from: future } }, auditor);
    expect(none.body.data!.auditLog.nodes).toEqual([]);
    const past = await gw.graphql<AuditReply>(AUDIT, { filter: { to: new Date(0).toISOString() } }, auditor);
    expect(past.body.data!.auditLog.nodes).toEqual([]);

    const reads = await gw.graphql<AuditReply>(AUDIT, { filter: { action: 'audit.read', actor: keyIdOf(auditor) } }, auditor);
    expect(reads.body.data!.auditLog.nodes.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses a bad cursor, page size or range with BAD_USER_INPUT', async () => {
    for (const vars of [
      { after: 'abc' },
      { first: 0 },
      { first: 501 },
      { filter: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } },
      { filter: { actor: 'a\u0000b' } },
    ]) {
      const reply = await gw.graphql(AUDIT, vars, auditor);
      expect(graphqlCodeOf(reply), JSON.stringify(vars)).toBe('BAD_USER_INPUT');
    }
  });

  it('an auditor bound to a controller sees only that controller’s entries', async () => {
    const record = (controllerId: string | null, targetId: string) =>
      gw.runtime.services.audit.record({
        actor: { id: 'test', kind: 'system' },
        // A name no code writes, so that the filter below finds these three entries only.
        action: 'request.read' as AuditActionName,
        target: { type: 'request', id: targetId },
        outcome: 'SUCCESS',
        controllerId,
      });
    await record('ctrl-a', 'req-a');
    await record('ctrl-b', 'req-b');
    await record(null, 'req-group');
    const scoped = await bearer(gw, ['AUDITOR'], ['ctrl-a']);
    const seen = await gw.graphql<AuditReply>(AUDIT, { filter: { action: 'request.read' } }, scoped);
    expect(seen.body.data!.auditLog.nodes.map((e) => e.targetId)).toEqual(['req-a']);
    const all = await gw.graphql<AuditReply>(AUDIT, { filter: { action: 'request.read' } }, auditor);
    expect(all.body.data!.auditLog.nodes.map((e) => e.targetId)).toEqual(['req-group', 'req-b', 'req-a']);
  });

  it('exposes the Role enum', async () => {
    const { body } = await gw.graphql<{ __type: { enumValues: { name: string }[] } }>('{ __type(name: "Role") { enumValues { name } } }', undefined, admin);
    expect(body.data!.__type.enumValues.map((v) => v.name)).toEqual(['ADMIN', 'HANDLER', 'SPECIAL_CATEGORY', 'AUDITOR', 'CONNECTOR', 'WORKER', 'MONITOR']);
  });
});
