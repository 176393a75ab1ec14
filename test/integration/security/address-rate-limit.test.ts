import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { postDownload } from '../../support/access-package-download.js';

const UNKNOWN_KEY = { authorization: 'Bearer dsr_aaaaaaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };

async function post(gw: TestGateway, headers: Record<string, string>) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ version }' }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string; retryAfterSeconds?: number } }[] };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.errors?.[0]?.extensions?.code, body };
}

/** Counts the key lookups that reach the key store (each one a database read). */
function countLookups(gw: TestGateway): () => number {
  const apiKeys = gw.runtime.services.apiKeys;
  const original = apiKeys.authenticate.bind(apiKeys);
  let n = 0;
  apiKeys.authenticate = async (token: string) => {
    n++;
    return original(token);
  };
  return () => n;
}

describe('rate limit per client address before authentication', () => {
  let gw: TestGateway;
  let lookups: () => number;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '5' } });
    lookups = countLookups(gw);
  }, 60_000);
  afterAll(async () => gw?.stop());

  it('a flood of unknown keys gets 429 RATE_LIMITED with Retry-After, and past the limit no key reaches the key store', async () => {
    const replies = [];
    for (let i = 0; i < 20; i++) replies.push(await post(gw, UNKNOWN_KEY));
    expect(replies.slice(0, 5).map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    for (const r of replies.slice(5)) {
      expect(r.status).toBe(429);
      expect(r.code).toBe('RATE_LIMITED');
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(r.body.errors?.[0]?.extensions?.retryAfterSeconds).toBe(Number(r.retryAfter));
    }
    expect(lookups()).toBe(5);
    // The feed endpoint and the operator routes stand behind the same gate.
    const tombstones = await fetch(`${gw.url}/v1/tombstones/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...UNKNOWN_KEY },
      body: '{"identifiers":[]}',
    });
    expect(tombstones.status).toBe(429);
    expect(tombstones.headers.get('retry-after')).not.toBeNull();
    expect((await fetch(`${gw.url}/metrics`, { headers: UNKNOWN_KEY })).status).toBe(429);
    expect((await fetch(`${gw.url}/admin/queues`)).status).toBe(429);
    // An access-package link is a credential too: no lookup past the limit.
    expect((await postDownload(gw.url, `/v1/access-packages/open#${'g'.repeat(40)}`)).status).toBe(429);
    expect(lookups()).toBe(5);
    // X-Forwarded-For is not trusted unless TRUST_PROXY says so: a new claimed address does not help.
    expect((await post(gw, { ...UNKNOWN_KEY, 'x-forwarded-for': '203.0.113.9' })).status).toBe(429);
  });
});

describe('calls without any credential count against the address too', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3' } });
  }, 60_000);
  afterAll(async () => gw?.stop());

  it('an anonymous flood gets 429; a key that authenticates spends nothing from the address, but waits once it is spent', async () => {
    const handler = await bearer(gw, ['HANDLER']);
    for (let i = 0; i < 5; i++) expect((await post(gw, handler)).status).toBe(200);
    const anonymous = [];
    for (let i = 0; i < 5; i++) anonymous.push(await post(gw, {}));
    expect(anonymous.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expect(anonymous[0]!.code).toBe('UNAUTHENTICATED');
    expect(anonymous[3]!.code).toBe('RATE_LIMITED');
    // The gate is looked at before any credential is (that is what spares the database).
    expect((await post(gw, handler)).status).toBe(429);
  });
});

describe('guessed access-package links count against the address', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3' } });
  }, 60_000);
  afterAll(async () => gw?.stop());

  it('three unknown links posted are 404, the fourth is 429 with Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postDownload(gw.url, `/v1/access-packages/open#guess${String(i).repeat(30)}`)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
  });
});

describe('behind a trusted proxy (TRUST_PROXY=loopback)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2', TRUST_PROXY: 'loopback' } });
  }, 60_000);
  afterAll(async () => gw?.stop());

  it('each client address the proxy reports has a bucket of its own', async () => {
    const from = (ip: string) => ({ ...UNKNOWN_KEY, 'x-forwarded-for': ip });
    const a = [];
    for (let i = 0; i < 3; i++) a.push((await post(gw, from('198.51.100.1'))).status);
    expect(a).toEqual([401, 401, 429]);
    expect((await post(gw, from('198.51.100.2'))).status).toBe(401);
  });
});
