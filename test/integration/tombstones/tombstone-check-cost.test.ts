// R10, R13: a tombstone check answers whether people were erased, so it is paid by its size
// from the caller's rate-limit bucket (one token per TOMBSTONE_CHECK_IDENTIFIERS_PER_TOKEN
// identifiers begun, 10 by default), not one token per call: a key cannot ask about more
// people than its budget pays for by putting them in bigger checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';

// A bucket of 30 tokens refilled at one every two seconds: a check of 300 identifiers (30
// tokens) empties it; the tests run well within the minute that would refill it.
const BUCKET = 30;

// The buckets live in memory without Redis, in Redis (shared by replicas) with it.
describe.each(['postgres', 'redis'] as const)('R10, R13: the rate cost of a tombstone check follows its size (queues and buckets: %s)', (queue) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ queue, worker: false, env: { RATE_LIMIT_PER_MINUTE: String(BUCKET) } });
  }, 60_000);
  afterAll(async () => gw?.stop());

  const people = (n: number, tag: string) => ({
    people: Array.from({ length: n }, (_, i) => ({ ref: `r${i}`, identifiers: [{ type: 'EMAIL', value: `${tag}${i}@example.org` }] })),
  });
  const post = (body: unknown, headers: Record<string, string>) =>
    fetch(`${gw.url}/v1/tombstones/check`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  /** Checks of `size` identifiers, one after the other, until the key is refused; how many were answered, and the refusal. */
  async function checksUntilRefused(size: number, headers: Record<string, string>): Promise<{ answered: number; refusal: Response }> {
    for (let answered = 0; answered < 200; answered++) {
      const res = await post(people(size, `s${size}-${answered}-`), headers);
      if (res.status !== 200) return { answered, refusal: res };
    }
    throw new Error('never refused');
  }

  it('a key exhausts its budget with fewer big checks than small ones; the refusal is 429 RATE_LIMITED with Retry-After', async () => {
    const big = await checksUntilRefused(BUCKET * 10, await bearer(gw, ['CONNECTOR']));
    const small = await checksUntilRefused(10, await bearer(gw, ['CONNECTOR']));
    // 300 identifiers cost the whole bucket; 10 cost one token, as any other call does.
    expect(big.answered).toBe(1);
    expect(small.answered).toBeGreaterThanOrEqual(BUCKET);
    for (const { refusal } of [big, small]) {
      expect(refusal.status).toBe(429);
      expect(Number(refusal.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await refusal.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    }
  });

  it('tombstoneCheck (GraphQL) is paid the same way: a second check of a full bucket is refused with 429 RATE_LIMITED', async () => {
    const key = await bearer(gw, ['HANDLER']);
    const q = `query($ids: [IdentifierInput!]!) { tombstoneCheck(identifiers: $ids) { anyTombstoned } }`;
    const ids = Array.from({ length: BUCKET * 10 }, (_, i) => ({ type: 'EMAIL', value: `g${i}@example.org` }));
    const ask = () =>
      fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...key },
        body: JSON.stringify({ query: q, variables: { ids } }),
      });
    const first = await ask();
    expect(first.status).toBe(200);
    expect(((await first.json()) as { data: { tombstoneCheck: { anyTombstoned: boolean } } }).data.tombstoneCheck.anyTombstoned).toBe(false);
    const second = await ask();
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await second.json()) as { errors: { extensions: { code: string; retryAfterSeconds: number } }[] };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0]!.extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it("tombstoneCheck asked several times in one GraphQL operation (aliases) pays for every check: the operation's own token pays for one", async () => {
    const key = await bearer(gw, ['HANDLER']);
    // Ten checks of ten identifiers in one operation: ten tokens, as ten separate checks would cost.
    const aliases = 10;
    const q = `query($ids: [IdentifierInput!]!) { ${Array.from({ length: aliases }, (_, i) => `c${i}: tombstoneCheck(identifiers: $ids) { anyTombstoned }`).join(' ')} }`;
    let answered = 0;
    for (; answered < BUCKET + 1; answered++) {
      const ids = Array.from({ length: 10 }, (_, i) => ({ type: 'EMAIL', value: `alias${answered}-${i}@example.org` }));
      const res = await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...key },
        body: JSON.stringify({ query: q, variables: { ids } }),
      });
      const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: { extensions: { code: string } }[] };
      if (res.status !== 200 || body.errors?.length) {
        expect(body.errors?.[0]?.extensions.code).toBe('RATE_LIMITED');
        break;
      }
    }
    // A bucket of 30 pays for three such operations (a token or two may come back meanwhile), not thirty.
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(answered).toBeLessThanOrEqual(BUCKET / aliases);
  });

  it('a check costing more than a full bucket is refused as too big (413 TOO_MANY_IDENTIFIERS, with the maximum), not left to wait forever', async () => {
    const res = await post(people(BUCKET * 10 + 1, 'over'), await bearer(gw, ['CONNECTOR']));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string; max: number } }).error).toMatchObject({ code: 'TOO_MANY_IDENTIFIERS', max: BUCKET * 10 });
  });

  it('tombstoneCheck aliases in one GraphQL operation that together cost more than a full bucket are refused as too big (TOO_MANY_IDENTIFIERS, with the maximum), spending nothing', async () => {
    const key = await bearer(gw, ['HANDLER']);
    // Four checks of 100 identifiers: 40 tokens, more than the bucket of 30 ever holds.
    const q = `query($a: [IdentifierInput!]!, $b: [IdentifierInput!]!) { c0: tombstoneCheck(identifiers: $a) { anyTombstoned } c1: tombstoneCheck(identifiers: $b) { anyTombstoned } ...More } fragment More on Query { c2: tombstoneCheck(identifiers: $a) { anyTombstoned } c3: tombstoneCheck(identifiers: $b) { anyTombstoned } }`;
    const ids = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ type: 'EMAIL', value: `${tag}${i}@example.org` }));
    const ask = (query: string, variables: Record<string, unknown>) =>
      fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...key }, body: JSON.stringify({ query, variables }) });
    const res = await ask(q, { a: ids('opa', 100), b: ids('opb', 100) });
    const body = (await res.json()) as { data?: unknown; errors?: { path: string[]; extensions: { code: string; max: number } }[] };
    // Every check is refused alike; the first refusal answers for the operation (its fields are non-null).
    expect(body.errors?.length).toBeGreaterThanOrEqual(1);
    for (const e of body.errors!) expect(e.extensions).toMatchObject({ code: 'TOO_MANY_IDENTIFIERS', max: BUCKET * 10 });
    // Nothing was spent but the operation's own token: a check of 29 tokens (its own and 28 more) is still paid.
    const after = await ask(`query($a: [IdentifierInput!]!) { tombstoneCheck(identifiers: $a) { anyTombstoned } }`, { a: ids('after', (BUCKET - 1) * 10) });
    expect(after.status).toBe(200);
    expect(((await after.json()) as { data: { tombstoneCheck: { anyTombstoned: boolean } } }).data.tombstoneCheck.anyTombstoned).toBe(false);
  });
});
