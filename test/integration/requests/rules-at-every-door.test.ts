// The rules hold at the side doors too: an override, a stale decision reaching execution,
// a task running after the controller refused, a source that could not be searched.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../support/runtime.js';
import { executeThenHideConciergeLookup, identifiersOf, personOfRecord, REQUEST_FIELDS, startSeededGateway, type SeededGateway } from './support.js';
import { eventually } from '../../support/eventually.js';

let env: SeededGateway;
let handler: Record<string, string>;

interface Req {
  id: string;
  status: string;
  records: { sourceId: string; recordId: string; reviewState: string; relationship: string; controllerId: string | null }[];
  decisions: { sourceId: string; recordId: string; action: string; needsController: boolean }[];
}

async function op<T>(query: string, variables: Record<string, unknown>): Promise<{ data?: T; code?: string; message?: string }> {
  const reply = await env.gw.graphql<T>(query, variables, handler);
  const error = reply.body.errors?.[0];
  return { data: reply.body.data ?? undefined, code: error?.extensions?.code as string | undefined, message: error?.message };
}

async function mutate<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const r = await op<T>(query, variables);
  if (!r.data) throw new Error(`${query.slice(0, 60)} failed: ${r.code} ${r.message}`);
  return r.data;
}

const OVERRIDE = `mutation($id: ID!, $input: OverrideDecisionInput!) { overrideDecision(requestId: $id, input: $input) { ${REQUEST_FIELDS} } }`;
const INSTRUCT = `mutation($id: ID!, $input: ControllerInstructionInput!) { recordControllerInstruction(requestId: $id, input: $input) { ${REQUEST_FIELDS} } }`;

/** Submits and verifies an erasure (or another type), settles REVIEW records by ground truth; the request is then in review. */
async function verifiedErasure(personId: string, type = 'ERASURE'): Promise<Req> {
  const { submitRequest } = await mutate<{ submitRequest: Req }>(`mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`, {
    input: { type, identifiers: identifiersOf(personId), channel: 'email' },
  });
  let req = (
    await mutate<{ verifyIdentity: Req }>(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport seen" }) { ${REQUEST_FIELDS} } }`, {
      id: submitRequest.id,
    })
  ).verifyIdentity;
  const pending = req.records.filter((r) => r.reviewState === 'PENDING');
  const mine = pending.filter((r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === personId || r.relationship !== 'SUBJECT');
  for (const [mutation, list] of [
    ['confirmMatches', mine],
    ['rejectMatches', pending.filter((r) => !mine.includes(r))],
  ] as const) {
    if (list.length === 0) continue;
    const done = await mutate<Record<string, Req>>(
      `mutation($id: ID!, $records: [RecordRefInput!]!) { ${mutation}(requestId: $id, records: $records) { ${REQUEST_FIELDS} } }`,
      {
        id: req.id,
        records: list.map(({ sourceId, recordId }) => ({ sourceId, recordId })),
      },
    );
    req = done[mutation]!;
  }
  return req;
}

/** Every controller says PROCEED, except `except` (instructed separately by the test). */
async function proceedAll(req: Req, except?: string): Promise<Req> {
  let current = req;
  for (const sourceId of new Set(req.decisions.filter((d) => d.needsController && d.sourceId !== except).map((d) => d.sourceId))) {
    current = (await mutate<{ recordControllerInstruction: Req }>(INSTRUCT, { id: req.id, input: { sourceId, decision: 'PROCEED' } }))
      .recordControllerInstruction;
  }
  return current;
}

async function personWith(source: string, sql: string, offset = 0): Promise<{ personId: string; recordId: string }> {
  const rows = await env.query<{ id: string }>(sql);
  const found = rows.map((r) => ({ personId: personOfRecord(env.truth, `${source}/${r.id}`), recordId: r.id })).filter((x) => x.personId);
  const pick = found[offset];
  if (!pick) throw new Error(`no person with a ${source} record`);
  return pick as { personId: string; recordId: string };
}

/** executeRequest's time limit here: short, so a hung source costs the test seconds. */
const EXECUTE_TIMEOUT_MS = 3000;

beforeAll(async () => {
  env = await startSeededGateway({ EXECUTE_TIMEOUT_MS: String(EXECUTE_TIMEOUT_MS) });
  handler = await bearer(env.gw, ['HANDLER']);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('legal hold (R8)', () => {
  it('R8: an override to PURGE (or any erasing action) of a clinic record inside statutory retention is refused, and execution refuses a stored one', async () => {
    const { personId, recordId } = await personWith('clinic', `SELECT id FROM clinic.patients ORDER BY id LIMIT 5`);
    const req = await proceedAll(await verifiedErasure(personId));
    expect(req.decisions.find((d) => d.sourceId === 'clinic' && d.recordId === recordId)?.action).toBe('RETAIN');

    for (const action of ['PURGE', 'ERASE', 'ANONYMISE', 'MINIMISE']) {
      const refused = await op(OVERRIDE, { id: req.id, input: { sourceId: 'clinic', recordId, action, reason: 'the person insists' } });
      expect(refused.code, action).toBe('LEGAL_HOLD');
      expect(refused.message).toMatch(/statutory retention/i);
    }
    const [stored] = await env.query<{ action: string }>(
      `SELECT action FROM record_decision WHERE request_id = $1 AND source_id = 'clinic' AND record_id = $2`,
      [req.id, recordId],
    );
    expect(stored!.action).toBe('RETAIN');

    // A PURGE that reached the decisions some other way (a stale override) is refused at execution.
    await env.query(`UPDATE record_decision SET action = 'PURGE', follow_up_action = NULL WHERE request_id = $1 AND source_id = 'clinic' AND record_id = $2`, [
      req.id,
      recordId,
    ]);
    const executed = await op(`mutation($id: ID!) { executeRequest(requestId: $id) { status } }`, { id: req.id });
    expect(executed.code).toBe('LEGAL_HOLD');
    const after = await op<{ request: { status: string; tasks: unknown[] } }>(`query($id: ID!) { request(id: $id) { status tasks { id } } }`, { id: req.id });
    expect(after.data!.request).toEqual({ status: 'IN_REVIEW', tasks: [] });
    expect(await env.query(`SELECT 1 FROM clinic.patients WHERE id = $1`, [recordId])).toHaveLength(1);
  }, 90_000);
});

describe('legal hold named in the answer (R8)', () => {
  it('R8: an override of a clinic record kept by law (to RESTRICT, or to RETAIN for another reason) still names the statutory basis and the date until which it is kept', async () => {
    const { personId, recordId } = await personWith('clinic', `SELECT id FROM clinic.patients ORDER BY id LIMIT 5`, 1);
    type Decision = Req['decisions'][number] & { basis: string | null; retainUntil: string | null; overridden: boolean };
    const pick = (r: Req) => r.decisions.find((d) => d.sourceId === 'clinic' && d.recordId === recordId) as Decision;
    const req = await proceedAll(await verifiedErasure(personId));
    const computed = pick(req);
    expect(computed.action).toBe('RETAIN');
    expect(computed.basis).toMatch(/statutory retention/i);
    expect(computed.retainUntil).not.toBeNull();
    for (const action of ['RESTRICT', 'RETAIN']) {
      const { overrideDecision } = await mutate<{ overrideDecision: Req }>(OVERRIDE, {
        id: req.id,
        input: { sourceId: 'clinic', recordId, action, reason: 'litigation pending' },
      });
      expect(pick(overrideDecision), action).toMatchObject({ action, basis: computed.basis, retainUntil: computed.retainUntil, overridden: true });
    }
  }, 90_000);
});

describe('restriction during a legal hold (R8)', () => {
  it('R8: a RETAIN override of a clinic record kept by law under an erasure keeps its follow-up RESTRICT, through a RESTRICT and back, and execution restricts it', async () => {
    const { personId, recordId } = await personWith('clinic', `SELECT id FROM clinic.patients ORDER BY id LIMIT 5`, 2);
    type Decision = Req['decisions'][number] & { followUpAction: string | null };
    const FOLLOW = `mutation($id: ID!, $input: OverrideDecisionInput!) { overrideDecision(requestId: $id, input: $input) { decisions { sourceId recordId action followUpAction } } }`;
    const req = await proceedAll(await verifiedErasure(personId));
    const [computed] = await env.query<{ action: string; follow_up_action: string | null }>(
      `SELECT action, follow_up_action FROM record_decision WHERE request_id = $1 AND source_id = 'clinic' AND record_id = $2`,
      [req.id, recordId],
    );
    expect(computed).toEqual({ action: 'RETAIN', follow_up_action: 'RESTRICT' });
    for (const action of ['RETAIN', 'RESTRICT', 'RETAIN']) {
      const { overrideDecision } = await mutate<{ overrideDecision: { decisions: Decision[] } }>(FOLLOW, {
        id: req.id,
        input: { sourceId: 'clinic', recordId, action, reason: 'litigation pending' },
      });
      const d = overrideDecision.decisions.find((x) => x.sourceId === 'clinic' && x.recordId === recordId)!;
      expect(d.action, action).toBe(action);
      // A RESTRICT restricts by itself; the follow-up stays with the record for a later RETAIN.
      expect(d.followUpAction, action).toBe('RESTRICT');
    }
    await mutate(`mutation($id: ID!) { executeRequest(requestId: $id) { status } }`, { id: req.id });
    const tasks = await eventually(
      () => env.query<{ action: string }>(`SELECT action FROM task WHERE request_id = $1 AND source_id = 'clinic' AND record_id = $2`, [req.id, recordId]),
      (rows) => rows.length > 0,
    );
    expect(tasks.map((t) => t.action)).toEqual(['RESTRICT']);
  }, 90_000);
});

describe('an override acts within what the person asked (R1)', () => {
  it('R1: an override to an action outside the request’s type is refused (INVALID_ACTION): no erasure under a restriction, no release under an erasure, no erasure under an access request', async () => {
    const { personId, recordId } = await personWith('case_management', `SELECT id FROM case_management.cases ORDER BY id LIMIT 8`, 4);
    for (const [type, computed, action] of [
      ['RESTRICTION', 'RESTRICT', 'ERASE'],
      ['RESTRICTION', 'RESTRICT', 'ANONYMISE'],
      ['OBJECTION', 'RESTRICT', 'PURGE'],
      ['ERASURE', null, 'RELEASE'],
      ['ACCESS', 'RELEASE', 'ERASE'],
    ] as const) {
      const req = await proceedAll(await verifiedErasure(personId, type));
      const before = req.decisions.find((d) => d.sourceId === 'case_management' && d.recordId === recordId)!;
      if (computed) expect(before.action, type).toBe(computed);
      const refused = await op(OVERRIDE, { id: req.id, input: { sourceId: 'case_management', recordId, action, reason: 'the handler thinks so' } });
      expect(refused.code, `${type} ${action}`).toBe('INVALID_ACTION');
      const [stored] = await env.query<{ action: string }>(
        `SELECT action FROM record_decision WHERE request_id = $1 AND source_id = 'case_management' AND record_id = $2`,
        [req.id, recordId],
      );
      expect(stored!.action, `${type} ${action}`).toBe(before.action);
      await mutate(`mutation($id: ID!) { cancelRequest(requestId: $id, reason: "test done") { id } }`, { id: req.id });
    }
  }, 120_000);
});

describe('controller first (R6)', () => {
  it('R6: after a controller REFUSES, an override to an erasing action on its record is refused; a later PROCEED lifts it', async () => {
    const { personId, recordId } = await personWith(
      'case_management',
      `SELECT id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY id LIMIT 5`,
      2,
    );
    const verified = await proceedAll(await verifiedErasure(personId), 'case_management');
    const refusedBy = (
      await mutate<{ recordControllerInstruction: Req }>(INSTRUCT, {
        id: verified.id,
        input: { sourceId: 'case_management', decision: 'REFUSE', reference: 'letter 7' },
      })
    ).recordControllerInstruction;
    expect(refusedBy.decisions.find((d) => d.recordId === recordId)?.action).toBe('RETAIN');

    for (const action of ['ERASE', 'ANONYMISE', 'RESTRICT']) {
      const refused = await op(OVERRIDE, {
        id: verified.id,
        input: { sourceId: 'case_management', recordId, action, reason: 'the handler disagrees with the controller' },
      });
      expect(refused.code, action).toBe('CONTROLLER_REFUSED');
    }
    // A decision stored against the refusal is refused again when the request is executed.
    await env.query(`UPDATE record_decision SET action = 'ERASE' WHERE request_id = $1 AND source_id = 'case_management' AND record_id = $2`, [
      verified.id,
      recordId,
    ]);
    const executed = await op(`mutation($id: ID!) { executeRequest(requestId: $id) { status } }`, { id: verified.id });
    expect(executed.code).toBe('CONTROLLER_REFUSED');
    expect(await env.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [recordId])).toHaveLength(1);

    // The refusal binds until the controller instructs otherwise.
    await mutate(INSTRUCT, { id: verified.id, input: { sourceId: 'case_management', decision: 'PROCEED', reference: 'letter 8' } });
    const allowed = await op<{ overrideDecision: Req }>(OVERRIDE, {
      id: verified.id,
      input: { sourceId: 'case_management', recordId, action: 'RESTRICT', reason: 'litigation pending' },
    });
    expect(allowed.code).toBeUndefined();
  }, 90_000);

  it('R6/R7: a handler’s RETAIN (litigation) stands when the controller instructs again (PROCEED, then gone); a REFUSE recomputes every record of the controller', async () => {
    const { personId, recordId } = await personWith(
      'case_management',
      `SELECT id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY id LIMIT 8`,
      5,
    );
    const verified = await proceedAll(await verifiedErasure(personId));
    const held = (
      await mutate<{ overrideDecision: Req }>(OVERRIDE, {
        id: verified.id,
        input: { sourceId: 'case_management', recordId, action: 'RETAIN', reason: 'litigation pending' },
      })
    ).overrideDecision;
    expect(held.decisions.find((d) => d.recordId === recordId)?.action).toBe('RETAIN');
    for (const decision of ['PROCEED', 'CONTROLLER_GONE']) {
      const again = (await mutate<{ recordControllerInstruction: Req }>(INSTRUCT, { id: verified.id, input: { sourceId: 'case_management', decision } }))
        .recordControllerInstruction;
      expect(
        again.decisions.find((d) => d.recordId === recordId),
        decision,
      ).toMatchObject({ action: 'RETAIN', overridden: true });
    }
    const refused = (
      await mutate<{ recordControllerInstruction: Req }>(INSTRUCT, { id: verified.id, input: { sourceId: 'case_management', decision: 'REFUSE' } })
    ).recordControllerInstruction;
    expect(refused.decisions.find((d) => d.recordId === recordId)).toMatchObject({ action: 'RETAIN', overridden: false, basis: 'controller refused' });
  }, 90_000);

  it('R6: a task on a record whose controller refused fails at the moment of action and leaves the record', async () => {
    const { personId, recordId } = await personWith(
      'case_management',
      `SELECT id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY id LIMIT 5`,
      3,
    );
    const verified = await proceedAll(await verifiedErasure(personId));
    const decision = verified.decisions.find((d) => d.recordId === recordId)!;
    expect(['ERASE', 'ANONYMISE']).toContain(decision.action);
    // The approval and the refusal cross: the request is approved with the PROCEED's
    // decisions while a REFUSE is stored. Only the task itself can still refuse to act.
    await env.query(`UPDATE controller_instruction SET decision = 'REFUSE' WHERE request_id = $1 AND source_id = 'case_management'`, [verified.id]);
    await env.query(`UPDATE data_subject_request SET status = 'APPROVED' WHERE id = $1`, [verified.id]);
    await env.gw.runtime.services.execution.execute(verified.id, 'test');
    const [task] = await eventually(
      () =>
        env.query<{ status: string; last_error: string | null }>(
          `SELECT status, last_error FROM task WHERE request_id = $1 AND source_id = 'case_management' AND record_id = $2`,
          [verified.id, recordId],
        ),
      ([t]) => t !== undefined && ['SUCCEEDED', 'FAILED'].includes(t.status),
    );
    expect(task).toMatchObject({ status: 'FAILED' });
    expect(task!.last_error).toMatch(/CONTROLLER_REFUSED/);
    expect(await env.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [recordId])).toHaveLength(1);
  }, 90_000);
});

describe('every source searched (R1)', () => {
  const EXECUTE = `mutation($id: ID!) { executeRequest(requestId: $id) { status } }`;
  const GAPS = `discoveryComplete sourceOutcomes { sourceId status } sourcesNotSearched { sourceIds reason actor }`;
  /** The concierge store cannot be searched while its key table has another name. */
  const breakConcierge = () => env.query(`ALTER TABLE concierge.record_key RENAME TO record_key_away`);
  const mendConcierge = () => env.query(`ALTER TABLE IF EXISTS concierge.record_key_away RENAME TO record_key`);

  async function waitUntilClosed(id: string): Promise<string> {
    const [row] = await eventually(
      () => env.query<{ status: string }>(`SELECT status FROM data_subject_request WHERE id = $1`, [id]),
      ([r]) => !['APPROVED', 'EXECUTING'].includes(r!.status),
      { timeoutMs: 60_000 },
    );
    return row!.status;
  }

  afterAll(mendConcierge);

  it('R1: an erasure whose discovery missed a source is refused until the source is searched again, which adds its records', async () => {
    const { personId, recordId } = await personWith('concierge', `SELECT id FROM concierge.members ORDER BY id DESC LIMIT 8`, 0);
    await breakConcierge();
    let req: Req;
    try {
      req = await proceedAll(await verifiedErasure(personId));
    } finally {
      await mendConcierge();
    }
    const partial = await op<{ request: { discoveryComplete: boolean; sourceOutcomes: { sourceId: string; status: string }[] } }>(
      `query($id: ID!) { request(id: $id) { ${GAPS} } }`,
      { id: req.id },
    );
    expect(partial.data!.request.discoveryComplete).toBe(false);
    expect(partial.data!.request.sourceOutcomes.find((s) => s.sourceId === 'concierge')?.status).toBe('FAILED');
    expect(req.records.some((r) => r.sourceId === 'concierge')).toBe(false);

    const refused = await op(EXECUTE, { id: req.id });
    expect(refused.code).toBe('DISCOVERY_INCOMPLETE');
    expect(await env.query(`SELECT 1 FROM task WHERE request_id = $1`, [req.id])).toHaveLength(0);

    const again = await mutate<{ rediscoverSources: Req & { discoveryComplete: boolean } }>(
      `mutation($id: ID!) { rediscoverSources(requestId: $id) { ${REQUEST_FIELDS} discoveryComplete } }`,
      { id: req.id },
    );
    expect(again.rediscoverSources.discoveryComplete).toBe(true);
    expect(again.rediscoverSources.records.some((r) => r.sourceId === 'concierge' && r.recordId === recordId)).toBe(true);
    expect(again.rediscoverSources.decisions.some((d) => d.sourceId === 'concierge' && d.recordId === recordId)).toBe(true);
    const nothingLeft = await op(`mutation($id: ID!) { rediscoverSources(requestId: $id) { id } }`, { id: req.id });
    expect(nothingLeft.code).toBe('DISCOVERY_COMPLETE');
  }, 90_000);

  it('R1: a removal the finaliser could not verify leaves a retryable request whose answer says what was not verified', async () => {
    const { personId, recordId } = await personWith('concierge', `SELECT id FROM concierge.members ORDER BY id DESC LIMIT 8`, 2);
    const req = await proceedAll(await verifiedErasure(personId));
    expect(req.decisions.find((d) => d.sourceId === 'concierge' && d.recordId === recordId)?.action).toBe('ERASE');
    // Erasure works on the tables; only the lookup view verification reads is gone.
    const { result: executed, restore } = await executeThenHideConciergeLookup(env, () => op(EXECUTE, { id: req.id }));
    try {
      expect(executed.code).toBeUndefined();
      expect(await waitUntilClosed(req.id)).toBe('PARTIALLY_COMPLETED');
    } finally {
      await restore();
    }
    expect(await env.query(`SELECT 1 FROM concierge.members WHERE id = $1`, [recordId])).toHaveLength(0);
    const ANSWER = `query($id: ID!) { request(id: $id) { status tasks { status } response { complete letter notVerified { sourceId kind } } } }`;
    type Answer = {
      request: {
        status: string;
        tasks: { status: string }[];
        response: { complete: boolean; letter: string; notVerified: { sourceId: string; kind: string }[] };
      };
    };
    const first = (await op<Answer>(ANSWER, { id: req.id })).data!.request;
    expect(first.tasks.filter((t) => t.status === 'FAILED')).toEqual([]);
    expect(first.response.complete).toBe(false);
    expect(first.response.notVerified).toEqual([{ sourceId: 'concierge', kind: 'NOT_VERIFIED' }]);
    expect(first.response.letter).toMatch(/Concierge: we could not yet check that the data is gone/);

    // Verification that could not run is retried like a failed task.
    const retried = await op<{ retryFailedTasks: { status: string } }>(`mutation($id: ID!) { retryFailedTasks(requestId: $id) { status } }`, { id: req.id });
    expect(retried.code).toBeUndefined();
    expect(await waitUntilClosed(req.id)).toBe('COMPLETED');
    const second = (await op<Answer>(ANSWER, { id: req.id })).data!.request;
    expect(second.response.complete).toBe(true);
    expect(second.response.notVerified).toEqual([]);
  }, 120_000);

  it('R1: going on without a source is an explicit, audited decision; the answer names the source and is never complete', async () => {
    const { personId, recordId } = await personWith('concierge', `SELECT id FROM concierge.members ORDER BY id DESC LIMIT 8`, 1);
    await breakConcierge();
    let req: Req;
    try {
      req = await proceedAll(await verifiedErasure(personId));
    } finally {
      await mendConcierge();
    }
    expect((await op(EXECUTE, { id: req.id })).code).toBe('DISCOVERY_INCOMPLETE');
    const noReason = await op(`mutation($id: ID!) { proceedWithoutSources(requestId: $id, reason: "  ") { id } }`, { id: req.id });
    expect(noReason.code).toBe('REASON_REQUIRED');
    const decided = await mutate<{ proceedWithoutSources: { sourcesNotSearched: { sourceIds: string[]; reason: string } } }>(
      `mutation($id: ID!) { proceedWithoutSources(requestId: $id, reason: "the concierge system is being replaced; a new request will cover it") { ${GAPS} } }`,
      { id: req.id },
    );
    expect(decided.proceedWithoutSources.sourcesNotSearched).toMatchObject({ sourceIds: ['concierge'] });
    const audited = await env.query(`SELECT 1 FROM audit_log WHERE action = 'request.proceed-without-sources' AND target_id = $1`, [req.id]);
    expect(audited).toHaveLength(1);

    const started = await op<{ executeRequest: { status: string } }>(EXECUTE, { id: req.id });
    expect(started.code).toBeUndefined();
    expect(await waitUntilClosed(req.id)).toBe('PARTIALLY_COMPLETED');
    const answer = await op<{ request: { response: { complete: boolean; letter: string; notSearched: { sourceId: string; kind: string }[] } } }>(
      `query($id: ID!) { request(id: $id) { response { complete letter notSearched { sourceId kind } } } }`,
      { id: req.id },
    );
    const response = answer.data!.request.response;
    expect(response.complete).toBe(false);
    expect(response.notSearched).toEqual([{ sourceId: 'concierge', kind: 'NOT_SEARCHED' }]);
    expect(response.letter).toMatch(/Concierge could not be searched/i);
    // Never searched, never erased: the letter does not pretend otherwise.
    expect(await env.query(`SELECT 1 FROM concierge.members WHERE id = $1`, [recordId])).toHaveLength(1);

    // A retry (here of a task made to fail after the fact) closes the request again: still not complete, still naming the source.
    const [task] = await env.query<{ id: string }>(
      `UPDATE task SET status = 'FAILED', last_error = 'UNAVAILABLE: test' WHERE id = (SELECT id FROM task WHERE request_id = $1 ORDER BY id LIMIT 1) RETURNING id`,
      [req.id],
    );
    expect(task).toBeDefined();
    expect((await op(`mutation($id: ID!) { retryFailedTasks(requestId: $id) { status } }`, { id: req.id })).code).toBeUndefined();
    expect(await waitUntilClosed(req.id)).toBe('PARTIALLY_COMPLETED');
    const [retried] = await env.query<{ status: string }>(`SELECT status FROM task WHERE id = $1`, [task!.id]);
    expect(retried!.status).toBe('SUCCEEDED');
    const again = (
      await op<{ request: { response: { complete: boolean; letter: string; notSearched: { sourceId: string; kind: string }[] } } }>(
        `query($id: ID!) { request(id: $id) { response { complete letter notSearched { sourceId kind } } } }`,
        { id: req.id },
      )
    ).data!.request.response;
    expect(again.complete).toBe(false);
    expect(again.notSearched).toEqual([{ sourceId: 'concierge', kind: 'NOT_SEARCHED' }]);
    expect(again.letter).toMatch(/Concierge could not be searched/i);
  }, 120_000);
});

describe('a hanging source or a locked table (execution time limit)', () => {
  /** Holds a lock on `table` from another connection until released. */
  async function lock(table: string): Promise<() => Promise<void>> {
    const client = new pg.Client({ connectionString: env.gw.databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    return async () => {
      await client.query('ROLLBACK');
      await client.end();
    };
  }
  const state = async (id: string) => {
    const [row] = await env.query<{ status: string; tasks: number; tombstones: number }>(
      `SELECT status, (SELECT count(*)::int FROM task WHERE request_id = $1) AS tasks, (SELECT count(*)::int FROM tombstone WHERE request_id = $1) AS tombstones
         FROM data_subject_request WHERE id = $1`,
      [id],
    );
    return row!;
  };

  it('R1: executeRequest gives up on a hanging source or a locked table with EXECUTION_TIMEOUT, leaving nothing half-done; called again it runs', async () => {
    const { personId } = await personWith('concierge', `SELECT id FROM concierge.members ORDER BY id DESC LIMIT 8`, 4);
    const req = await proceedAll(await verifiedErasure(personId));
    const execute = async () => {
      const started = Date.now();
      const r = await op<{ executeRequest: { status: string } }>(`mutation($id: ID!) { executeRequest(requestId: $id) { status } }`, { id: req.id });
      return { ...r, ms: Date.now() - started };
    };

    const executeWhileLocked = async (table: string) => {
      const release = await lock(table);
      try {
        return await execute();
      } finally {
        await release();
      }
    };

    // The concierge store hangs: a table its export reads is locked.
    const hung = await executeWhileLocked('concierge.members');
    expect(hung.code).toBe('EXECUTION_TIMEOUT');
    expect(hung.ms).toBeLessThan(EXECUTE_TIMEOUT_MS + 5000);
    expect(await state(req.id)).toEqual({ status: 'IN_REVIEW', tasks: 0, tombstones: 0 });

    // The gateway's own tombstone table is locked: the planning transaction rolls back whole.
    const locked = await executeWhileLocked('tombstone');
    expect(locked.code).toBe('EXECUTION_TIMEOUT');
    expect(locked.ms).toBeLessThan(EXECUTE_TIMEOUT_MS + 5000);
    expect(await state(req.id)).toEqual({ status: 'APPROVED', tasks: 0, tombstones: 0 });

    // Nothing was left half-way: the same call starts the execution now.
    const again = await execute();
    expect(again.code).toBeUndefined();
    const after = await state(req.id);
    expect(after.tasks).toBeGreaterThan(0);
    expect(after.tombstones).toBeGreaterThan(0);
  }, 120_000);
});
