import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { createOidcVerifier, type OidcVerifier } from '../../../src/auth/oidc.js';
import { loadConfig } from '../../../src/config/config.js';
import { createAuthenticator } from '../../../src/auth/authenticate.js';
import { Role } from '../../../src/auth/roles.js';
import { EVERY_CONTROLLER, onlyControllers } from '../../../src/auth/principal.js';
import { codeOf } from '../../support/error-codes.js';

const ISSUER = 'https://idp.test/realms/dsr';
const AUDIENCE = 'dsr-gateway';

let server: Server;
let jwksUrl: string;
let signingKey: CryptoKey;
let foreignKey: CryptoKey;
let jwksRequests = 0;
let verifier: OidcVerifier;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  foreignKey = (await generateKeyPair('RS256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    jwksRequests += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  verifier = createOidcVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl, rolesClaim: 'realm_access.roles', controllersClaim: 'dsr_controllers' });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

function token(claims: Record<string, unknown>, opts: { key?: CryptoKey; issuer?: string; audience?: string; exp?: string | number } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
    .setSubject('user-123')
    .setIssuer(opts.issuer ?? ISSUER)
    .setAudience(opts.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
    .sign(opts.key ?? signingKey);
}

describe('OIDC bearer tokens', () => {
  it('verifies a token against the JWKS served on 127.0.0.1 and maps roles and controllers', async () => {
    const p = await verifier.verify(await token({ realm_access: { roles: ['HANDLER', 'offline_access', 'SPECIAL_CATEGORY'] }, dsr_controllers: ['A'] }));
    expect(p).toEqual({ kind: 'oidc', id: 'user-123', roles: [Role.HANDLER, Role.SPECIAL_CATEGORY], controllers: onlyControllers(['A']) });
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('accepts space-separated role strings; no controller claim is no controller, unless the deployment says every', async () => {
    const plain = createOidcVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl });
    const p = await plain.verify(await token({ roles: 'AUDITOR ROOT' }));
    expect(p.roles).toEqual([Role.AUDITOR]);
    expect(p.controllers).toEqual(onlyControllers([]));
    const groupWide = createOidcVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl, withoutControllersClaim: 'every' });
    expect((await groupWide.verify(await token({ roles: 'AUDITOR' }))).controllers).toEqual(EVERY_CONTROLLER);
    // The setting speaks of a missing claim only: one present but empty still binds to none.
    expect((await groupWide.verify(await token({ roles: 'AUDITOR', controllers: [] }))).controllers).toEqual(onlyControllers([]));
  });

  it.each([
    ['"*"', '*', EVERY_CONTROLLER],
    ['["*"]', ['*'], EVERY_CONTROLLER],
    ['a space-separated list', 'A B', onlyControllers(['A', 'B'])],
    ['an empty list', [], onlyControllers([])],
    ['an empty string', '', onlyControllers([])],
  ])('reads a controller claim of %s', async (_label, claim, expected) => {
    expect((await verifier.verify(await token({ roles: ['HANDLER'], dsr_controllers: claim }))).controllers).toEqual(expected);
  });

  it.each([
    ['numbers', [42]],
    ['a mix of strings and numbers', ['A', 7]],
    ['an object', { id: 'A' }],
    ['a number', 42],
    ['"*" beside a controller id', ['*', 'A']],
    ['"*" beside a controller id in a string', 'A *'],
  ])('refuses a token whose controller claim holds %s (UNAUTHENTICATED), never reading it as every controller', async (_label, claim) => {
    expect(await codeOf(verifier.verify(await token({ roles: ['HANDLER'], dsr_controllers: claim })))).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['signed by another key', { key: 'foreign' }],
    ['from another issuer', { issuer: 'https://evil.test' }],
    ['for another audience', { audience: 'other-app' }],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 3600 }],
  ])('refuses a token %s with UNAUTHENTICATED', async (_label, opts) => {
    const t = await token({ roles: ['ADMIN'] }, { ...(opts as object), key: (opts as { key?: string }).key === 'foreign' ? foreignKey : undefined } as never);
    expect(await codeOf(verifier.verify(t))).toBe('UNAUTHENTICATED');
  });

  it('refuses unsigned and garbage tokens', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'x', iss: ISSUER, aud: AUDIENCE, exp: 9999999999, roles: ['ADMIN'] })).toString('base64url');
    expect(await codeOf(verifier.verify(`${header}.${body}.`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verifier.verify('a.b.c'))).toBe('UNAUTHENTICATED');
  });

  it('the authenticator routes dsr_ keys to API keys and JWTs to OIDC', async () => {
    const seen: string[] = [];
    const auth = createAuthenticator({
      apiKeys: { authenticate: async (t) => (seen.push(t ?? ''), { kind: 'api-key', id: 'k', roles: [], controllers: EVERY_CONTROLLER }) },
      oidc: verifier,
    });
    const apiKey = `dsr_0123456789abcdef_${'a'.repeat(43)}`;
    expect((await auth.authenticate(`Bearer ${apiKey}`)).kind).toBe('api-key');
    expect(seen).toEqual([apiKey]);
    expect((await auth.authenticate(`Bearer ${await token({ roles: ['HANDLER'] })}`)).kind).toBe('oidc');
    expect(await codeOf(auth.authenticate(undefined))).toBe('UNAUTHENTICATED');
    expect(await codeOf(auth.authenticate('Bearer something-else'))).toBe('UNAUTHENTICATED');
    const noOidc = createAuthenticator({ apiKeys: { authenticate: async () => expect.unreachable() } });
    expect(await codeOf(noOidc.authenticate(`Bearer ${await token({})}`))).toBe('UNAUTHENTICATED');
  });

  it('reads OIDC settings from DSR_OIDC_* variables', () => {
    expect(loadConfig({}).oidc).toBeNull();
    expect(loadConfig({ DSR_OIDC_ISSUER: ISSUER, DSR_OIDC_AUDIENCE: AUDIENCE, DSR_OIDC_JWKS_URL: jwksUrl }).oidc).toMatchObject({
      rolesClaim: 'roles',
      controllersClaim: 'controllers',
    });
    expect(() => loadConfig({ DSR_OIDC_ISSUER: ISSUER })).toThrow(/DSR_OIDC_AUDIENCE/);
    const settings = { DSR_OIDC_ISSUER: ISSUER, DSR_OIDC_AUDIENCE: AUDIENCE, DSR_OIDC_JWKS_URL: jwksUrl };
    expect(loadConfig(settings).oidc?.withoutControllersClaim).toBe('none');
    expect(loadConfig({ ...settings, DSR_OIDC_WITHOUT_CONTROLLERS_CLAIM: 'every' }).oidc?.withoutControllersClaim).toBe('every');
    // A misspelt value fails at start rather than falling back to either reading.
    expect(() => loadConfig({ ...settings, DSR_OIDC_WITHOUT_CONTROLLERS_CLAIM: 'all' })).toThrow(/DSR_OIDC_WITHOUT_CONTROLLERS_CLAIM.*must be none or every/);
  });
});
