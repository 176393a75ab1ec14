// Controller scoping of what a request says about its discovery run (R13): a handler bound
// to controller A, looking at a request it may see, learns how many of the person's records
// each source holds only as far as it may see those records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../support/runtime.js';
import { identifiersOf, personOfRecord, startSeededGateway, type SeededGateway } from './support.js';

let env: SeededGateway;

interface Seen {
  records: { sourceId: string; controllerId: string | null }[];
  sourceOutcomes: { sourceId: string; status: string; records: number }[];
}

const SEEN = `records { sourceId controllerId } sourceOutcomes { sourceId status records }`;

async function gql<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<T> {
  const reply = await env.gw.graphql<T>(query, variables, headers);
  if (reply.body.errors?.length) throw new Error(JSON.stringify(reply.body.errors));
  return reply.body.data!;
}

const perSource = (records: Seen['records']) => records.reduce<Record<string, number>>((n, r) => ({ ...n, [r.sourceId]: (n[r.sourceId] ?? 0) + 1 }), {});

beforeAll(async () => {
  env = await startSeededGateway();
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('sourceOutcomes under controller scope', () => {
  it("names only sources the principal may see and counts only its records: a handler bound to A learns nothing of other controllers' (or the group's) records", async () => {
    // A person with a case of controller A and records the group holds for itself elsewhere.
    const [row, other] = await env.query<{ id: string; controller_id: string }>(
      `SELECT DISTINCT ON (controller_id) id, controller_id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY controller_id, id LIMIT 2`,
    );
    // A second registration of the recruitment system, declared for controller B only.
    const [{ config }] = await env.query<{ config: Record<string, unknown> }>(`SELECT config FROM source WHERE id = 'recruitment'`);
    await env.gw.runtime.services.sources.register(
      { ...config, id: 'recruitment_of_b', name: 'Recruitment of B', controller: { role: 'PROCESSOR', defaultControllerId: other!.controller_id } },
      'test',
    );
    const personId = personOfRecord(env.truth, `case_management/${row!.id}`)!;
    expect(personId).toBeDefined();
    const handlerA = await bearer(env.gw, ['HANDLER'], [row!.controller_id]);
    const everyone = await bearer(env.gw, ['HANDLER']);

    const { submitRequest } = await gql<{ submitRequest: { id: string } }>(
      `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
      { input: { type: 'ACCESS', identifiers: identifiersOf(personId), channel: 'email' } },
      handlerA,
    );
    await gql(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport" }) { id } }`, { id: submitRequest.id }, handlerA);

    const read = (headers: Record<string, string>) =>
      gql<{ request: Seen }>(`query($id: ID!) { request(id: $id) { ${SEEN} } }`, { id: submitRequest.id }, headers).then((d) => d.request);
    const all = await read(everyone);
    const scoped = await read(handlerA);

    // The snapshot holds records A may not see, in sources that A may see (shared systems).
    expect(scoped.records.length).toBeGreaterThan(0);
    expect(all.records.length).toBeGreaterThan(scoped.records.length);
    // The unscoped handler's outcomes count every record found.
    for (const o of all.sourceOutcomes) expect(o.records, o.sourceId).toBe(perSource(all.records)[o.sourceId] ?? 0);
    // Handler A's count only A's records: the other records' existence is not told.
    const visible = perSource(scoped.records);
    for (const o of scoped.sourceOutcomes) expect(o.records, o.sourceId).toBe(visible[o.sourceId] ?? 0);
    // A source declared for controller B only is not named to A (as discovery does not name it).
    const names = (o: Seen['sourceOutcomes']) => o.map((x) => x.sourceId).sort();
    expect(names(all.sourceOutcomes)).toContain('recruitment_of_b');
    expect(names(scoped.sourceOutcomes)).toEqual(names(all.sourceOutcomes).filter((id) => id !== 'recruitment_of_b'));
  }, 120_000);
});
