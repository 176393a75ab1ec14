import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { graphqlCodeOf } from '../../support/error-codes.js';

describe('HTTP server (development mode)', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway();
    auth = await bearer(gw, ['HANDLER']);
  });
  afterAll(() => gw.stop());

  it('answers the version and health queries to an authenticated caller', async () => {
    const { status, body } = await gw.graphql<{ version: string; health: { ready: boolean; queueBackend: string } }>(
      '{ version health { ready database queue queueBackend } }',
      undefined,
      auth,
    );
    expect(status).toBe(200);
    expect(body.data?.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.data?.health).toEqual({ ready: true, database: true, queue: true, queueBackend: 'postgres' });
  });

  it('refuses a query without credentials, and a bad key with 401', async () => {
    const anonymous = await gw.graphql<{ version: string }>('{ version }');
    expect(graphqlCodeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.body.data?.version ?? null).toBeNull();
    const forged = await gw.graphql('{ version }', undefined, { authorization: 'Bearer dsr_aaaaaaaaaaaaaaaa_' + 'x'.repeat(43) });
    expect(forged.status).toBe(401);
    expect(graphqlCodeOf(forged)).toBe('UNAUTHENTICATED');
  });

  it('serves /healthz and /readyz without credentials', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
  });

  it('shows the Apollo Sandbox landing page in development', async () => {
    const res = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/sandbox|apollo/i);
  });

  it('refuses a body over the limit with a code', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ version }`, padding: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('HTTP server (production mode)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', env: { NODE_ENV: 'production' } });
  });
  afterAll(() => gw.stop());

  it('uses Redis for queues when REDIS_URL is set', async () => {
    const { body } = await gw.graphql<{ health: { queueBackend: string } }>('{ health { queueBackend } }', undefined, await bearer(gw, ['ADMIN']));
    expect(body.data?.health.queueBackend).toBe('redis');
  });

  it('has no landing page and no introspection', async () => {
    const page = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/sandbox/i);
    const { body } = await gw.graphql('{ __schema { types { name } } }', undefined, await bearer(gw, ['ADMIN']));
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a GET that could be a cross-site request (CSRF prevention)', async () => {
    const res = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ version }')}`);
    expect(res.status).toBe(400);
  });
});
