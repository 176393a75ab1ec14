// Controller scoping inside a request a handler bound to controller A may see (R13): what it
// says about the discovery run (and the sources gone without) counts only A's records and
// sources, the failed-tasks filter only A's tasks, and what acts on the records of other
// controllers (or the group's own) needs a handler who may see them all. The audit chain,
// one for every controller, is verified only by an auditor bound to none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { bearer } from '../../support/runtime.js';
import { executeThenHideConciergeLookup, identifiersOf, personOfRecord, startSeededGateway, type SeededGateway } from './support.js';

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

/** A person with a case of controller A, a handler who sees everything and one bound to A. */
async function personWithCaseOfA() {
  const [row] = await env.query<{ id: string; controller_id: string }>(
    `SELECT DISTINCT ON (controller_id) id, controller_id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY controller_id, id LIMIT 1`,
  );
  return {
    personId: personOfRecord(env.truth, `case_management/${row!.id}`)!,
    controllerA: row!.controller_id,
    everyone: await bearer(env.gw, ['HANDLER']),
    handlerA: await bearer(env.gw, ['HANDLER'], [row!.controller_id]),
  };
}

/** An ACCESS request for the person, submitted by the given key. */
async function submitAccess(personId: string, headers: Record<string, string>): Promise<string> {
  const { submitRequest } = await gql<{ submitRequest: { id: string } }>(
    `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
    { input: { type: 'ACCESS', identifiers: identifiersOf(personId), channel: 'email' } },
    headers,
  );
  return submitRequest.id;
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

describe("acting on other controllers' records", () => {
  async function op(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string>,
  ): Promise<{ code?: string; data?: Record<string, unknown> }> {
    const reply = await env.gw.graphql<Record<string, unknown>>(query, variables, headers);
    return { code: reply.body.errors?.[0]?.extensions?.code as string | undefined, data: reply.body.data ?? undefined };
  }

  async function waitUntilClosed(id: string): Promise<string> {
    const [row] = await eventually(
      () => env.query<{ status: string }>(`SELECT status FROM data_subject_request WHERE id = $1`, [id]),
      ([r]) => !['APPROVED', 'EXECUTING'].includes(r!.status),
      { timeoutMs: 60_000 },
    );
    return row!.status;
  }

  it('retryFailedTasks re-runs the removals of records a handler bound to A may not see: refused to it (FORBIDDEN), nothing moves', async () => {
    // A person with a case of controller A and a concierge membership (the group's own record).
    const cases = await env.query<{ id: string; controller_id: string }>(`SELECT id, controller_id FROM case_management.cases WHERE controller_id IS NOT NULL`);
    const members = new Set(
      (await env.query<{ id: string }>(`SELECT id FROM concierge.members`)).map((m) => personOfRecord(env.truth, `concierge/${m.id}`)).filter(Boolean),
    );
    const pick = cases
      .map((c) => ({ ...c, personId: personOfRecord(env.truth, `case_management/${c.id}`) }))
      .find((c) => c.personId && members.has(c.personId));
    expect(pick).toBeDefined();
    const handlerA = await bearer(env.gw, ['HANDLER'], [pick!.controller_id]);
    const everyone = await bearer(env.gw, ['HANDLER']);
    const must = async (query: string, variables: Record<string, unknown>) => {
      const r = await op(query, variables, everyone);
      if (r.code) throw new Error(`${query.slice(0, 60)}: ${r.code}`);
      return r.data!;
    };

    // The whole erasure by a handler who sees everything.
    const { submitRequest } = (await must(`mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`, {
      input: { type: 'ERASURE', identifiers: identifiersOf(pick!.personId!), channel: 'email' },
    })) as { submitRequest: { id: string } };
    const id = submitRequest.id;
    const RECORDS = `records { sourceId recordId reviewState relationship controllerId } decisions { sourceId needsController }`;
    type Snapshot = {
      records: { sourceId: string; recordId: string; reviewState: string; relationship: string; controllerId: string | null }[];
      decisions: { sourceId: string; needsController: boolean }[];
    };
    const verified = (await must(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport" }) { ${RECORDS} } }`, { id }))
      .verifyIdentity as Snapshot;
    const pending = verified.records.filter((r) => r.reviewState === 'PENDING');
    const mine = pending.filter((r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === pick!.personId || r.relationship !== 'SUBJECT');
    for (const [mutation, list] of [
      ['confirmMatches', mine],
      ['rejectMatches', pending.filter((r) => !mine.includes(r))],
    ] as const) {
      if (list.length)
        await must(`mutation($id: ID!, $records: [RecordRefInput!]!) { ${mutation}(requestId: $id, records: $records) { id } }`, {
          id,
          records: list.map(({ sourceId, recordId }) => ({ sourceId, recordId })),
        });
    }
    for (const sourceId of new Set(verified.decisions.filter((d) => d.needsController).map((d) => d.sourceId))) {
      await must(`mutation($id: ID!, $input: ControllerInstructionInput!) { recordControllerInstruction(requestId: $id, input: $input) { id } }`, {
        id,
        input: { sourceId, decision: 'PROCEED' },
      });
    }
    // The concierge removal cannot be verified while its lookup view is away: a retryable request.
    const { restore } = await executeThenHideConciergeLookup(env, () => must(`mutation($id: ID!) { executeRequest(requestId: $id) { status } }`, { id }));
    try {
      expect(await waitUntilClosed(id)).toBe('PARTIALLY_COMPLETED');
    } finally {
      await restore();
    }

    // Handler A sees the request (its controller's case is in it), not the concierge record.
    const seen = (await op(`query($id: ID!) { request(id: $id) { records { sourceId controllerId } } }`, { id }, handlerA)).data!.request as Snapshot;
    expect(seen.records.length).toBeGreaterThan(0);
    expect(seen.records.every((r) => r.controllerId === pick!.controller_id)).toBe(true);
    // The closing's reason names the concierge record that could not be verified: told to the
    // handler who sees everything, not to A (in transitions and in the timeline alike).
    type Reasons = { transitions: { reason: string | null }[]; timeline: { reason: string | null }[] };
    const reasonsTo = async (headers: Record<string, string>) => {
      const reply = await op(`query($id: ID!) { request(id: $id) { transitions { reason } timeline { reason } } }`, { id }, headers);
      const told = reply.data!.request as Reasons;
      return [...told.transitions, ...told.timeline].map((t) => t.reason ?? '').join('\n');
    };
    expect(await reasonsTo(everyone)).toContain('concierge');
    expect(await reasonsTo(handlerA)).not.toContain('concierge');

    const RETRY = `mutation($id: ID!) { retryFailedTasks(requestId: $id) { status } }`;
    expect((await op(RETRY, { id }, handlerA)).code).toBe('FORBIDDEN');
    const moves = await env.query(`SELECT 1 FROM request_transition WHERE request_id = $1 AND event = 'retryFailedTasks'`, [id]);
    expect(moves).toHaveLength(0);
    // The handler who may see every record may: the refusal was the scope, not the request's state.
    expect((await op(RETRY, { id }, everyone)).code).toBeUndefined();
    expect(await waitUntilClosed(id)).toBe('COMPLETED');
  }, 180_000);
});

describe('subject under controller scope', () => {
  it("scores a handler bound to A only against what A may see: no record of A is matched against another controller's (or the group's) record, whose values the explanation would show", async () => {
    type Found = {
      sourceId: string;
      recordId: string;
      controllerId: string | null;
      matchWeight: { matchedAgainst: string };
      explanation: { field: string; queryValue: string | null }[];
    };
    const cases = await env.query<{ id: string; controller_id: string }>(
      `SELECT id, controller_id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY id LIMIT 40`,
    );
    let found = 0;
    for (const c of cases) {
      const personId = personOfRecord(env.truth, `case_management/${c.id}`);
      if (!personId) continue;
      const handlerA = await bearer(env.gw, ['HANDLER'], [c.controller_id]);
      // What a handler typically has: an email and a name; the rest comes from the records found.
      const identifiers = identifiersOf(personId).filter((i) => ['EMAIL', 'GIVEN_NAME', 'FAMILY_NAME'].includes(i.type));
      const { subject } = await gql<{ subject: { records: Found[] } }>(
        `query($q: SubjectQueryInput!) { subject(query: $q) { records { sourceId recordId controllerId matchWeight { matchedAgainst } explanation { field queryValue } } } }`,
        { q: { identifiers } },
        handlerA,
      );
      const seen = new Set(subject.records.map((r) => `${r.sourceId}/${r.recordId}`));
      for (const r of subject.records) {
        found++;
        expect(r.controllerId, `${personId} ${r.sourceId}/${r.recordId}`).toBe(c.controller_id);
        if (r.matchWeight.matchedAgainst === 'QUERY') continue;
        expect(seen.has(r.matchWeight.matchedAgainst), `${personId}: ${r.sourceId}/${r.recordId} matched against ${r.matchWeight.matchedAgainst}`).toBe(true);
      }
    }
    expect(found).toBeGreaterThan(0);
  }, 120_000);
});

describe('what a request tells a handler bound to A of other controllers', () => {
  type Records = { records: { sourceId: string; recordId: string; controllerId: string | null }[] };

  /** An ACCESS request, verified by a handler who sees everything, of a person with a case of controller A and records of others. */
  async function verifiedRequestOfA(verify: () => Promise<void> = async () => {}) {
    const { personId, controllerA, everyone, handlerA } = await personWithCaseOfA();
    const id = await submitAccess(personId, everyone);
    await verify();
    try {
      await gql(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport" }) { id } }`, { id }, everyone);
    } finally {
      await env.query(`ALTER TABLE IF EXISTS recruitment.record_key_away RENAME TO record_key`);
    }
    return { id, controllerA, everyone, handlerA };
  }

  it('controllerIds names to handler A only its own controllers: another controller of the request is not told, in the request or the list', async () => {
    const { personId, controllerA, everyone, handlerA } = await personWithCaseOfA();
    const [{ controller_id: controllerB }] = await env.query<{ controller_id: string }>(
      `SELECT DISTINCT controller_id FROM case_management.cases WHERE controller_id IS NOT NULL AND controller_id <> $1 ORDER BY controller_id LIMIT 1`,
      [controllerA],
    );
    const handlerB = await bearer(env.gw, ['HANDLER'], [controllerB!]);
    // Received by controller B's handler, about a person with a case of A: the request is both controllers'.
    const id = await submitAccess(personId, handlerB);
    await gql(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport" }) { id } }`, { id }, everyone);
    const READ = `query($id: ID!) { request(id: $id) { controllerIds } requests(first: 100) { nodes { id controllerIds } } }`;
    type Read = { request: { controllerIds: string[] }; requests: { nodes: { id: string; controllerIds: string[] }[] } };
    const controllersTo = async (headers: Record<string, string>) => {
      const read = await gql<Read>(READ, { id }, headers);
      const listed = read.requests.nodes.find((n) => n.id === id);
      expect(listed).toBeDefined();
      expect(listed!.controllerIds).toEqual(read.request.controllerIds);
      return read.request.controllerIds;
    };
    expect(await controllersTo(everyone)).toEqual([controllerA, controllerB].sort());
    expect(await controllersTo(handlerA)).toEqual([controllerA]);
    expect(await controllersTo(handlerB)).toEqual([controllerB]);
  }, 120_000);

  it('sourcesNotSearched names only the sources handler A may see: a source declared for controller B only is not named', async () => {
    // A second registration of the recruitment system, declared for controller B only.
    const [other] = await env.query<{ controller_id: string }>(
      `SELECT DISTINCT controller_id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY controller_id OFFSET 1 LIMIT 1`,
    );
    const [{ config }] = await env.query<{ config: Record<string, unknown> }>(`SELECT config FROM source WHERE id = 'recruitment'`);
    await env.gw.runtime.services.sources.register(
      { ...config, id: 'recruitment_of_b', name: 'Recruitment of B', controller: { role: 'PROCESSOR', defaultControllerId: other!.controller_id } },
      'test',
    );
    // Both registrations of the recruitment system cannot be searched at verification.
    const { id, everyone, handlerA } = await verifiedRequestOfA(() => env.query(`ALTER TABLE recruitment.record_key RENAME TO record_key_away`).then(() => {}));
    await gql(`mutation($id: ID!) { proceedWithoutSources(requestId: $id, reason: "the recruitment system is being moved") { id } }`, { id }, everyone);

    const NOT_SEARCHED = `query($id: ID!) { request(id: $id) { sourcesNotSearched { sourceIds reason } } }`;
    type NotSearched = { request: { sourcesNotSearched: { sourceIds: string[]; reason: string } | null } };
    const all = (await gql<NotSearched>(NOT_SEARCHED, { id }, everyone)).request.sourcesNotSearched;
    expect(all!.sourceIds.sort()).toEqual(['recruitment', 'recruitment_of_b']);
    const scoped = (await gql<NotSearched>(NOT_SEARCHED, { id }, handlerA)).request.sourcesNotSearched;
    expect(scoped).toEqual({ sourceIds: ['recruitment'], reason: 'the recruitment system is being moved' });

    // Only B's source gone without: A is told of no decision at all (an empty list would tell one).
    await env.gw.runtime.services.sources.register(
      {
        ...config,
        id: 'recruitment_away_of_b',
        name: 'Recruitment of B, away',
        connection: { ...(config.connection as object), schema: 'recruitment_away' },
        controller: { role: 'PROCESSOR', defaultControllerId: other!.controller_id },
      },
      'test',
    );
    try {
      const second = await verifiedRequestOfA();
      await gql(`mutation($id: ID!) { proceedWithoutSources(requestId: $id, reason: "moved") { id } }`, { id: second.id }, everyone);
      expect((await gql<NotSearched>(NOT_SEARCHED, { id: second.id }, everyone)).request.sourcesNotSearched!.sourceIds).toEqual(['recruitment_away_of_b']);
      expect((await gql<NotSearched>(NOT_SEARCHED, { id: second.id }, handlerA)).request.sourcesNotSearched).toBeNull();
    } finally {
      await env.gw.runtime.services.sources.changeStatus('recruitment_away_of_b', 'remove', 'test');
    }
  }, 120_000);

  it("the failedTasks filter counts for handler A only failed tasks on A's records: a failure on another controller's record is not told", async () => {
    const { id, controllerA, everyone, handlerA } = await verifiedRequestOfA();
    const { request } = await gql<{ request: Records }>(
      `query($id: ID!) { request(id: $id) { records { sourceId recordId controllerId } } }`,
      { id },
      everyone,
    );
    const hidden = request.records.find((r) => r.controllerId !== controllerA)!;
    const mine = request.records.find((r) => r.controllerId === controllerA)!;
    expect(hidden).toBeDefined();
    expect(mine).toBeDefined();
    const fail = (r: { sourceId: string; recordId: string }) =>
      env.query(`INSERT INTO task (request_id, source_id, record_id, action, status) VALUES ($1, $2, $3, 'ERASE', 'FAILED')`, [id, r.sourceId, r.recordId]);
    const listed = async (failedTasks: boolean, headers: Record<string, string>) =>
      (
        await gql<{ requests: { nodes: { id: string }[] } }>(
          `query($f: RequestFilter) { requests(first: 100, filter: $f) { nodes { id } } }`,
          { f: { failedTasks } },
          headers,
        )
      ).requests.nodes.some((n) => n.id === id);

    // A failed task on a record A may not see: the request is among the failed to everyone, not to A.
    await fail(hidden);
    expect(await listed(true, everyone)).toBe(true);
    expect(await listed(true, handlerA)).toBe(false);
    expect(await listed(false, handlerA)).toBe(true);
    // A failed task on A's own record: A sees the request among the failed.
    await fail(mine);
    expect(await listed(true, handlerA)).toBe(true);
    expect(await listed(false, handlerA)).toBe(false);
  }, 120_000);
});

describe('acts on the whole request under controller scope', () => {
  type Reply = { errors?: { message: string; extensions?: Record<string, unknown> }[]; data?: Record<string, unknown> | null };
  const send = async (query: string, id: string, headers: Record<string, string>): Promise<Reply> =>
    (await env.gw.graphql<Record<string, unknown>>(query, { id }, headers)).body as Reply;
  const codeOf = (reply: Reply) => reply.errors?.[0]?.extensions?.code as string | undefined;
  const ACTS = {
    proceedWithoutSources: `mutation($id: ID!) { proceedWithoutSources(requestId: $id, reason: "the system is being moved") { id } }`,
    rediscoverSources: `mutation($id: ID!) { rediscoverSources(requestId: $id) { id } }`,
    extendDeadline: `mutation($id: ID!) { extendDeadline(requestId: $id, reason: "several systems to consult") { id } }`,
    acknowledgeRequest: `mutation($id: ID!) { acknowledgeRequest(requestId: $id) { id } }`,
    recordExtensionNoticeSent: `mutation($id: ID!) { recordExtensionNoticeSent(requestId: $id) { id } }`,
    executeRequest: `mutation($id: ID!) { executeRequest(requestId: $id) { id } }`,
  };
  type Row = { status: string; extended_due_at: Date | null; acknowledged_at: Date | null; discovery_outcome: unknown; version: number };
  const rowOf = async (id: string) =>
    (await env.query<Row>(`SELECT status, extended_due_at, acknowledged_at, discovery_outcome, version FROM data_subject_request WHERE id = $1`, [id]))[0]!;

  async function controllers(): Promise<[string, string]> {
    const rows = await env.query<{ controller_id: string }>(
      `SELECT DISTINCT controller_id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY controller_id LIMIT 2`,
    );
    return [rows[0]!.controller_id, rows[1]!.controller_id];
  }

  /** A recruitment registration declared for one controller whose tables are away: it fails at every search. */
  async function failingSourceOf(id: string, controllerId: string): Promise<void> {
    const [{ config }] = await env.query<{ config: Record<string, unknown> }>(`SELECT config FROM source WHERE id = 'recruitment'`);
    await env.gw.runtime.services.sources.register(
      {
        ...config,
        id,
        name: id,
        connection: { ...(config.connection as object), schema: 'recruitment_away' },
        controller: { role: 'PROCESSOR', defaultControllerId: controllerId },
      },
      'test',
    );
  }

  /** An ACCESS request handler A submits and verifies for someone no source knows: nothing in it but A's own. */
  async function requestOfNobody(handlerA: Record<string, string>, n: number): Promise<string> {
    const { submitRequest } = await gql<{ submitRequest: { id: string } }>(
      `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
      { input: { type: 'ACCESS', identifiers: [{ type: 'EMAIL', value: `nobody-${n}-${Date.now()}@example.invalid` }], channel: 'email' } },
      handlerA,
    );
    await gql(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport" }) { id } }`, { id: submitRequest.id }, handlerA);
    return submitRequest.id;
  }

  it('a handler bound to A cannot waive, search again, extend, acknowledge or execute when a source of B is unsearched, and learns neither its name nor that it failed', async () => {
    const [controllerA, controllerB] = await controllers();
    const handlerA = await bearer(env.gw, ['HANDLER'], [controllerA]);
    const everyone = await bearer(env.gw, ['HANDLER']);
    await failingSourceOf('recruitment_failing_of_b', controllerB);
    try {
      const id = await requestOfNobody(handlerA, 1);
      const COMPLETE = `query($id: ID!) { request(id: $id) { discoveryComplete sourceOutcomes { sourceId } } }`;
      type Complete = { request: { discoveryComplete: boolean; sourceOutcomes: { sourceId: string }[] } };
      // Everyone sees the gap; A, who may see every source that answered, is told of none.
      expect((await gql<Complete>(COMPLETE, { id }, everyone)).request.discoveryComplete).toBe(false);
      const scoped = (await gql<Complete>(COMPLETE, { id }, handlerA)).request;
      expect(scoped.discoveryComplete).toBe(true);
      expect(scoped.sourceOutcomes.map((o) => o.sourceId)).not.toContain('recruitment_failing_of_b');

      const before = await rowOf(id);
      for (const [act, query] of Object.entries(ACTS)) {
        const reply = await send(query, id, handlerA);
        expect(codeOf(reply), act).toBe('FORBIDDEN');
        // The refusal names no source and counts none.
        expect(JSON.stringify(reply.errors), act).not.toMatch(/recruitment|source\(s\)/);
      }
      // Nothing moved: B's source is neither waived nor searched again, the deadline and acknowledgement stand.
      expect(await rowOf(id)).toEqual(before);

      // The refusal was the scope: a handler who sees the whole request may.
      expect(codeOf(await send(ACTS.proceedWithoutSources, id, everyone))).toBeUndefined();
      expect(codeOf(await send(ACTS.extendDeadline, id, everyone))).toBeUndefined();
      expect(codeOf(await send(ACTS.acknowledgeRequest, id, everyone))).toBeUndefined();

      // Answered without B's source: the answer names it, so it is shown only to who sees the whole request.
      expect(codeOf(await send(ACTS.executeRequest, id, everyone))).toBeUndefined();
      const ANSWER = `query($id: ID!) { request(id: $id) { status response { notSearched { sourceId } } accessPackage { sha256 } } }`;
      type Answer = { request: { status: string; response: { notSearched: { sourceId: string }[] } | null; accessPackage: { sha256: string } | null } };
      const answered = (await gql<Answer>(ANSWER, { id }, everyone)).request;
      expect(answered.status).toBe('PARTIALLY_COMPLETED');
      expect(answered.response!.notSearched.map((g) => g.sourceId)).toEqual(['recruitment_failing_of_b']);
      expect(answered.accessPackage).not.toBeNull();
      const toA = (await gql<Answer>(ANSWER, { id }, handlerA)).request;
      expect(toA.response).toBeNull();
      expect(toA.accessPackage).toBeNull();
    } finally {
      await env.gw.runtime.services.sources.changeStatus('recruitment_failing_of_b', 'remove', 'test');
    }
  }, 120_000);

  it('a handler bound to A cannot extend, acknowledge, search again or waive a request that holds records of other controllers', async () => {
    const { personId, controllerA, everyone, handlerA } = await personWithCaseOfA();
    const id = await submitAccess(personId, handlerA);
    await gql(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport" }) { id } }`, { id }, everyone);
    const hidden = await env.query(`SELECT 1 FROM request_record WHERE request_id = $1 AND controller_id IS DISTINCT FROM $2`, [id, controllerA]);
    expect(hidden.length).toBeGreaterThan(0);

    const before = await rowOf(id);
    for (const act of ['extendDeadline', 'acknowledgeRequest', 'recordExtensionNoticeSent', 'rediscoverSources', 'proceedWithoutSources'] as const) {
      expect(codeOf(await send(ACTS[act], id, handlerA)), act).toBe('FORBIDDEN');
    }
    expect(await rowOf(id)).toEqual(before);
    expect(codeOf(await send(ACTS.extendDeadline, id, everyone))).toBeUndefined();
    expect(codeOf(await send(ACTS.recordExtensionNoticeSent, id, handlerA))).toBe('FORBIDDEN');
    expect(codeOf(await send(ACTS.recordExtensionNoticeSent, id, everyone))).toBeUndefined();
    expect(codeOf(await send(ACTS.acknowledgeRequest, id, everyone))).toBeUndefined();
  }, 120_000);

  it('viewerSeesWholeRequest answers as the acts check: false to a handler bound to A on a request spanning A and another controller, true to a handler unbound or bound to both', async () => {
    const WHOLE = `query($id: ID!) { request(id: $id) { viewerSeesWholeRequest } }`;
    const seesWhole = async (id: string, headers: Record<string, string>) =>
      (await gql<{ request: { viewerSeesWholeRequest: boolean } }>(WHOLE, { id }, headers)).request.viewerSeesWholeRequest;

    // Records of A and of others: A sees the request, not all of it.
    const { personId, controllerA, everyone, handlerA } = await personWithCaseOfA();
    const withRecords = await submitAccess(personId, handlerA);
    expect(await seesWhole(withRecords, handlerA)).toBe(true);
    await gql(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport" }) { id } }`, { id: withRecords }, everyone);
    const others = await env.query(`SELECT 1 FROM request_record WHERE request_id = $1 AND controller_id IS DISTINCT FROM $2`, [withRecords, controllerA]);
    expect(others.length).toBeGreaterThan(0);
    expect(await seesWhole(withRecords, handlerA)).toBe(false);
    expect(codeOf(await send(ACTS.extendDeadline, withRecords, handlerA))).toBe('FORBIDDEN');
    expect(await seesWhole(withRecords, everyone)).toBe(true);

    // A's request with an unsearched source of B: false to A, true to a handler bound to A and B, who may act on it.
    const [, controllerB] = await controllers();
    expect(controllerB).not.toBe(controllerA);
    const handlerAB = await bearer(env.gw, ['HANDLER'], [controllerA, controllerB]);
    await failingSourceOf('recruitment_unsearched_of_b', controllerB);
    try {
      const withSource = await requestOfNobody(handlerA, 3);
      expect(await seesWhole(withSource, handlerA)).toBe(false);
      expect(codeOf(await send(ACTS.extendDeadline, withSource, handlerA))).toBe('FORBIDDEN');
      expect(await seesWhole(withSource, everyone)).toBe(true);
      expect(await seesWhole(withSource, handlerAB)).toBe(true);
      expect(codeOf(await send(ACTS.extendDeadline, withSource, handlerAB))).toBeUndefined();
    } finally {
      await env.gw.runtime.services.sources.changeStatus('recruitment_unsearched_of_b', 'remove', 'test');
    }
  }, 120_000);

  it("a handler bound to A who sees the whole request still waives its own unsearched source, extends and acknowledges, told the gap's true count", async () => {
    const [controllerA] = await controllers();
    const handlerA = await bearer(env.gw, ['HANDLER'], [controllerA]);
    await failingSourceOf('recruitment_failing_of_a', controllerA);
    try {
      const id = await requestOfNobody(handlerA, 2);
      const { request } = await gql<{ request: { discoveryComplete: boolean } }>(
        `query($id: ID!) { request(id: $id) { discoveryComplete } }`,
        { id },
        handlerA,
      );
      expect(request.discoveryComplete).toBe(false);
      const incomplete = await send(ACTS.executeRequest, id, handlerA);
      expect(codeOf(incomplete)).toBe('DISCOVERY_INCOMPLETE');
      expect(incomplete.errors![0]!.message).toMatch(/^1 source\(s\)/);
      for (const act of ['proceedWithoutSources', 'extendDeadline', 'acknowledgeRequest'] as const) {
        expect(codeOf(await send(ACTS[act], id, handlerA)), act).toBeUndefined();
      }
      const after = await rowOf(id);
      expect(after.extended_due_at).not.toBeNull();
      expect(after.acknowledged_at).not.toBeNull();
      expect((after.discovery_outcome as { notSearched?: { sourceIds: string[] } }).notSearched?.sourceIds).toEqual(['recruitment_failing_of_a']);
    } finally {
      await env.gw.runtime.services.sources.changeStatus('recruitment_failing_of_a', 'remove', 'test');
    }
  }, 120_000);
});

describe('audit chain verification under controller scope', () => {
  it("refuses an auditor bound to controllers (FORBIDDEN, recorded as DENIED): the chain's count and breaks speak of every controller's entries", async () => {
    const [{ controller_id }] = await env.query<{ controller_id: string }>(
      `SELECT controller_id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY controller_id LIMIT 1`,
    );
    const QUERY = `{ auditChainVerification { ok checked breaks { seq reason } } }`;
    const bound = await env.gw.graphql<unknown>(QUERY, {}, await bearer(env.gw, ['AUDITOR'], [controller_id]));
    expect(bound.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(bound.body.data ?? null).toBeNull();
    const denied = await env.query(`SELECT 1 FROM audit_log WHERE action = 'graphql.auditChainVerification' AND outcome = 'DENIED'`);
    expect(denied).toHaveLength(1);
    // An auditor bound to no controller still verifies it.
    const unbound = await env.gw.graphql<{ auditChainVerification: { ok: boolean } }>(QUERY, {}, await bearer(env.gw, ['AUDITOR']));
    expect(unbound.body.errors).toBeUndefined();
    expect(unbound.body.data!.auditChainVerification.ok).toBe(true);
  }, 60_000);
});
