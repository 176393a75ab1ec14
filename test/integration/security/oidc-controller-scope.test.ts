// An OIDC token's controller binding fails closed (R13): a token that forgot the controllers
// claim, or carries it empty, sees no controller's data and cannot mint keys for any;
// every controller is only for a claim that says so ("*"). Tokens are signed by a test key
// whose JWKS is served on the loopback, and the gateway is asked from outside (GraphQL).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { IdentifierType as T, RecordAction } from '../../../src/domain/vocabulary.js';
import { AuditAction, AuditOutcome } from '../../../src/audit/audit-actions.js';

const ISSUER = 'https://idp.test/realms/dsr';
const AUDIENCE = 'dsr-gateway';

let jwks: Server;
let signingKey: CryptoKey;
let gw: TestGateway;
let requestOfA: string;

async function tokenHeader(claims: Record<string, unknown>): Promise<Record<string, string>> {
  const jwt = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
    .setSubject('oidc-user')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(signingKey);
  return { authorization: `Bearer ${jwt}` };
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  gw = await startTestGateway({
    env: {
      SCHEDULERS: 'false',
      DSR_OIDC_ISSUER: ISSUER,
      DSR_OIDC_AUDIENCE: AUDIENCE,
      DSR_OIDC_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    },
    worker: false,
  });
  requestOfA = await insertApprovedRequest(gw.runtime.services, {
    identifiers: [{ type: T.EMAIL, value: 'oidc-scope@example.org' }],
    decisions: [{ sourceId: 'cases', recordId: 'case-of-a', recordType: 'case', action: RecordAction.ERASE }],
  });
  await gw.runtime.services.dataSource.query(`UPDATE data_subject_request SET controller_ids = '{ctrl-a}' WHERE id = $1`, [requestOfA]);
  await gw.runtime.services.dataSource.query(`UPDATE request_record SET controller_id = 'ctrl-a' WHERE request_id = $1`, [requestOfA]);
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

const READ = `query($id: ID!) { request(id: $id) { id } requests { totalCount nodes { id } } }`;
type Read = { request: { id: string } | null; requests: { totalCount: number; nodes: { id: string }[] } };

async function seen(headers: Record<string, string>): Promise<{ one: boolean; listed: boolean; total: number }> {
  const reply = await gw.graphql<Read>(READ, { id: requestOfA }, headers);
  expect(reply.body.errors).toBeUndefined();
  const data = reply.body.data!;
  return { one: data.request !== null, listed: data.requests.nodes.some((n) => n.id === requestOfA), total: data.requests.totalCount };
}

describe('OIDC controller binding', () => {
  it.each([
    ['no controllers claim', { roles: ['HANDLER'] }],
    ['an empty controllers list', { roles: ['HANDLER'], controllers: [] }],
    ['an empty controllers string', { roles: ['HANDLER'], controllers: '' }],
    ['a null controllers claim', { roles: ['HANDLER'], controllers: null }],
  ])('a HANDLER token with %s sees no controller’s request, alone or in the list', async (_label, claims) => {
    expect(await seen(await tokenHeader(claims))).toEqual({ one: false, listed: false, total: 0 });
  });

  it('a token whose claim says "*" sees every controller, as does one naming the controller; one naming another does not', async () => {
    expect(await seen(await tokenHeader({ roles: ['HANDLER'], controllers: '*' }))).toMatchObject({ one: true, listed: true });
    expect(await seen(await tokenHeader({ roles: ['HANDLER'], controllers: ['*'] }))).toMatchObject({ one: true, listed: true });
    expect(await seen(await tokenHeader({ roles: ['HANDLER'], controllers: ['ctrl-a'] }))).toMatchObject({ one: true, listed: true });
    expect(await seen(await tokenHeader({ roles: ['HANDLER'], controllers: ['ctrl-b'] }))).toEqual({ one: false, listed: false, total: 0 });
    // An unbound API key still means every controller.
    expect(await seen(await bearer(gw, ['HANDLER']))).toMatchObject({ one: true, listed: true });
  });

  it('a claim mixing "*" with controller ids cannot be read as a binding: UNAUTHENTICATED', async () => {
    const reply = await gw.graphql(READ, { id: requestOfA }, await tokenHeader({ roles: ['HANDLER'], controllers: ['*', 'ctrl-a'] }));
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('me tells a token without the claim that it is bound to no controller, and one with "*" that it sees every controller', async () => {
    const ME = `{ me { controllerIds everyController } }`;
    type Me = { me: { controllerIds: string[]; everyController: boolean } };
    expect((await gw.graphql<Me>(ME, {}, await tokenHeader({ roles: ['HANDLER'] }))).body.data?.me).toEqual({ controllerIds: [], everyController: false });
    expect((await gw.graphql<Me>(ME, {}, await tokenHeader({ roles: ['HANDLER'], controllers: '*' }))).body.data?.me).toEqual({
      controllerIds: [],
      everyController: true,
    });
    expect((await gw.graphql<Me>(ME, {}, await bearer(gw, ['HANDLER'], ['ctrl-a']))).body.data?.me).toEqual({
      controllerIds: ['ctrl-a'],
      everyController: false,
    });
  });

  it('an ADMIN token without the claim cannot mint a key for every controller, nor for any one (FORBIDDEN), nothing written', async () => {
    const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key { id } } }`;
    const admin = await tokenHeader({ roles: ['ADMIN'] });
    const before = await gw.runtime.services.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`);
    for (const controllerIds of [[], ['ctrl-a']]) {
      const reply = await gw.graphql(CREATE, { input: { name: 'minted', roles: ['ADMIN'], controllerIds } }, admin);
      expect(reply.body.errors?.[0]?.extensions?.code, JSON.stringify(controllerIds)).toBe('FORBIDDEN');
    }
    expect(await gw.runtime.services.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`)).toEqual(before);
    // A token whose claim says every controller may.
    const everywhere = await gw.graphql(
      CREATE,
      { input: { name: 'minted', roles: ['HANDLER'], controllerIds: [] } },
      await tokenHeader({ roles: ['ADMIN'], controllers: '*' }),
    );
    expect(everywhere.body.errors).toBeUndefined();
  });

  it('an AUDITOR token without the claim reads no controller’s audit entries; one with "*" reads them', async () => {
    const AUDIT = `{ auditLog(first: 200) { nodes { controllerId } } }`;
    type Audit = { auditLog: { nodes: { controllerId: string | null }[] } };
    // An entry of controller A.
    await gw.runtime.services.audit.record({
      actor: { id: 'test', kind: 'api-key' },
      action: AuditAction.REQUEST_SUBMIT,
      target: { type: 'request', id: requestOfA },
      outcome: AuditOutcome.SUCCESS,
      controllerId: 'ctrl-a',
    });
    const none = await gw.graphql<Audit>(AUDIT, {}, await tokenHeader({ roles: ['AUDITOR'] }));
    expect(none.body.errors).toBeUndefined();
    expect(none.body.data!.auditLog.nodes.filter((n) => n.controllerId !== null)).toEqual([]);
    const every = await gw.graphql<Audit>(AUDIT, {}, await tokenHeader({ roles: ['AUDITOR'], controllers: '*' }));
    expect(every.body.data!.auditLog.nodes.some((n) => n.controllerId === 'ctrl-a')).toBe(true);
  });
});
