// What an erasure, restriction or correction destroys, checked from outside (GraphQL, the
// worker, real sources): only records the sources still tie to the person, and only for a
// controller that instructed it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paramsDigest } from '../../../src/audit/chain.js';
import { QueueNames } from '../../../jobs/queue-names.js';
import { bearer } from '../../support/runtime.js';
import { eventually } from '../../support/eventually.js';
import { identifiersOf, moveCaseToAnotherMember, personOfRecord, startSeededGateway, type SeededGateway } from './support.js';

let env: SeededGateway;
let handler: Record<string, string>;

const ITEM = 'recordId action state reason';
const FIELDS = `
  id type status
  records { sourceId recordId reviewState relationship }
  decisions { sourceId recordId action reason needsController }
  tasks { sourceId recordId action status lastError }
  response { complete letter sources { sourceId erased { ${ITEM} } corrected { ${ITEM} } retained { ${ITEM} } notDone { ${ITEM} } } }
`;

type Item = { recordId: string; action: string; state: string; reason: string | null };
interface Req {
  id: string;
  type: string;
  status: string;
  records: { sourceId: string; recordId: string; reviewState: string; relationship: string }[];
  decisions: { sourceId: string; recordId: string; action: string; reason: string; needsController: boolean }[];
  tasks: { sourceId: string; recordId: string; action: string; status: string; lastError: string | null }[];
  response: {
    complete: boolean;
    letter: string;
    sources: { sourceId: string; erased: Item[]; corrected: Item[]; retained: Item[]; notDone: Item[] }[];
  } | null;
}

async function call(name: string, args: string, variables: Record<string, unknown>): Promise<{ req?: Req; code?: string }> {
  const reply = await env.gw.graphql<Record<string, Req>>(`mutation(${args}) { ${name} { ${FIELDS} } }`, variables, handler);
  return { req: reply.body.data?.[name.slice(0, name.indexOf('('))] ?? undefined, code: reply.body.errors?.[0]?.extensions?.code as string | undefined };
}

async function mutate(name: string, args: string, variables: Record<string, unknown>): Promise<Req> {
  const { req, code } = await call(name, args, variables);
  if (!req) throw new Error(`${name} failed: ${code}`);
  return req;
}

const execute = (id: string) => call('executeRequest(requestId: $id)', '$id: ID!', { id });
const retry = (id: string) => call('retryFailedTasks(requestId: $id)', '$id: ID!', { id });

/** The case-management store cannot be searched nor changed while its key table has another name. */
const breakCases = () => env.query(`ALTER TABLE case_management.record_key RENAME TO record_key_away`);
const mendCases = () => env.query(`ALTER TABLE IF EXISTS case_management.record_key_away RENAME TO record_key`);

/** Runs `work` (executeRequest) while the case-management tasks wait in their queue, then `meanwhile` before they run. */
async function beforeCaseTasksRun<T>(work: () => Promise<T>, meanwhile: () => Promise<unknown>): Promise<T> {
  const queue = env.gw.runtime.services.execution.queue(QueueNames.sourceTasks('case_management'));
  await queue.pause();
  try {
    const result = await work();
    await meanwhile();
    return result;
  } finally {
    await queue.resume();
  }
}

async function load(id: string): Promise<Req> {
  const reply = await env.gw.graphql<{ request: Req }>(`query($id: ID!) { request(id: $id) { ${FIELDS} } }`, { id }, handler);
  return reply.body.data!.request;
}

async function untilClosed(id: string): Promise<Req> {
  const closed = (r: Req) => ['COMPLETED', 'PARTIALLY_COMPLETED'].includes(r.status);
  const req = await eventually(() => load(id), closed, { timeoutMs: 90_000, everyMs: 250 });
  if (!closed(req)) throw new Error(`request ${id} was not closed by the worker`);
  return req;
}

/** Submitted, verified, matches settled as the ground truth says, every controller answering `instruct`. */
async function ready(personId: string, type: string, extra: Record<string, unknown> = {}, instruct = 'PROCEED'): Promise<Req> {
  const { id } = await mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', {
    input: { type, identifiers: identifiersOf(personId), channel: 'email', ...extra },
  });
  let req = await mutate('verifyIdentity(requestId: $id, input: $input)', '$id: ID!, $input: IdentityVerificationInput!', {
    id,
    input: { method: 'passport seen on video call' },
  });
  const pending = req.records.filter((r) => r.reviewState === 'PENDING');
  const mine = pending.filter((r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === personId);
  for (const [name, list] of [
    ['confirmMatches', mine],
    ['rejectMatches', pending.filter((r) => !mine.includes(r))],
  ] as const) {
    if (!list.length) continue;
    const records = list.map(({ sourceId, recordId }) => ({ sourceId, recordId }));
    req = await mutate(`${name}(requestId: $id, records: $records)`, '$id: ID!, $records: [RecordRefInput!]!', { id, records });
  }
  for (const sourceId of new Set(req.decisions.filter((d) => d.needsController).map((d) => d.sourceId))) {
    req = await mutate('recordControllerInstruction(requestId: $id, input: $input)', '$id: ID!, $input: ControllerInstructionInput!', {
      id,
      input: { sourceId, decision: instruct, reference: 'letter 12' },
    });
  }
  return req;
}

/** People with a case-management case of their own (no controller): each test takes another. */
async function peopleWithCase(): Promise<string[]> {
  const rows = await env.query<{ id: string }>(
    `SELECT id FROM case_management.cases WHERE anonymised_at IS NULL AND controller_id IS NULL AND email IS NOT NULL ORDER BY id DESC LIMIT 40`,
  );
  return [...new Set(rows.map((r) => personOfRecord(env.truth, `case_management/${r.id}`)).filter((p): p is string => Boolean(p)))];
}

const caseOf = (req: Req) =>
  req.records.find((r) => r.sourceId === 'case_management' && r.relationship === 'SUBJECT' && r.reviewState !== 'REJECTED')!.recordId;
const decisionOf = (req: Req, sourceId: string, recordId: string) => req.decisions.find((d) => d.sourceId === sourceId && d.recordId === recordId)!;
/** The approval's audit entry counts the records the search again withheld (its params are kept as a keyed digest). */
async function auditedWithheld(req: Req, counted: Record<string, number> = { withheldNoLongerFound: 1 }): Promise<boolean> {
  return audited(req.id, 'request.execute', { type: req.type, decisions: req.decisions.length, ...counted });
}

async function audited(requestId: string, action: string, params: Record<string, unknown>): Promise<boolean> {
  const rows = await env.query<{ params_digest: string }>(`SELECT params_digest FROM audit_log WHERE action = $1 AND target_id = $2`, [action, requestId]);
  return rows.some((r) => r.params_digest === paramsDigest(params, env.gw.runtime.services.keyrings.tombstone));
}

let people: string[] = [];

beforeAll(async () => {
  // A source error fails a task after two attempts (the retry tests).
  env = await startSeededGateway({ TASK_ATTEMPTS: '2', TASK_BACKOFF_MS: '50' });
  handler = await bearer(env.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
  people = await peopleWithCase();
}, 240_000);

afterAll(async () => {
  if (env) await mendCases();
  await env?.stop();
});

describe('R13, R16: a record the source gave to another person since verification is not destroyed', () => {
  it('R13: an erasure leaves alone a case the source moved to another member after verification: kept (RETAIN, the reason), audited, and the letter says so', async () => {
    const personId = people[0]!;
    const req = await ready(personId, 'ERASURE');
    const caseId = caseOf(req);
    expect(['ERASE', 'ANONYMISE', 'MINIMISE', 'PURGE']).toContain(decisionOf(req, 'case_management', caseId).action);
    const other = await moveCaseToAnotherMember(env, caseId, personId);

    const started = await execute(req.id);
    expect(started.code).toBeUndefined();
    const done = await untilClosed(req.id);
    // The other member's case is as the source holds it: nothing erased or anonymised.
    const [row] = await env.query<{ email: string; anonymised_at: Date | null }>(`SELECT email, anonymised_at FROM case_management.cases WHERE id = $1`, [
      caseId,
    ]);
    expect(row).toEqual({ email: other.email, anonymised_at: null });
    expect(done.tasks.filter((t) => t.recordId === caseId && t.sourceId === 'case_management')).toEqual([]);
    const kept = decisionOf(done, 'case_management', caseId);
    expect(kept).toMatchObject({ action: 'RETAIN', reason: expect.stringMatching(/no longer/i) });
    const cases = done.response!.sources.find((s) => s.sourceId === 'case_management')!;
    expect(cases.erased.map((i) => i.recordId)).not.toContain(caseId);
    expect(cases.retained.find((i) => i.recordId === caseId)?.reason).toMatch(/no longer/i);
    expect(await auditedWithheld(done)).toBe(true);
  }, 180_000);

  it('R14: a correction is not written onto a case the source moved to another member after verification', async () => {
    const personId = people[1]!;
    const req = await ready(personId, 'RECTIFICATION', {
      corrections: [{ field: 'street', value: '1 Corrected Street', reason: 'moved house' }],
    });
    const caseId = caseOf(req);
    expect(decisionOf(req, 'case_management', caseId).action).toBe('CORRECT');
    await mutate('recordInaccuracyFinding(requestId: $id, input: $input)', '$id: ID!, $input: InaccuracyFindingInput!', {
      id: req.id,
      input: { inaccurate: true, reason: 'tenancy agreement seen' },
    });
    const other = await moveCaseToAnotherMember(env, caseId, personId);
    const [before] = await env.query<{ street: string }>(`SELECT street FROM case_management.cases WHERE id = $1`, [caseId]);

    expect((await execute(req.id)).code).toBeUndefined();
    const done = await untilClosed(req.id);
    const [row] = await env.query<{ street: string; email: string }>(`SELECT street, email FROM case_management.cases WHERE id = $1`, [caseId]);
    expect(row).toEqual({ street: before!.street, email: other.email });
    expect(decisionOf(done, 'case_management', caseId)).toMatchObject({ action: 'RETAIN', reason: expect.stringMatching(/no longer/i) });
    const cases = done.response!.sources.find((s) => s.sourceId === 'case_management')!;
    expect(cases.corrected.map((i) => i.recordId)).not.toContain(caseId);
    expect(cases.retained.find((i) => i.recordId === caseId)?.reason).toMatch(/no longer/i);
    expect(await auditedWithheld(done)).toBe(true);
  }, 180_000);

  it('R1: a source that cannot be searched again before the erasure: SOURCE_UNAVAILABLE, nothing queued, the request as it was', async () => {
    const personId = people[2]!;
    const req = await ready(personId, 'ERASURE');
    await env.query(`ALTER TABLE case_management.record_key RENAME TO record_key_away`);
    let refused: { code?: string };
    try {
      refused = await execute(req.id);
    } finally {
      await env.query(`ALTER TABLE IF EXISTS case_management.record_key_away RENAME TO record_key`);
    }
    expect(refused.code).toBe('SOURCE_UNAVAILABLE');
    const after = await load(req.id);
    expect(after.status).toBe(req.status);
    expect(after.tasks).toEqual([]);
  }, 120_000);

  it('R13: a retry leaves alone a case the source moved to another member after its erasure failed: not run again, kept (RETAIN, the reason), audited, and the letter says so; a source that cannot be searched again stops the retry', async () => {
    const personId = people[3]!;
    const req = await ready(personId, 'ERASURE');
    const caseId = caseOf(req);
    expect(['ERASE', 'ANONYMISE', 'MINIMISE', 'PURGE']).toContain(decisionOf(req, 'case_management', caseId).action);
    // The source fails while the erasure's tasks run: the case's task fails, the request closes partially.
    let first: Req;
    try {
      expect((await beforeCaseTasksRun(() => execute(req.id), breakCases)).code).toBeUndefined();
      first = await untilClosed(req.id);
      expect(first.status).toBe('PARTIALLY_COMPLETED');
      expect(first.tasks.find((t) => t.sourceId === 'case_management' && t.recordId === caseId)?.status).toBe('FAILED');

      // Still down: the person cannot be searched again, so nothing is queued again.
      expect((await retry(req.id)).code).toBe('SOURCE_UNAVAILABLE');
      const refused = await load(req.id);
      expect(refused.status).toBe('PARTIALLY_COMPLETED');
      expect(refused.tasks).toEqual(first.tasks);
    } finally {
      await mendCases();
    }
    const [failed] = await env.query<{ attempts: number }>(
      `SELECT attempts FROM task WHERE request_id = $1 AND source_id = 'case_management' AND record_id = $2`,
      [req.id, caseId],
    );
    // Back, but the case was found to be another member's meanwhile.
    const other = await moveCaseToAnotherMember(env, caseId, personId);

    expect((await retry(req.id)).code).toBeUndefined();
    const done = await untilClosed(req.id);
    const [row] = await env.query<{ email: string; anonymised_at: Date | null }>(`SELECT email, anonymised_at FROM case_management.cases WHERE id = $1`, [
      caseId,
    ]);
    expect(row).toEqual({ email: other.email, anonymised_at: null });
    const [task] = await env.query<{ attempts: number; status: string }>(
      `SELECT attempts, status FROM task WHERE request_id = $1 AND source_id = 'case_management' AND record_id = $2`,
      [req.id, caseId],
    );
    expect(task).toEqual({ attempts: failed!.attempts, status: 'FAILED' });
    expect(decisionOf(done, 'case_management', caseId)).toMatchObject({ action: 'RETAIN', reason: expect.stringMatching(/^Not erased: .*no longer/) });
    const cases = done.response!.sources.find((s) => s.sourceId === 'case_management')!;
    expect(cases.retained.find((i) => i.recordId === caseId)?.reason).toMatch(/no longer/i);
    expect([...cases.erased, ...cases.notDone].map((i) => i.recordId)).not.toContain(caseId);
    expect(done.response!.letter).toMatch(new RegExp(`${caseId}: kept.*no longer holds this record`));
    // The withheld task is no failure of the answer: the rest was done and verified.
    expect(done.status).toBe('COMPLETED');
    expect(await audited(req.id, 'request.retry-failed-tasks', { withheldNoLongerFound: 1 })).toBe(true);
  }, 240_000);
});

describe('R6: an erasure on a controller’s instruction runs only on records that controller still controls', () => {
  it('R6: a case the source moved to another employer after RETURN_AND_ERASE is not erased; the task fails with the reason, audited, and the answer says not done', async () => {
    const rows = await env.query<{ id: string; controller_id: string }>(
      `SELECT id, controller_id FROM case_management.cases WHERE controller_id IS NOT NULL AND anonymised_at IS NULL ORDER BY id DESC LIMIT 30`,
    );
    const pick = rows.find((r) => personOfRecord(env.truth, `case_management/${r.id}`))!;
    const personId = personOfRecord(env.truth, `case_management/${pick.id}`)!;
    const req = await ready(personId, 'ERASURE', {}, 'RETURN_AND_ERASE');
    const decided = decisionOf(req, 'case_management', pick.id).action;
    expect(['ERASE', 'ANONYMISE']).toContain(decided);
    // The contract with the employer ended while the erasure waited in the queue; the case was
    // handed over to the employer that took over its staff (before execution, see below).
    const successor = `${pick.controller_id}-successor`;
    const moved = () => env.query(`UPDATE case_management.cases SET controller_id = $2 WHERE id = $1`, [pick.id, successor]);

    expect((await beforeCaseTasksRun(() => execute(req.id), moved)).code).toBeUndefined();
    const done = await untilClosed(req.id);
    const [row] = await env.query<{ controller_id: string; anonymised_at: Date | null }>(
      `SELECT controller_id, anonymised_at FROM case_management.cases WHERE id = $1`,
      [pick.id],
    );
    expect(row).toEqual({ controller_id: successor, anonymised_at: null });
    expect(done.status).toBe('PARTIALLY_COMPLETED');
    const task = done.tasks.find((t) => t.sourceId === 'case_management' && t.recordId === pick.id)!;
    expect(task.status).toBe('FAILED');
    expect(task.lastError).toMatch(/CONTROLLER_CHANGED: .*another controller/);
    const cases = done.response!.sources.find((s) => s.sourceId === 'case_management')!;
    expect(cases.erased.filter((i) => i.state === 'DONE').map((i) => i.recordId)).not.toContain(pick.id);
    expect(cases.notDone.find((i) => i.recordId === pick.id)?.reason).toMatch(/another controller/);
    expect(done.response!.letter).toMatch(/another controller/);
    const params = { requestId: req.id, sourceId: 'case_management', recordId: pick.id, action: task.action, detail: task.lastError };
    const audited = await env.query<{ params_digest: string }>(`SELECT params_digest FROM audit_log WHERE action = 'task.execute' AND outcome = 'FAILED'`);
    expect(audited.map((a) => a.params_digest)).toContain(paramsDigest(params, env.gw.runtime.services.keyrings.tombstone));
  }, 180_000);
});

describe('R6: a record the source moved to another controller after the decision is not acted on, instructed or not', () => {
  it('R6: an erasure with no controller instruction leaves alone a case the source moved to an employer after verification: kept (RETAIN, the reason), no task, audited, and the letter says why', async () => {
    const personId = people[4]!;
    const req = await ready(personId, 'ERASURE');
    const caseId = caseOf(req);
    expect(req.decisions.some((d) => d.needsController)).toBe(false);
    expect(['ERASE', 'ANONYMISE', 'MINIMISE', 'PURGE']).toContain(decisionOf(req, 'case_management', caseId).action);
    // Decided as the group's own case; the source now holds it for an employer that gave no instruction.
    await env.query(`UPDATE case_management.cases SET controller_id = 'employer-taken-over' WHERE id = $1`, [caseId]);

    expect((await execute(req.id)).code).toBeUndefined();
    const done = await untilClosed(req.id);
    const [row] = await env.query<{ controller_id: string; anonymised_at: Date | null }>(
      `SELECT controller_id, anonymised_at FROM case_management.cases WHERE id = $1`,
      [caseId],
    );
    expect(row).toEqual({ controller_id: 'employer-taken-over', anonymised_at: null });
    expect(done.tasks.filter((t) => t.sourceId === 'case_management' && t.recordId === caseId)).toEqual([]);
    expect(decisionOf(done, 'case_management', caseId)).toMatchObject({ action: 'RETAIN', reason: expect.stringMatching(/^Not erased: .*another controller/) });
    const cases = done.response!.sources.find((s) => s.sourceId === 'case_management')!;
    expect(cases.retained.find((i) => i.recordId === caseId)?.reason).toMatch(/another controller, which gave us no instruction/);
    expect(done.response!.letter).toMatch(/another controller, which gave us no instruction/);
    expect(await auditedWithheld(done, { withheldControllerChanged: 1 })).toBe(true);
  }, 180_000);

  it('R6: a retry leaves alone a case the source moved to an employer after its erasure failed: not run again, kept (RETAIN, the reason), audited', async () => {
    const personId = people[5]!;
    const req = await ready(personId, 'ERASURE');
    const caseId = caseOf(req);
    try {
      expect((await beforeCaseTasksRun(() => execute(req.id), breakCases)).code).toBeUndefined();
      expect((await untilClosed(req.id)).status).toBe('PARTIALLY_COMPLETED');
    } finally {
      await mendCases();
    }
    await env.query(`UPDATE case_management.cases SET controller_id = 'employer-after-failure' WHERE id = $1`, [caseId]);

    expect((await retry(req.id)).code).toBeUndefined();
    const done = await untilClosed(req.id);
    const [row] = await env.query<{ controller_id: string; anonymised_at: Date | null }>(
      `SELECT controller_id, anonymised_at FROM case_management.cases WHERE id = $1`,
      [caseId],
    );
    expect(row).toEqual({ controller_id: 'employer-after-failure', anonymised_at: null });
    expect(done.tasks.find((t) => t.sourceId === 'case_management' && t.recordId === caseId)?.status).toBe('FAILED');
    expect(decisionOf(done, 'case_management', caseId)).toMatchObject({ action: 'RETAIN', reason: expect.stringMatching(/^Not erased: .*another controller/) });
    const cases = done.response!.sources.find((s) => s.sourceId === 'case_management')!;
    expect(cases.retained.find((i) => i.recordId === caseId)?.reason).toMatch(/another controller, which gave us no instruction/);
    expect(await audited(req.id, 'request.retry-failed-tasks', { withheldControllerChanged: 1 })).toBe(true);
  }, 240_000);
});
