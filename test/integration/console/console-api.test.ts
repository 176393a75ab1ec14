// The API the console's inbox, request page and audit screen need: search by an
// identifier (the keyed blind index), the failed-tasks filter, a request's timeline, and
// the audit chain's verification state. Through GraphQL on a real gateway and database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';

let gw: TestGateway;
let handler: Record<string, string>;
let auditor: Record<string, string>;
const ids: Record<'ann' | 'bob' | 'cal', string> = { ann: '', bob: '', cal: '' };

async function submit(type: string, identifiers: { type: string; value: string }[]): Promise<string> {
  const r = await gw.graphql<{ submitRequest: { id: string } }>(
    `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
    { input: { type, identifiers } },
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
  ids.ann = await submit('ERASURE', [{ type: 'EMAIL', value: 'Ann.Lee@Example.org' }, { type: 'FAMILY_NAME', value: 'Lee' }]);
  ids.bob = await submit('ACCESS', [{ type: 'EMAIL', value: 'bob@example.org' }, { type: 'FAMILY_NAME', value: 'Lee' }]);
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
    type Entry = { kind: string; actor: string; actorKind: string | null; what: string; from: string | null; to: string | null; reason: string | null; outcome: string | null; auditSeq: string | null; at: string };
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
