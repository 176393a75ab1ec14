// The API the console's inbox, request page, sources and audit screens need: search by an
// identifier (the keyed blind index), the failed-tasks and channel filters, the days-left
// order with its keyset paging, a request's timeline, the sources' record counts, and the
// audit chain's verification state. Through GraphQL on a real gateway and database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';

let gw: TestGateway;
let handler: Record<string, string>;
let auditor: Record<string, string>;
const ids: Record<'ann' | 'bob' | 'cal', string> = { ann: '', bob: '', cal: '' };

async function submit(type: string, identifiers: { type: string; value: string }[], channel?: string): Promise<string> {
  const r = await gw.graphql<{ submitRequest: { id: string } }>(
    `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
    { input: { type, identifiers, channel } },
    handler,
  );
  if (!r.body.data) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data.submitRequest.id;
}

type Page = { totalCount: number; nodes: { id: string }[] };
async function list(filter: Record<string, unknown>, headers = handler) {
  return gw.graphql<{ requests: Page }>(`query($f: RequestFilter) { requests(first: 50, filter: $f) { totalCount nodes { id } } }`, { f: filter }, headers);
}
const idsOf = (r: { body: { data?: { requests: Page } } }) => r.body.data!.requests.nodes.map((n) => n.id).sort();

beforeAll(async () => {
  gw = await startTestGateway({ worker: false });
  handler = await bearer(gw, ['HANDLER']);
  auditor = await bearer(gw, ['AUDITOR']);
  ids.ann = await submit('ERASURE', [
    { type: 'EMAIL', value: 'Ann.Lee@Example.org' },
    { type: 'FAMILY_NAME', value: 'Lee' },
  ]);
  ids.bob = await submit('ACCESS', [
    { type: 'EMAIL', value: 'bob@example.org' },
    { type: 'FAMILY_NAME', value: 'Lee' },
  ]);
  ids.cal = await submit('ACCESS', [{ type: 'PHONE', value: '+44 20 7946 0000' }]);
}, 120_000);

afterAll(async () => {
  await gw?.stop();
});

describe('inbox: search by an identifier', () => {
  it('finds the requests of the person by the normalised identifier, without opening the sealed identifiers', async () => {
    // Sealed identifiers made unreadable: a search that decrypted them would fail or miss.
    await gw.runtime.services.dataSource.query(`UPDATE data_subject_request SET identifiers_sealed = 'unreadable' WHERE id = $1`, [ids.ann]);
    const byEmail = await list({ identifier: { type: 'EMAIL', value: '  ann.lee@EXAMPLE.org ' } });
    expect(byEmail.body.errors).toBeUndefined();
    expect(idsOf(byEmail)).toEqual([ids.ann]);
    expect(byEmail.body.data!.requests.totalCount).toBe(1);
    // A shared surname finds both; combined with the other filters.
    expect(idsOf(await list({ identifier: { type: 'FAMILY_NAME', value: 'LEE' } }))).toEqual([ids.ann, ids.bob].sort());
    expect(idsOf(await list({ identifier: { type: 'FAMILY_NAME', value: 'Lee' }, type: ['ACCESS'] }))).toEqual([ids.bob]);
    // The same value under another type is another identifier.
    expect(idsOf(await list({ identifier: { type: 'GIVEN_NAME', value: 'Lee' } }))).toEqual([]);
    expect(idsOf(await list({ identifier: { type: 'EMAIL', value: 'nobody@example.org' } }))).toEqual([]);
  });

  it('refuses an identifier it cannot read with INVALID_IDENTIFIER, and needs request:read', async () => {
    const bad = await list({ identifier: { type: 'EMAIL', value: 'not an address' } });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('INVALID_IDENTIFIER');
    const refused = await list({ identifier: { type: 'EMAIL', value: 'bob@example.org' } }, auditor);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.body.data?.requests).toBeFalsy();
  });

  it('audits the search as request.search, with a digest and no clear value', async () => {
    const rows = (await gw.runtime.services.dataSource.query(
      `SELECT actor_id, params_digest, row_to_json(a)::text AS everything FROM audit_log a WHERE action = 'request.search'`,
    )) as { actor_id: string; everything: string }[];
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const row of rows) expect(row.everything.toLowerCase()).not.toMatch(/ann\.lee|bob@|nobody@/);
  });
});

describe('inbox: failed tasks', () => {
  it('lists the requests with a FAILED task, or those without', async () => {
    const ds = gw.runtime.services.dataSource;
    await ds.query(
      `INSERT INTO task (request_id, source_id, record_id, action, status) VALUES ($1, 'crm', 'r1', 'ERASE', 'SUCCEEDED'), ($1, 'crm', 'r2', 'ERASE', 'FAILED'), ($2, 'crm', 'r3', 'ERASE', 'SUCCEEDED')`,
      [ids.ann, ids.bob],
    );
    expect(idsOf(await list({ failedTasks: true }))).toEqual([ids.ann]);
    expect(idsOf(await list({ failedTasks: false }))).toEqual([ids.bob, ids.cal].sort());
  });
});

describe('request timeline', () => {
  it('holds the transitions with their reasons and the audit entries with actor and outcome, oldest first', async () => {
    const keyId = (await gw.graphql<{ me: { id: string } }>('{ me { id } }', {}, handler)).body.data!.me.id;
    const held = await gw.graphql(`mutation($id: ID!) { holdRequest(requestId: $id, reason: "waiting for the person's ID") { id } }`, { id: ids.cal }, handler);
    expect(held.body.errors).toBeUndefined();
    type Entry = {
      kind: string;
      actor: string;
      actorKind: string | null;
      what: string;
      from: string | null;
      to: string | null;
      reason: string | null;
      outcome: string | null;
      auditSeq: string | null;
      at: string;
    };
    const r = await gw.graphql<{ request: { timeline: Entry[] } }>(
      `query($id: ID!) { request(id: $id) { timeline { kind at actor actorKind what from to reason outcome auditSeq } } }`,
      { id: ids.cal },
      handler,
    );
    expect(r.body.errors).toBeUndefined();
    const timeline = r.body.data!.request.timeline;
    expect(timeline.map((e) => `${e.kind} ${e.what}`)).toEqual(['TRANSITION submit', 'AUDIT request.submit', 'TRANSITION hold', 'AUDIT request.hold']);
    expect(timeline.every((e) => e.actor === keyId)).toBe(true);
    expect(timeline[2]).toMatchObject({ from: 'RECEIVED', to: 'ON_HOLD', reason: "waiting for the person's ID" });
    expect(timeline[3]).toMatchObject({ actorKind: 'api-key', outcome: 'SUCCESS' });
    expect(timeline[3]!.auditSeq).toMatch(/^\d+$/);
    const times = timeline.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('R13: reading the audit entries through a timeline is recorded as a read of the audit log, by whom and for which request', async () => {
    const keyId = (await gw.graphql<{ me: { id: string } }>('{ me { id } }', {}, handler)).body.data!.me.id;
    const ds = gw.runtime.services.dataSource;
    const reads = async () =>
      (await ds.query(`SELECT actor_id, target_id FROM audit_log WHERE action = 'audit.read' AND target_type = 'audit-log' AND target_id = $1 ORDER BY seq`, [
        ids.ann,
      ])) as {
        actor_id: string;
      }[];
    const before = (await reads()).length;
    const r = await gw.graphql<{ request: { timeline: { kind: string }[] } }>(
      `query($id: ID!) { request(id: $id) { timeline { kind what } } }`,
      { id: ids.ann },
      handler,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.request.timeline.some((e) => e.kind === 'AUDIT')).toBe(true);
    const after = await reads();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)!.actor_id).toBe(keyId);
    // The record of the read is not itself a line of the request's timeline.
    const again = await gw.graphql<{ request: { timeline: { what: string }[] } }>(
      `query($id: ID!) { request(id: $id) { timeline { what } } }`,
      { id: ids.ann },
      handler,
    );
    expect(again.body.data!.request.timeline.map((e) => e.what)).not.toContain('audit.read');
  });
});

describe('audit chain verification', () => {
  it('an auditor sees the chain verified, and the broken entry once it is tampered with', async () => {
    type V = { auditChainVerification: { ok: boolean; checked: number; breaks: { seq: string; reason: string }[] } };
    const query = `{ auditChainVerification { ok checked breaks { seq reason } verifiedAt } }`;
    const intact = await gw.graphql<V>(query, {}, auditor);
    expect(intact.body.errors).toBeUndefined();
    expect(intact.body.data!.auditChainVerification).toMatchObject({ ok: true, breaks: [] });
    expect(intact.body.data!.auditChainVerification.checked).toBeGreaterThan(5);

    const ds = gw.runtime.services.dataSource;
    const [{ seq }] = (await ds.query(`SELECT seq::text AS seq FROM audit_log WHERE action = 'request.hold'`)) as [{ seq: string }];
    await ds.query(`ALTER TABLE audit_log DISABLE TRIGGER ALL`);
    try {
      await ds.query(`UPDATE audit_log SET outcome = 'FAILED' WHERE seq = $1`, [seq]);
    } finally {
      await ds.query(`ALTER TABLE audit_log ENABLE TRIGGER ALL`);
    }
    const broken = await gw.graphql<V>(query, {}, auditor);
    expect(broken.body.data!.auditChainVerification.ok).toBe(false);
    expect(broken.body.data!.auditChainVerification.breaks.map((b) => b.seq)).toEqual([seq]);
    expect((await gw.graphql(query, {}, handler)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('inbox: channel filter and the days-left order', () => {
  // Runs after the suites above, which count the requests of ann, bob and cal only.
  const more: Record<'post' | 'web' | 'phone', string> = { post: '', web: '', phone: '' };
  const day = 86_400_000;

  beforeAll(async () => {
    more.post = await submit('ACCESS', [{ type: 'EMAIL', value: 'dee@example.org' }], 'post');
    more.web = await submit('ERASURE', [{ type: 'EMAIL', value: 'eli@example.org' }], 'web form');
    more.phone = await submit('ACCESS', [{ type: 'EMAIL', value: 'fay@example.org' }], 'phone');
    // Due dates as verification and an extension would set them: bob's extension makes him the
    // least urgent of the dated; post and web share an instant (the id breaks the tie); cal and
    // phone have no answer clock yet.
    const base = Date.parse('2030-01-01T00:00:00.000Z');
    const set = `UPDATE data_subject_request SET due_at = $2, extended_due_at = $3 WHERE id = $1`;
    const ds = gw.runtime.services.dataSource;
    await ds.query(set, [ids.ann, new Date(base + 10 * day), null]);
    await ds.query(set, [ids.bob, new Date(base + 3 * day), new Date(base + 20 * day)]);
    await ds.query(set, [more.post, new Date(base + 3 * day), null]);
    await ds.query(set, [more.web, new Date(base + 3 * day), null]);
  });

  it('lists only the requests received through the chosen channels, with the other filters', async () => {
    const post = await list({ channel: ['post'] });
    expect(post.body.errors).toBeUndefined();
    expect(idsOf(post)).toEqual([more.post]);
    expect(post.body.data!.requests.totalCount).toBe(1);
    expect(idsOf(await list({ channel: ['post', 'web form'] }))).toEqual([more.post, more.web].sort());
    expect(idsOf(await list({ channel: ['post', 'web form'], type: ['ERASURE'] }))).toEqual([more.web]);
    expect(idsOf(await list({ channel: ['fax'] }))).toEqual([]);
  });

  type Sorted = { requests: { nodes: { id: string }[]; edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  const sorted = (order: string, after: string | null, first = 2) =>
    gw.graphql<Sorted>(
      `query($after: String, $order: RequestOrder, $first: Int) { requests(first: $first, after: $after, orderBy: $order) { nodes { id } edges { cursor } pageInfo { hasNextPage endCursor } } }`,
      { after, order, first },
      handler,
    );

  it('orders by days left, the extended due date counting, undated requests last, paged by a cursor of that key', async () => {
    const [tie1, tie2] = [more.post, more.web].sort();
    const undated = [ids.cal, more.phone].sort();
    const expected = [tie1, tie2, ids.ann, ids.bob, ...undated];
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const reply = await sorted('DAYS_LEFT', after);
      expect(reply.body.errors).toBeUndefined();
      const { nodes, edges, pageInfo } = reply.body.data!.requests;
      seen.push(...nodes.map((n) => n.id));
      // Each edge's cursor continues the list after that edge, in this order.
      expect(edges[edges.length - 1]?.cursor ?? null).toBe(pageInfo.endCursor);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    // Starting after an undated request goes on among the undated ones.
    const afterFirstUndated = await sorted('DAYS_LEFT', null, 5);
    const rest = await sorted('DAYS_LEFT', afterFirstUndated.body.data!.requests.pageInfo.endCursor);
    expect(rest.body.data!.requests.nodes.map((n) => n.id)).toEqual([undated[1]]);
    // The default order stays the newest first.
    const newest = await gw.graphql<Sorted>(`{ requests(first: 50) { nodes { id } } }`, {}, handler);
    expect(newest.body.data!.requests.nodes.slice(0, 3).map((n) => n.id)).toEqual([more.phone, more.web, more.post]);
  });

  it('refuses a cursor of the other order, or one it did not give out, with BAD_USER_INPUT', async () => {
    const newestCursor = (await sorted('NEWEST', null)).body.data!.requests.pageInfo.endCursor;
    const daysLeftCursor = (await sorted('DAYS_LEFT', null)).body.data!.requests.pageInfo.endCursor;
    for (const [order, after] of [
      ['DAYS_LEFT', newestCursor],
      ['NEWEST', daysLeftCursor],
      ['DAYS_LEFT', Buffer.from(`days-left|tomorrow|${ids.ann}`).toString('base64url')],
      ['DAYS_LEFT', 'not-a-cursor'],
    ] as const) {
      const reply = await sorted(order, after);
      expect(reply.body.errors?.[0]?.extensions?.code, `${order} ${after}`).toBe('BAD_USER_INPUT');
    }
  });
});

describe('sources: record counts', () => {
  type S = { sources: { id: string; status: string; recordCount: number | null }[] };
  const query = `{ sources { id status recordCount } }`;

  beforeAll(async () => {
    // A small SQL source in a schema of the gateway's own database, its statistics up to date.
    const ds = gw.runtime.services.dataSource;
    await ds.query(`CREATE SCHEMA registry_fixture`);
    await ds.query(`CREATE TABLE registry_fixture.people (id serial PRIMARY KEY, email text)`);
    await ds.query(`INSERT INTO registry_fixture.people (email) SELECT 'member' || g || '@example.net' FROM generate_series(1, 7) g`);
    await ds.query(`ANALYZE registry_fixture.people`);
    await gw.runtime.services.sources.register(
      {
        id: 'registry',
        name: 'Registry',
        kind: 'OTHER',
        type: 'sql',
        connection: { url: gw.databaseUrl },
        controller: { role: 'CONTROLLER' },
        mapping: {
          recordTypes: [
            {
              name: 'person',
              table: 'registry_fixture.people',
              primaryKey: 'id',
              identifiers: { email: 'EMAIL' },
              columns: { email: { categories: ['CONTACT'] } },
            },
          ],
        },
      },
      'test',
    );
  });

  it('shows an active source’s record count as its connector counts it, and none once it is disabled', async () => {
    const reply = await gw.graphql<S>(query, {}, handler);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data!.sources.find((s) => s.id === 'registry')).toEqual({ id: 'registry', status: 'ACTIVE', recordCount: 7 });

    const admin = await bearer(gw, ['ADMIN']);
    const disabled = await gw.graphql(`mutation { disableSource(id: "registry") { id } }`, {}, admin);
    expect(disabled.body.errors).toBeUndefined();
    const after = await gw.graphql<S>(query, {}, handler);
    expect(after.body.data!.sources.find((s) => s.id === 'registry')).toEqual({ id: 'registry', status: 'DISABLED', recordCount: null });
    // Read with the other source fields: an auditor (no source:read) is refused.
    expect((await gw.graphql(query, {}, auditor)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
