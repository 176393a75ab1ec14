// R6: one source can hold records of several controllers for one person (case management
// for two employers). Each controller's instruction binds only its own records: the other's
// wait for their own, and a return goes to the returning controller alone, in its own package.
import { strFromU8, unzipSync } from 'fflate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCase } from '../../../connectors/case-management/roster-import.js';
import { personAt } from '../../../src/population/person.js';
import { eventually } from '../../support/eventually.js';
import { bearer } from '../../support/runtime.js';
import { postDownload } from '../../support/access-package-download.js';
import { identifiersOf, personOfRecord, SEED, startSeededGateway, type SeededGateway } from './support.js';

let env: SeededGateway;
let handler: Record<string, string>;
let pool: pg.Pool;

interface Req {
  id: string;
  status: string;
  records: { sourceId: string; recordId: string; reviewState: string; relationship: string; controllerId: string | null }[];
  decisions: { sourceId: string; recordId: string; action: string; needsController: boolean; returnToController: string | null }[];
  controllerInstructions: { sourceId: string; controllerId: string; decision: string }[];
  accessPackage: { downloadUrl: string | null } | null;
  returnedPackages: { controllerId: string; downloadUrl: string | null }[];
}

const FIELDS = `id status
  records { sourceId recordId reviewState relationship controllerId }
  decisions { sourceId recordId action needsController returnToController }
  controllerInstructions { sourceId controllerId decision }
  accessPackage { downloadUrl }
  returnedPackages { controllerId downloadUrl }`;
const INSTRUCT = `mutation($id: ID!, $input: ControllerInstructionInput!) { recordControllerInstruction(requestId: $id, input: $input) { ${FIELDS} } }`;
const EXECUTE = `mutation($id: ID!) { executeRequest(requestId: $id) { ${FIELDS} } }`;

async function op<T>(query: string, variables: Record<string, unknown>): Promise<{ data?: T; code?: string }> {
  const reply = await env.gw.graphql<T>(query, variables, handler);
  return { data: reply.body.data ?? undefined, code: reply.body.errors?.[0]?.extensions?.code as string | undefined };
}

async function must<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const r = await op<T>(query, variables);
  if (!r.data || r.code) throw new Error(`${query.slice(0, 60)} failed: ${r.code}`);
  return r.data;
}

const instruct = async (id: string, input: Record<string, unknown>) =>
  (await must<{ recordControllerInstruction: Req }>(INSTRUCT, { id, input })).recordControllerInstruction;

/** Everything the archive at this one-time link holds, as text. */
async function archiveText(url: string): Promise<string> {
  const res = await postDownload(env.gw.url, url!);
  expect(res.status).toBe(200);
  return Object.values(unzipSync(new Uint8Array(await res.arrayBuffer())))
    .map((f) => strFromU8(f))
    .join('\n');
}

/**
 * A person with a case of one employer (A), given a second case of another employer (B) in
 * the same source; their erasure verified, reviewed, and every controller of any other
 * source instructed PROCEED. The request waits for A and B in case management.
 */
async function twoControllers(offset: number): Promise<{ req: Req; a: string; b: string; caseA: string; caseB: string }> {
  const cases = await env.query<{ id: string; controller_id: string }>(
    `SELECT id, controller_id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY id`,
  );
  const picks = cases.map((c) => ({ ...c, personId: personOfRecord(env.truth, `case_management/${c.id}`) })).filter((c) => c.personId);
  const pick = picks[offset]!;
  const person = personAt(SEED, Number(pick.personId!.slice(1)));
  const b = `${pick.controller_id}-other-employer`;
  const caseB = await insertCase(pool, 'case_management', {
    ref: 'TWO',
    givenName: person.givenName,
    familyName: person.familyName,
    dateOfBirth: person.dateOfBirth,
    email: person.email,
    phone: person.phone,
    membershipNumber: person.membershipNumber,
    employer: 'Other employer',
    controllerId: b,
  });
  const { submitRequest } = await must<{ submitRequest: { id: string } }>(`mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`, {
    input: { type: 'ERASURE', identifiers: identifiersOf(pick.personId!), channel: 'email' },
  });
  let req = (
    await must<{ verifyIdentity: Req }>(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport seen" }) { ${FIELDS} } }`, {
      id: submitRequest.id,
    })
  ).verifyIdentity;
  const pending = req.records.filter((r) => r.reviewState === 'PENDING');
  const mine = pending.filter(
    (r) => r.recordId === caseB || personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === pick.personId || r.relationship !== 'SUBJECT',
  );
  for (const [mutation, list] of [
    ['confirmMatches', mine],
    ['rejectMatches', pending.filter((r) => !mine.includes(r))],
  ] as const) {
    if (list.length === 0) continue;
    req = (
      await must<Record<string, Req>>(`mutation($id: ID!, $records: [RecordRefInput!]!) { ${mutation}(requestId: $id, records: $records) { ${FIELDS} } }`, {
        id: req.id,
        records: list.map(({ sourceId, recordId }) => ({ sourceId, recordId })),
      })
    )[mutation]!;
  }
  const ofCases = req.records.filter((r) => r.sourceId === 'case_management');
  expect(ofCases.find((r) => r.recordId === pick.id)?.controllerId).toBe(pick.controller_id);
  expect(ofCases.find((r) => r.recordId === caseB)?.controllerId).toBe(b);
  for (const r of req.records.filter((r) => r.controllerId && r.sourceId !== 'case_management')) {
    req = await instruct(req.id, { sourceId: r.sourceId, controllerId: r.controllerId, decision: 'PROCEED' });
  }
  return { req, a: pick.controller_id, b, caseA: pick.id, caseB };
}

const decisionOf = (req: Req, recordId: string) => req.decisions.find((d) => d.sourceId === 'case_management' && d.recordId === recordId)!;

beforeAll(async () => {
  env = await startSeededGateway();
  // Cases may hold health data (R12): only a cleared handler is given the packages' links.
  handler = await bearer(env.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
  pool = new pg.Pool({ connectionString: env.gw.databaseUrl, max: 2 });
}, 240_000);

afterAll(async () => {
  await pool?.end();
  await env?.stop();
});

describe('R6: an override of a record its controller takes back', () => {
  const OVERRIDE = `mutation($id: ID!, $input: OverrideDecisionInput!) { overrideDecision(requestId: $id, input: $input) { ${FIELDS} } }`;

  it('R6: a record its controller instructed returned then erased is never destroyed another way (ANONYMISE, PURGE: INVALID_ACTION); an override to ERASE still returns it first', async () => {
    const { req, a, caseA } = await twoControllers(3);
    const returning = await instruct(req.id, { sourceId: 'case_management', controllerId: a, decision: 'RETURN_AND_ERASE', reference: 'A letter' });
    expect(decisionOf(returning, caseA)).toMatchObject({ action: 'ERASE', returnToController: a });
    for (const action of ['ANONYMISE', 'PURGE', 'MINIMISE']) {
      const refused = await op(OVERRIDE, { id: req.id, input: { sourceId: 'case_management', recordId: caseA, action, reason: 'the handler thinks so' } });
      expect(refused.code, action).toBe('INVALID_ACTION');
    }
    const erased = await must<{ overrideDecision: Req }>(OVERRIDE, {
      id: req.id,
      input: { sourceId: 'case_management', recordId: caseA, action: 'ERASE', reason: 'confirmed with the controller' },
    });
    expect(decisionOf(erased.overrideDecision, caseA)).toMatchObject({ action: 'ERASE', returnToController: a });
  }, 120_000);
});

describe('R6: one source, two controllers of the same person', () => {
  it("R6: A's RETURN_AND_ERASE binds A's case only; B's waits for B, and A's package holds A's case alone", async () => {
    const { req: start, a, b, caseA, caseB } = await twoControllers(0);
    expect(decisionOf(start, caseA).needsController).toBe(true);
    expect(decisionOf(start, caseB).needsController).toBe(true);

    // Without naming the controller, an instruction cannot say whose records it binds.
    expect((await op(INSTRUCT, { id: start.id, input: { sourceId: 'case_management', decision: 'PROCEED' } })).code).toBe('CONTROLLER_REQUIRED');

    const afterA = await instruct(start.id, { sourceId: 'case_management', controllerId: a, decision: 'RETURN_AND_ERASE', reference: 'A letter' });
    expect(decisionOf(afterA, caseA)).toMatchObject({ action: 'ERASE', returnToController: a, needsController: false });
    // B's case is not settled by A's word: it still waits for B.
    expect(decisionOf(afterA, caseB)).toMatchObject({ action: 'RETAIN', needsController: true, returnToController: null });
    expect(afterA.status).toBe('AWAITING_CONTROLLER');
    expect(afterA.controllerInstructions.filter((i) => i.sourceId === 'case_management')).toEqual([
      { sourceId: 'case_management', controllerId: a, decision: 'RETURN_AND_ERASE' },
    ]);
    expect((await op(EXECUTE, { id: start.id })).code).toBe('CONTROLLER_INSTRUCTION_REQUIRED');

    const afterB = await instruct(start.id, { sourceId: 'case_management', controllerId: b, decision: 'PROCEED' });
    expect(decisionOf(afterB, caseB).needsController).toBe(false);
    expect(decisionOf(afterB, caseB).returnToController).toBeNull();
    expect(decisionOf(afterB, caseA)).toMatchObject({ action: 'ERASE', returnToController: a });

    const executed = (await must<{ executeRequest: Req }>(EXECUTE, { id: start.id })).executeRequest;
    expect(executed.returnedPackages.map((p) => p.controllerId)).toEqual([a]);
    const url = executed.returnedPackages[0]!.downloadUrl!;
    // The person's package field is not a controller's: an erasure has none of the person's.
    expect(executed.accessPackage).toBeNull();
    const text = await archiveText(url);
    expect(text).toContain(caseA);
    // B's case is not disclosed to A.
    expect(text).not.toContain(caseB);
  }, 180_000);

  it('R6: when A and B both take their records back, each gets its own package with its own case only', async () => {
    const { req: start, a, b, caseA, caseB } = await twoControllers(1);
    await instruct(start.id, { sourceId: 'case_management', controllerId: a, decision: 'RETURN_AND_ERASE' });
    const both = await instruct(start.id, { sourceId: 'case_management', controllerId: b, decision: 'RETURN_AND_ERASE' });
    expect(decisionOf(both, caseA).returnToController).toBe(a);
    expect(decisionOf(both, caseB).returnToController).toBe(b);

    const executed = (await must<{ executeRequest: Req }>(EXECUTE, { id: start.id })).executeRequest;
    const byController = new Map(executed.returnedPackages.map((p) => [p.controllerId, p.downloadUrl!]));
    expect([...byController.keys()].sort()).toEqual([a, b].sort());
    // Neither controller's package shows as the person's, whichever was built last.
    expect(executed.accessPackage).toBeNull();
    const ofA = await archiveText(byController.get(a)!);
    const ofB = await archiveText(byController.get(b)!);
    expect(ofA).toContain(caseA);
    expect(ofA).not.toContain(caseB);
    expect(ofB).toContain(caseB);
    expect(ofB).not.toContain(caseA);
  }, 180_000);

  it("R6: A's REFUSE keeps A's case, and B's PROCEED lets B's case be erased: the task does not take A's refusal for B's", async () => {
    const { req: start, a, b, caseA, caseB } = await twoControllers(2);
    await instruct(start.id, { sourceId: 'case_management', controllerId: a, decision: 'REFUSE', reference: 'A declines' });
    const both = await instruct(start.id, { sourceId: 'case_management', controllerId: b, decision: 'PROCEED' });
    expect(decisionOf(both, caseA)).toMatchObject({ action: 'RETAIN', needsController: false });
    expect(['ERASE', 'ANONYMISE']).toContain(decisionOf(both, caseB).action);

    await must(EXECUTE, { id: start.id });
    const [task] = await eventually(
      () =>
        env.query<{ status: string; last_error: string | null }>(`SELECT status, last_error FROM task WHERE request_id = $1 AND record_id = $2`, [
          start.id,
          caseB,
        ]),
      ([t]) => t !== undefined && ['SUCCEEDED', 'FAILED'].includes(t.status),
    );
    expect(task).toMatchObject({ status: 'SUCCEEDED', last_error: null });
    expect(await env.query(`SELECT 1 FROM case_management.cases WHERE id = $1`, [caseA])).toHaveLength(1);
    expect(await env.query(`SELECT 1 FROM case_management.cases WHERE id = $1 AND given_name IS NOT NULL`, [caseB])).toHaveLength(0);
  }, 180_000);
});
