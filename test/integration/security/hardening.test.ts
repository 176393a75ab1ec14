import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { graphqlCodeOf } from '../../support/error-codes.js';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
  /** The parsed JSON, or nothing when the answer was not JSON (as graphqlCodeOf reads it). */
  body: NonNullable<Reply['json']>;
}

async function post(gw: TestGateway, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json: Reply['json'] = null;
  try {
    json = JSON.parse(text) as Reply['json'];
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json, body: json ?? {} };
}

/** `__type` nests through ofType without bound: the schema's own recursive type. */
function nestedTypeQuery(levels: number): string {
  let inner = 'name';
  for (let i = 0; i < levels; i++) inner = `ofType { ${inner} }`;
  return `{ __type(name: "Query") { fields { type { ${inner} } } } }`;
}

/** Every response must be free of stack traces and internal details. */
function expectNoLeak(r: Reply): void {
  expect(r.text).not.toMatch(/stacktrace|\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\.js:\d+/);
}

describe('GraphQL hardening with the default limits (development mode)', () => {
  let gw: TestGateway;
  let admin: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false });
    admin = await bearer(gw, ['ADMIN']);
  });
  afterAll(() => gw.stop());

  it('refuses a query deeper than GRAPHQL_MAX_DEPTH (12) with a coded error, and allows one within it', async () => {
    const deep = await post(gw, JSON.stringify({ query: nestedTypeQuery(12) }), admin);
    expect(deep.status).toBe(400);
    expect(graphqlCodeOf(deep)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(deep.json?.errors?.[0]?.message).toMatch(/depth/i);
    expect(deep.json?.data).toBeUndefined();
    const shallow = await post(gw, JSON.stringify({ query: nestedTypeQuery(5) }), admin);
    expect(shallow.json?.errors).toBeUndefined();
  });

  it('refuses an alias attack (more than GRAPHQL_MAX_ALIASES aliases)', async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: health { ready }`).join(' ');
    const r = await post(gw, JSON.stringify({ query: `{ ${aliases} }` }), admin);
    expect(r.status).toBe(400);
    expect(graphqlCodeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.json?.errors?.[0]?.message).toMatch(/alias/i);
    expectNoLeak(r);
  });

  it('refuses a token-heavy document (more than GRAPHQL_MAX_TOKENS) before validating it', async () => {
    const fields = Array.from({ length: 3500 }, () => 'version').join(' ');
    const r = await post(gw, JSON.stringify({ query: `{ ${fields} }` }), admin);
    expect(r.status).toBe(400);
    expect(graphqlCodeOf(r)).toBe('GRAPHQL_PARSE_FAILED');
    expect(r.json?.errors?.[0]?.message).toMatch(/Document contains more tha[nt] 3000 tokens/);
  });

  it('refuses an oversized body with 413 PAYLOAD_TOO_LARGE, and a malformed body with BAD_REQUEST', async () => {
    const big = await post(gw, JSON.stringify({ query: '{ version }', variables: { pad: 'x'.repeat(1_100_000) } }), admin);
    expect(big.status).toBe(413);
    expect(graphqlCodeOf(big)).toBe('PAYLOAD_TOO_LARGE');
    const malformed = await post(gw, '{"query": "{ version }"', admin);
    expect(malformed.status).toBe(400);
    expect(graphqlCodeOf(malformed)).toBe('BAD_REQUEST');
    expectNoLeak(malformed);
  });

  it("a malformed body's error does not quote the body (an e-mail in it is repeated to no proxy or log that keeps answers), on GraphQL and the tombstone check", async () => {
    const email = 'quoted.person@example.org';
    const graphql = await post(gw, `{"query": "{ version }", "variables": {"email": ${email}}}`, admin);
    expect(graphql.status).toBe(400);
    expect(graphqlCodeOf(graphql)).toBe('BAD_REQUEST');
    expect(JSON.stringify(graphql.json)).not.toContain('quoted');
    const check = await fetch(`${gw.url}/v1/tombstones/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearer(gw, ['CONNECTOR'])) },
      body: `{"identifiers": [{"type": "EMAIL", "value": ${email}}]}`,
    });
    expect(check.status).toBe(400);
    const text = await check.text();
    expect(text).toContain('BAD_REQUEST');
    expect(text).not.toContain('quoted');
  });

  it('a tombstone check, an answer about people, is not kept by a cache', async () => {
    const check = await fetch(`${gw.url}/v1/tombstones/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearer(gw, ['CONNECTOR'])) },
      body: JSON.stringify({ identifiers: [{ type: 'EMAIL', value: 'someone@example.org' }] }),
    });
    expect(check.status).toBe(200);
    expect(check.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses batched requests (an array of operations) with a coded error', async () => {
    const r = await post(gw, JSON.stringify([{ query: '{ version }' }, { query: '{ version }' }]), admin);
    expect(r.status).toBe(400);
    expect(graphqlCodeOf(r)).toBe('BAD_REQUEST');
    expect(r.json?.errors?.[0]?.message).toMatch(/batch/i);
    expectNoLeak(r);
  });

  it('CSRF: refuses a simple (non-preflighted) cross-site POST and GET with a coded error', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...admin },
      body: JSON.stringify({ query: '{ version }' }),
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain('"version"');
    const get = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ version }')}`, { headers: admin });
    expect(get.status).toBe(400);
    const body = (await get.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  // A client that sends the preflight header is not cross-site, yet GET puts the variables
  // (here a person's e-mail) in the address, where proxies and access logs keep them.
  it('refuses an operation sent in the address (GET) even from a deliberate client, and runs nothing', async () => {
    const handler = await bearer(gw, ['HANDLER']);
    const query = encodeURIComponent('query Find($q: SubjectQueryInput!) { subject(query: $q) { complete } }');
    const variables = encodeURIComponent(JSON.stringify({ q: { identifiers: [{ type: 'EMAIL', value: 'jane.doe@example.com' }] } }));
    const res = await fetch(`${gw.url}/graphql?query=${query}&variables=${variables}`, { headers: { ...handler, 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]!.message).toMatch(/POST/);
    expect(JSON.stringify(body)).not.toContain('jane.doe');
    // The same operation as a POST body works.
    const post = await gw.graphql(
      'query Find($q: SubjectQueryInput!) { subject(query: $q) { complete } }',
      { q: { identifiers: [{ type: 'EMAIL', value: 'jane.doe@example.com' }] } },
      handler,
    );
    expect(post.body.errors).toBeUndefined();
  });

  it('masks an internal failure as INTERNAL_SERVER_ERROR with no message, stack or detail', async () => {
    const services = gw.runtime.services;
    const original = services.apiKeys.list;
    services.apiKeys.list = async () => {
      throw new Error('relation "api_keys" does not exist at db-primary.internal:5432 password=hunter2');
    };
    try {
      const r = await post(gw, JSON.stringify({ query: '{ apiKeys { id } }' }), admin);
      expect(r.json?.errors).toHaveLength(1);
      expect(r.json?.errors?.[0]).toEqual({
        message: 'Internal error',
        locations: [{ line: 1, column: 3 }],
        path: ['apiKeys'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(r.text).not.toMatch(/hunter2|db-primary|api_keys/);
      expectNoLeak(r);
    } finally {
      services.apiKeys.list = original;
    }
  });

  it('names the limit a refused query exceeded, without calling it a syntax error', async () => {
    const deep = await post(gw, JSON.stringify({ query: nestedTypeQuery(12) }), admin);
    const aliases = await post(gw, JSON.stringify({ query: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: version`).join(' ')} }` }), admin);
    const costly = await post(
      gw,
      JSON.stringify({ query: '{ auditLog(first: 500) { edges { cursor node { seq at actorId action targetType targetId outcome } } } }' }),
      admin,
    );
    for (const [reply, limit] of [
      [deep, 'depth'],
      [aliases, 'aliases'],
      [costly, 'cost'],
    ] as const) {
      expect(reply.status).toBe(400);
      expect(graphqlCodeOf(reply)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(reply.json?.errors?.[0]?.extensions?.limit).toBe(limit);
      expect(reply.json?.errors?.[0]?.message).not.toMatch(/syntax/i);
    }
  });

  it('answers a bad persisted-query extension with 400 BAD_REQUEST, not an internal error', async () => {
    const hash = 'a'.repeat(64);
    for (const extensions of [
      { persistedQuery: { version: 1, sha256Hash: hash } },
      { persistedQuery: { version: 2, sha256Hash: hash } },
      { persistedQuery: 'x' },
    ]) {
      const r = await post(gw, JSON.stringify({ query: '{ version }', extensions }), admin);
      expect(r.status).toBe(400);
      expect(graphqlCodeOf(r)).toBe('BAD_REQUEST');
      expectNoLeak(r);
    }
  });

  it('answers variables that do not fit their types with 400 BAD_USER_INPUT (as the error table says)', async () => {
    const r = await post(gw, JSON.stringify({ query: 'query($n: Int) { auditLog(first: $n) { nodes { seq } } }', variables: { n: 'many' } }), admin);
    expect(r.status).toBe(400);
    expect(graphqlCodeOf(r)).toBe('BAD_USER_INPUT');
  });

  it('answers an unknown field with a validation error code', async () => {
    const r = await post(gw, JSON.stringify({ query: '{ versio }' }), admin);
    expect(graphqlCodeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('GraphQL hardening with limits from configuration', () => {
  let gw: TestGateway;
  let admin: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway({
      worker: false,
      env: { GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_COST: '30', GRAPHQL_MAX_ALIASES: '2', GRAPHQL_MAX_TOKENS: '60', HTTP_BODY_LIMIT: '2kb' },
    });
    admin = await bearer(gw, ['ADMIN']);
  });
  afterAll(() => gw.stop());

  it('applies GRAPHQL_MAX_DEPTH', async () => {
    const r = await post(gw, JSON.stringify({ query: nestedTypeQuery(2) }), admin);
    expect(graphqlCodeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.json?.errors?.map((e) => e.message).join(' ')).toMatch(/depth limit of 4/i);
    expect((await post(gw, JSON.stringify({ query: '{ health { ready } }' }), admin)).json?.errors).toBeUndefined();
  });

  it('applies GRAPHQL_MAX_COST (a cost attack through list fields)', async () => {
    const costly = `{ apiKeys { id name roles createdAt } auditLog { edges { cursor node { seq at actorId } } nodes { seq action } pageInfo { endCursor } } }`;
    const r = await post(gw, JSON.stringify({ query: costly }), admin);
    expect(r.status).toBe(400);
    expect(graphqlCodeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.json?.errors?.map((e) => e.message).join(' ')).toMatch(/cost limit of 30/i);
    const cheap = await post(gw, JSON.stringify({ query: '{ apiKeys { id } }' }), admin);
    expect(cheap.json?.errors).toBeUndefined();
  });

  it('applies GRAPHQL_MAX_ALIASES and GRAPHQL_MAX_TOKENS', async () => {
    const aliases = await post(gw, JSON.stringify({ query: '{ a: version b: version c: version }' }), admin);
    expect(graphqlCodeOf(aliases)).toBe('GRAPHQL_VALIDATION_FAILED');
    const tokens = await post(gw, JSON.stringify({ query: `{ ${Array.from({ length: 70 }, () => 'version').join(' ')} }` }), admin);
    expect(tokens.status).toBe(400);
    expect(graphqlCodeOf(tokens)).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('applies HTTP_BODY_LIMIT, to the tombstone check for feeds too', async () => {
    const r = await post(gw, JSON.stringify({ query: '{ version }', variables: { pad: 'x'.repeat(3000) } }), admin);
    expect(r.status).toBe(413);
    expect(graphqlCodeOf(r)).toBe('PAYLOAD_TOO_LARGE');
    const feed = await bearer(gw, ['CONNECTOR']);
    const identifiers = Array.from({ length: 60 }, (_, i) => ({ type: 'EMAIL', value: `person${i}@example.org` }));
    const check = await fetch(`${gw.url}/v1/tombstones/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...feed },
      body: JSON.stringify({ identifiers }),
    });
    expect(check.status).toBe(413);
    expect(((await check.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('GraphQL hardening in production', () => {
  let gw: TestGateway;
  let admin: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { NODE_ENV: 'production' } });
    admin = await bearer(gw, ['ADMIN']);
  });
  afterAll(() => gw.stop());

  it('refuses introspection (__schema and __type) with a coded error', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { name } }']) {
      const r = await post(gw, JSON.stringify({ query }), admin);
      expect(r.status).toBe(400);
      expect(graphqlCodeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(r.json?.data).toBeUndefined();
    }
  });

  it('does not suggest field names (no schema leak through typos)', async () => {
    const r = await post(gw, JSON.stringify({ query: '{ versio }' }), admin);
    expect(graphqlCodeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.text).not.toMatch(/Did you mean/i);
  });

  // Variables are checked after validation, where the field-suggestion block does not reach:
  // a mistyped enum value named the schema's values to anyone, signed in or not.
  it('does not suggest enum values for a mistyped variable either', async () => {
    const query = 'query Find($q: SubjectQueryInput!) { subject(query: $q) { complete } }';
    for (const headers of [admin, {}]) {
      const r = await post(gw, JSON.stringify({ query, variables: { q: { identifiers: [{ type: 'EMAI', value: 'x@example.com' }] } } }), headers);
      expect(r.status).toBe(400);
      expect(graphqlCodeOf(r)).toBe('BAD_USER_INPUT');
      expect(r.text).not.toMatch(/Did you mean|"EMAIL"/i);
    }
  });
});

describe('per-key rate limit', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => gw.stop());

  it('answers 429 RATE_LIMITED with Retry-After once a key has spent its bucket, other keys unaffected', async () => {
    const first = await bearer(gw, ['HANDLER']);
    const second = await bearer(gw, ['HANDLER']);
    const replies: Reply[] = [];
    for (let i = 0; i < 4; i++) replies.push(await post(gw, JSON.stringify({ query: '{ version }' }), first));
    expect(replies.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    const limited = replies[3]!;
    expect(limited.status).toBe(429);
    expect(graphqlCodeOf(limited)).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(limited.json?.errors?.[0]?.extensions?.retryAfterSeconds).toBe(retryAfter);
    expect(limited.json?.data ?? null).toBeNull();
    const other = await post(gw, JSON.stringify({ query: '{ version }' }), second);
    expect(other.status).toBe(200);
  });
});
