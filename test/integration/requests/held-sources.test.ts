// R1: a source that was searched before and is now waiting for approval again (a changed
// registration) or disabled still holds people's records: a request verified meanwhile did
// not search it, and says so, as for a source that failed. A new registration nobody has
// approved yet holds nothing the gateway has ever searched: it is not counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalTokenOf } from '../../../src/sources/approval-changes.js';
import { bearer } from '../../support/runtime.js';
import { eventually } from '../../support/eventually.js';
import {
  identifiersOf,
  personOfRecord,
  REQUEST_FIELDS,
  settleReviewAndControllers,
  startSeededGateway,
  type RequestMutation,
  type SeededGateway,
} from './support.js';

let env: SeededGateway;
let handler: Record<string, string>;

interface Req {
  id: string;
  records: { sourceId: string; recordId: string; reviewState: string; relationship: string }[];
  decisions: { sourceId: string; recordId: string; needsController: boolean }[];
}
interface Gaps {
  discoveryComplete: boolean;
  sourceOutcomes: { sourceId: string; status: string; errorCode: string | null }[];
  sourcesNotSearched: { sourceIds: string[] } | null;
}
const GAPS = `discoveryComplete sourceOutcomes { sourceId status errorCode } sourcesNotSearched { sourceIds }`;

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

/** A request mutation answering the request's fields, for the shared settling step. */
const requestMutation: RequestMutation<Req> = async (call, args, variables) =>
  (await mutate<Record<string, Req>>(`mutation(${args}) { ${call} { ${REQUEST_FIELDS} } }`, variables))[call.slice(0, call.indexOf('('))]!;

/** Submits and verifies an erasure, settles REVIEW records by ground truth, and every controller says PROCEED. */
async function verifiedErasure(personId: string): Promise<Req> {
  const { submitRequest } = await mutate<{ submitRequest: Req }>(`mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`, {
    input: { type: 'ERASURE', identifiers: identifiersOf(personId), channel: 'email' },
  });
  const verified = await requestMutation('verifyIdentity(requestId: $id, input: { method: "passport seen" })', '$id: ID!', { id: submitRequest.id });
  return settleReviewAndControllers(
    requestMutation,
    verified,
    (r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === personId || r.relationship !== 'SUBJECT',
  );
}

async function conciergePerson(offset: number): Promise<{ personId: string; recordId: string }> {
  const rows = await env.query<{ id: string }>(`SELECT id FROM concierge.members ORDER BY id DESC LIMIT 12`);
  const found = rows.map((r) => ({ personId: personOfRecord(env.truth, `concierge/${r.id}`), recordId: r.id })).filter((x) => x.personId);
  return found[offset] as { personId: string; recordId: string };
}

const gapsOf = async (id: string) => (await op<{ request: Gaps }>(`query($id: ID!) { request(id: $id) { ${GAPS} } }`, { id })).data!.request;
const EXECUTE = `mutation($id: ID!) { executeRequest(requestId: $id) { status } }`;
const registry = () => env.gw.runtime.services.sources;

beforeAll(async () => {
  env = await startSeededGateway();
  handler = await bearer(env.gw, ['HANDLER']);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('a source searched before and not ACTIVE now (R1)', () => {
  it('R1: a re-registration waiting for approval is not searched and says so: execution waits until it is searched again once approved', async () => {
    const { personId, recordId } = await conciergePerson(0);
    const concierge = (await registry().find('concierge'))!;
    // A source team registers the source again: it waits for an administrator.
    await registry().register(concierge.config as never, 'concierge-team', { pendingApproval: true });
    expect((await registry().find('concierge'))!.status).toBe('PENDING_APPROVAL');
    let req: Req;
    try {
      req = await verifiedErasure(personId);
      const gaps = await gapsOf(req.id);
      expect(gaps.discoveryComplete).toBe(false);
      expect(gaps.sourceOutcomes.find((s) => s.sourceId === 'concierge')).toEqual({
        sourceId: 'concierge',
        status: 'FAILED',
        errorCode: 'SOURCE_PENDING_APPROVAL',
      });
      expect(req.records.some((r) => r.sourceId === 'concierge')).toBe(false);
      expect((await op(EXECUTE, { id: req.id })).code).toBe('DISCOVERY_INCOMPLETE');
      expect(await env.query(`SELECT 1 FROM task WHERE request_id = $1`, [req.id])).toHaveLength(0);
      // Still waiting: searching again cannot ask it, the request stays incomplete.
      const still = await mutate<{ rediscoverSources: Gaps }>(`mutation($id: ID!) { rediscoverSources(requestId: $id) { ${GAPS} } }`, { id: req.id });
      expect(still.rediscoverSources.discoveryComplete).toBe(false);
    } finally {
      await registry().changeStatus('concierge', 'approve', 'admin', { approvalToken: approvalTokenOf((await registry().find('concierge'))!) });
    }
    const again = await mutate<{ rediscoverSources: Req & Gaps }>(`mutation($id: ID!) { rediscoverSources(requestId: $id) { ${REQUEST_FIELDS} ${GAPS} } }`, {
      id: req.id,
    });
    expect(again.rediscoverSources.discoveryComplete).toBe(true);
    expect(again.rediscoverSources.records.some((r) => r.sourceId === 'concierge' && r.recordId === recordId)).toBe(true);
  }, 120_000);

  it("R1: a disabled source is not searched and says so: going on without it is the handler's recorded decision", async () => {
    const { personId } = await conciergePerson(1);
    await registry().changeStatus('concierge', 'disable', 'admin');
    let req: Req;
    try {
      req = await verifiedErasure(personId);
    } finally {
      await registry().changeStatus('concierge', 'enable', 'admin');
    }
    const gaps = await gapsOf(req.id);
    expect(gaps.discoveryComplete).toBe(false);
    expect(gaps.sourceOutcomes.find((s) => s.sourceId === 'concierge')).toEqual({ sourceId: 'concierge', status: 'FAILED', errorCode: 'SOURCE_DISABLED' });
    expect((await op(EXECUTE, { id: req.id })).code).toBe('DISCOVERY_INCOMPLETE');
    const decided = await mutate<{ proceedWithoutSources: Gaps }>(
      `mutation($id: ID!) { proceedWithoutSources(requestId: $id, reason: "the concierge system is switched off for good") { ${GAPS} } }`,
      { id: req.id },
    );
    expect(decided.proceedWithoutSources.sourcesNotSearched?.sourceIds).toEqual(['concierge']);
    // The answer names it and is not complete: its records were neither searched nor erased.
    expect((await op(EXECUTE, { id: req.id })).code).toBeUndefined();
    const [closed] = await eventually(
      () => env.query<{ status: string }>(`SELECT status FROM data_subject_request WHERE id = $1`, [req.id]),
      ([r]) => !['APPROVED', 'EXECUTING'].includes(r!.status),
      { timeoutMs: 60_000 },
    );
    expect(closed!.status).toBe('PARTIALLY_COMPLETED');
    const answer = await op<{ request: { response: { complete: boolean; letter: string; notSearched: { sourceId: string; kind: string }[] } } }>(
      `query($id: ID!) { request(id: $id) { response { complete letter notSearched { sourceId kind } } } }`,
      { id: req.id },
    );
    expect(answer.data!.request.response.complete).toBe(false);
    expect(answer.data!.request.response.notSearched).toEqual([{ sourceId: 'concierge', kind: 'NOT_SEARCHED' }]);
    expect(answer.data!.request.response.letter).toMatch(/Concierge could not be searched/i);
  }, 120_000);

  it('R1: a new registration never approved, and a removed source, are not counted: the request is complete without them', async () => {
    const concierge = (await registry().find('concierge'))!;
    const config = { ...(concierge.config as Record<string, unknown>), id: 'concierge-copy', name: 'Concierge copy' };
    await registry().register(config as never, 'concierge-team', { pendingApproval: true });
    const gone = { ...config, id: 'concierge-gone', name: 'Concierge gone' };
    await registry().register(gone as never, 'admin');
    await registry().changeStatus('concierge-gone', 'remove', 'admin');
    const { personId } = await conciergePerson(2);
    const req = await verifiedErasure(personId);
    const gaps = await gapsOf(req.id);
    expect(gaps.sourceOutcomes.map((s) => s.sourceId)).not.toContain('concierge-copy');
    expect(gaps.sourceOutcomes.map((s) => s.sourceId)).not.toContain('concierge-gone');
    expect(gaps.discoveryComplete).toBe(true);
  }, 120_000);
});
