// R11 from the outside: once an erasure submitted, verified, reviewed and executed over
// GraphQL has completed, no table of the gateway's own schema, and no line the gateway
// logged, holds a clear value the person gave or their erased records held.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logging/logger.js';
import { normaliseIdentifier } from '../../../src/identity/index.js';
import { bearer } from '../../support/runtime.js';
import { eventually } from '../../support/eventually.js';
import { identifiersOf, personOfRecord, settleReviewAndControllers, startSeededGateway, type SeededGateway } from './support.js';

let env: SeededGateway;
let handler: Record<string, string>;
const logLines: string[] = [];

interface Req {
  id: string;
  status: string;
  records: { sourceId: string; recordId: string; reviewState: string }[];
  decisions: { sourceId: string; recordId: string; action: string; needsController: boolean }[];
}
const FIELDS = 'id status records { sourceId recordId reviewState } decisions { sourceId recordId action needsController }';

async function mutate(call: string, args: string, variables: Record<string, unknown>): Promise<Req> {
  const name = call.slice(0, call.indexOf('('));
  const reply = await env.gw.graphql<Record<string, Req>>(`mutation(${args}) { ${call} { ${FIELDS} } }`, variables, handler);
  if (!reply.body.data?.[name]) throw new Error(`${name} failed: ${JSON.stringify(reply.body.errors)}`);
  return reply.body.data[name]!;
}

/** Every row of every table of the gateway's own schema, as lower-case text. */
async function gatewayTables(): Promise<string> {
  const tables = await env.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const chunks: string[] = [];
  for (const { table_name } of tables) {
    for (const r of await env.query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM public."${table_name}" t`)) chunks.push(`${table_name}: ${r.j}`);
  }
  return chunks.join('\n').toLowerCase();
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  env = await startSeededGateway({}, { logger: createLogger('debug', sink) });
  handler = await bearer(env.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('R11: what stays of a completed erasure', () => {
  it('R11: after an erasure completes, no gateway table and no log line holds the person’s identifiers or their erased records’ values', async () => {
    // A person known to case management only (group-controlled cases, nothing kept by law).
    const cases = await env.query<{ id: string }>(`SELECT id FROM case_management.cases WHERE controller_id IS NULL AND anonymised_at IS NULL ORDER BY id`);
    const personId = cases
      .map((c) => personOfRecord(env.truth, `case_management/${c.id}`))
      .find((p) => p && (env.truth.get(p) ?? []).every((r) => r.startsWith('case_management/')))!;
    const ids = identifiersOf(personId);
    const caseIds = env.truth.get(personId)!.map((r) => r.split('/')[1]!);
    const held = await env.query<Record<string, unknown>>(
      `SELECT c.street, c.postcode, c.medical_referral, n.body FROM case_management.cases c LEFT JOIN case_management.case_notes n ON n.case_id = c.id WHERE c.id = ANY($1)`,
      [caseIds],
    );

    const submitted = await mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', {
      input: { type: 'ERASURE', identifiers: ids, channel: 'email', scope: 'please erase my assistance case' },
    });
    let req = await mutate('verifyIdentity(requestId: $id, input: $input)', '$id: ID!, $input: IdentityVerificationInput!', {
      id: submitted.id,
      input: { method: 'passport seen on video call' },
    });
    req = await settleReviewAndControllers(
      (call, args, variables) => mutate(call, args, variables),
      req,
      (r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === personId,
    );
    expect(req.decisions.filter((d) => d.sourceId === 'case_management').map((d) => d.action)).toContain('ERASE');
    await mutate('executeRequest(requestId: $id)', '$id: ID!', { id: req.id });
    await eventually(
      () =>
        env.query<{ status: string; identifiers_destroyed_at: Date | null }>(
          `SELECT status, identifiers_destroyed_at FROM data_subject_request WHERE id = $1`,
          [req.id],
        ),
      ([row]) => row?.status === 'COMPLETED' && row.identifiers_destroyed_at !== null,
      { timeoutMs: 60_000 },
    );

    const clear = new Set<string>();
    for (const id of ids) {
      clear.add(id.value.toLowerCase());
      clear.add(normaliseIdentifier(id).value.toLowerCase());
    }
    for (const row of held) for (const v of Object.values(row)) if (typeof v === 'string' && v.length >= 6) clear.add(v.toLowerCase());
    clear.add('please erase my assistance case');
    const tables = await gatewayTables();
    const logs = logLines.join('').toLowerCase();
    const inTables = [...clear].filter((v) => tables.includes(v));
    const inLogs = [...clear].filter((v) => logs.includes(v));
    expect({ inTables, inLogs }).toEqual({ inTables: [], inLogs: [] });
    // The record of the erasure itself is there.
    expect(tables).toContain(req.id);
  }, 180_000);
});
