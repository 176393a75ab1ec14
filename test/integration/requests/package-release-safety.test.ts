// What leaves the gateway in a person's access package, read from the archive the person
// downloads (over GraphQL and the download route, real sources): it says what it could
// not cover, and holds nothing of another person.
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../support/runtime.js';
import { eventually } from '../../support/eventually.js';
import { downloadPackage } from '../../support/access-package-download.js';
import { identifiersOf, moveCaseToAnotherMember, personOfRecord, startSeededGateway, type SeededGateway } from './support.js';

let env: SeededGateway;
let handler: Record<string, string>;

const FIELDS = `
  id status
  records { sourceId recordId reviewState relationship }
  decisions { sourceId recordId action needsController }
  sourceOutcomes { sourceId status }
  accessPackage { downloadUrl }
  response { complete notSearched { sourceId } }
`;

interface Req {
  id: string;
  status: string;
  records: { sourceId: string; recordId: string; reviewState: string; relationship: string }[];
  decisions: { sourceId: string; recordId: string; action: string; needsController: boolean }[];
  sourceOutcomes: { sourceId: string; status: string }[];
  accessPackage: { downloadUrl: string | null } | null;
  response: { complete: boolean; notSearched: { sourceId: string }[] } | null;
}

async function mutate(call: string, args: string, variables: Record<string, unknown>): Promise<Req> {
  const reply = await env.gw.graphql<Record<string, Req>>(`mutation(${args}) { ${call} { ${FIELDS} } }`, variables, handler);
  const name = call.slice(0, call.indexOf('('));
  const got = reply.body.data?.[name];
  if (!got) throw new Error(`${name} failed: ${JSON.stringify(reply.body.errors?.[0])}`);
  return got;
}

interface Ask {
  type?: 'ACCESS' | 'RESTRICTION' | 'ERASURE';
  /** Given instead of the person's own date of birth. */
  dateOfBirth?: string;
  dateOfBirthVerified?: boolean;
}

/** Submitted and verified (an ACCESS request unless asked otherwise). */
async function verifiedAccess(personId: string, ask: Ask = {}): Promise<Req> {
  const identifiers = identifiersOf(personId).map((i) => (i.type === 'DATE_OF_BIRTH' && ask.dateOfBirth ? { ...i, value: ask.dateOfBirth } : i));
  const { id } = await mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', {
    input: { type: ask.type ?? 'ACCESS', identifiers, channel: 'email' },
  });
  return mutate('verifyIdentity(requestId: $id, input: $input)', '$id: ID!, $input: IdentityVerificationInput!', {
    id,
    input: { method: 'passport seen on video call', ...(ask.dateOfBirthVerified ? { dateOfBirthVerified: true } : {}) },
  });
}

async function settle(req: Req, personId: string, decision = 'PROCEED'): Promise<Req> {
  let current = req;
  const pending = current.records.filter((r) => r.reviewState === 'PENDING');
  const mine = pending.filter((r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === personId);
  for (const [call, list] of [
    ['confirmMatches', mine],
    ['rejectMatches', pending.filter((r) => !mine.includes(r))],
  ] as const) {
    if (!list.length) continue;
    const records = list.map(({ sourceId, recordId }) => ({ sourceId, recordId }));
    current = await mutate(`${call}(requestId: $id, records: $records)`, '$id: ID!, $records: [RecordRefInput!]!', { id: current.id, records });
  }
  for (const sourceId of new Set(current.decisions.filter((d) => d.needsController).map((d) => d.sourceId))) {
    current = await mutate('recordControllerInstruction(requestId: $id, input: $input)', '$id: ID!, $input: ControllerInstructionInput!', {
      id: current.id,
      input: { sourceId, decision, reference: 'letter 12' },
    });
  }
  return current;
}

async function downloadFiles(url: string): Promise<Record<string, string>> {
  const got = await downloadPackage(env.gw.url, url);
  expect(got.status).toBe(200);
  return Object.fromEntries(Object.entries(unzipSync(got.bytes!)).map(([p, b]) => [p, strFromU8(b)]));
}

/** A person with a case-management case: they have records to release whatever else fails. */
async function personWithCase(offset: number): Promise<string> {
  const rows = await env.query<{ id: string }>(`SELECT id FROM case_management.cases WHERE anonymised_at IS NULL ORDER BY id DESC LIMIT 20`);
  const people = [...new Set(rows.map((r) => personOfRecord(env.truth, `case_management/${r.id}`)).filter((p): p is string => Boolean(p)))];
  const person = people[offset];
  if (!person) throw new Error('no person with a case');
  return person;
}

beforeAll(async () => {
  env = await startSeededGateway();
  handler = await bearer(env.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
}, 240_000);

afterAll(async () => {
  await env?.query(`ALTER TABLE IF EXISTS concierge.record_key_away RENAME TO record_key`);
  await env?.stop();
});

describe('R1: a package built without a source says so in the archive itself', () => {
  it('R1: after proceedWithoutSources the downloaded summary and manifest name the unsearched source and never read as complete', async () => {
    const personId = await personWithCase(0);
    await env.query(`ALTER TABLE concierge.record_key RENAME TO record_key_away`);
    let req: Req;
    try {
      req = await verifiedAccess(personId);
    } finally {
      await env.query(`ALTER TABLE IF EXISTS concierge.record_key_away RENAME TO record_key`);
    }
    expect(req.sourceOutcomes.find((s) => s.sourceId === 'concierge')?.status).not.toBe('ANSWERED');
    req = await settle(req, personId);
    await mutate('proceedWithoutSources(requestId: $id, reason: $reason)', '$id: ID!, $reason: String!', {
      id: req.id,
      reason: 'the concierge system is being replaced',
    });
    const done = await mutate('executeRequest(requestId: $id)', '$id: ID!', { id: req.id });
    expect(done.status).toBe('PARTIALLY_COMPLETED');
    expect(done.response).toMatchObject({ complete: false, notSearched: [{ sourceId: 'concierge' }] });

    const files = await downloadFiles(done.accessPackage!.downloadUrl!);
    const summary = files['summary.txt']!;
    // The person reads the archive, maybe long after the letter: it must not look complete.
    expect(summary).toMatch(/Concierge[^\n]*could not be searched/i);
    expect(summary).toMatch(/not included in this copy/i);
    const manifest = JSON.parse(files['manifest.json']!) as { complete?: boolean; notSearched?: { sourceId: string; sourceName: string }[] };
    expect(manifest.complete).toBe(false);
    expect(manifest.notSearched).toEqual([expect.objectContaining({ sourceId: 'concierge' })]);
  }, 120_000);

  it('R1: a package of a request whose every source answered says it is complete', async () => {
    const personId = await personWithCase(1);
    const req = await settle(await verifiedAccess(personId), personId);
    const done = await mutate('executeRequest(requestId: $id)', '$id: ID!', { id: req.id });
    expect(done.status).toBe('COMPLETED');
    const files = await downloadFiles(done.accessPackage!.downloadUrl!);
    expect(files['summary.txt']).not.toMatch(/could not be searched/i);
    const manifest = JSON.parse(files['manifest.json']!) as { complete?: boolean; notSearched?: unknown[] };
    expect(manifest.complete).toBe(true);
    expect(manifest.notSearched).toEqual([]);
  }, 120_000);
});

describe('R10, R16: a copy does not outlive the deletion of a child’s data by any request', () => {
  it('R16: an access package built before a child’s restriction erased their online records is destroyed; its link and renewal are refused', async () => {
    const rows = await env.query<{ id: string }>(`SELECT id FROM training.learners ORDER BY id DESC LIMIT 20`);
    const personId = rows.map((r) => personOfRecord(env.truth, `training/${r.id}`)).find((p): p is string => Boolean(p))!;
    const learnerId = rows.find((r) => personOfRecord(env.truth, `training/${r.id}`) === personId)!.id;
    // The first request gave no verified date of birth: nothing was erased, the training record released.
    const access = await mutate('executeRequest(requestId: $id)', '$id: ID!', { id: (await settle(await verifiedAccess(personId), personId)).id });
    expect(access.status).toBe('COMPLETED');
    expect(access.decisions.find((d) => d.sourceId === 'training' && d.recordId === learnerId)?.action).toBe('RELEASE');
    const unused = access.accessPackage!.downloadUrl!;

    // Then the person, 15 by the date of birth verified with their identity, asks for a restriction (R16: erased at once).
    const born = new Date(Date.now() - 15.5 * 365.25 * 86_400_000).toISOString().slice(0, 10);
    const restriction = await settle(await verifiedAccess(personId, { type: 'RESTRICTION', dateOfBirth: born, dateOfBirthVerified: true }), personId);
    expect(restriction.decisions.find((d) => d.sourceId === 'training' && d.recordId === learnerId)?.action).toBe('ERASE');
    await mutate('executeRequest(requestId: $id)', '$id: ID!', { id: restriction.id });
    const [closed] = await eventually(
      () => env.query<{ status: string }>(`SELECT status FROM data_subject_request WHERE id = $1`, [restriction.id]),
      ([r]) => ['COMPLETED', 'PARTIALLY_COMPLETED'].includes(r!.status),
      { timeoutMs: 60_000 },
    );
    expect(closed!.status).toBe('COMPLETED');
    expect(await env.query(`SELECT 1 FROM training.learners WHERE id = $1`, [learnerId])).toHaveLength(0);

    // The old copy holds the erased training record: it is no longer handed out (R10).
    expect(await downloadPackage(env.gw.url, unused)).toMatchObject({ status: 410, code: 'PACKAGE_DESTROYED' });
    const renewed = await env.gw.graphql(`mutation($id: ID!) { renewAccessPackageLink(requestId: $id) { id } }`, { id: access.id }, handler);
    expect(renewed.body.errors?.[0]?.extensions?.code).toBe('PACKAGE_DESTROYED');
    const [row] = await env.query<{ archive_sealed: string | null; destroyed_reason: string | null }>(
      `SELECT archive_sealed, destroyed_reason FROM access_package WHERE request_id = $1`,
      [access.id],
    );
    expect(row).toEqual({ archive_sealed: null, destroyed_reason: 'ERASURE_COMPLETED' });
  }, 150_000);
});

describe('R13, R16: a record the source gave to another person since discovery is not released', () => {
  it('R16: a case whose identifiers the source changed to another person’s after verification is withheld from the package and kept, not sent to the requester', async () => {
    const personId = await personWithCase(2);
    const req = await settle(await verifiedAccess(personId), personId);
    const caseId = req.records.find((r) => r.sourceId === 'case_management' && r.relationship === 'SUBJECT' && r.reviewState !== 'REJECTED')!.recordId;
    // The source's team found the case was opened on the wrong member and moved it to the right one.
    const other = await moveCaseToAnotherMember(env, caseId, personId);

    const done = await mutate('executeRequest(requestId: $id)', '$id: ID!', { id: req.id });
    expect(done.status).toBe('COMPLETED');
    const kept = done.decisions.find((d) => d.sourceId === 'case_management' && d.recordId === caseId)!;
    expect(kept.action).toBe('RETAIN');
    const files = await downloadFiles(done.accessPackage!.downloadUrl!);
    const json = Object.entries(files).find(([p]) => p.includes('case-management') && p.endsWith('.json'))![1];
    const cases = JSON.parse(json) as { records: { recordId: string }[]; withheld: { recordId: string; reason: string }[] };
    expect(cases.records.map((r) => r.recordId)).not.toContain(caseId);
    expect(cases.withheld.find((w) => w.recordId === caseId)?.reason).toMatch(/no longer/i);
    // Nothing of the other member is in the archive.
    for (const text of Object.values(files)) expect(text.toLowerCase()).not.toContain(other.email.toLowerCase());
  }, 150_000);
});

describe('R6: a package returned to a controller holds only what that controller still controls', () => {
  it('R6: an assessment the source moved to another employer after the instruction is exported to no employer: kept (RETAIN), held for another controller', async () => {
    const rows = await env.query<{ id: string; controller_id: string }>(
      `SELECT id, controller_id FROM clinic.occupational_assessments WHERE controller_id IS NOT NULL ORDER BY id DESC LIMIT 30`,
    );
    const pick = rows.find((r) => personOfRecord(env.truth, `clinic/${r.id}`))!;
    const personId = personOfRecord(env.truth, `clinic/${pick.id}`)!;
    const req = await settle(await verifiedAccess(personId, { type: 'ERASURE' }), personId, 'RETURN_AND_ERASE');
    const returning = req.decisions.filter((d) => d.sourceId === 'clinic' && d.action === 'ERASE').map((d) => d.recordId);
    expect(returning).toContain(pick.id);
    // The contract with the employer ended; the assessment was transferred to the new occupational-health client.
    await env.query(`UPDATE clinic.occupational_assessments SET controller_id = $2 WHERE id = $1`, [pick.id, `${pick.controller_id}-successor`]);

    const executed = await env.gw.graphql<{
      executeRequest: {
        returnedPackages: { controllerId: string; downloadUrl: string | null }[];
        decisions: { sourceId: string; recordId: string; action: string; reason: string }[];
      };
    }>(
      `mutation($id: ID!) { executeRequest(requestId: $id) { returnedPackages { controllerId downloadUrl } decisions { sourceId recordId action reason } } }`,
      { id: req.id },
      handler,
    );
    expect(executed.body.errors).toBeUndefined();
    // The search again before the export finds it held for another controller: kept, neither returned nor erased.
    const kept = executed.body.data!.executeRequest.decisions.find((d) => d.sourceId === 'clinic' && d.recordId === pick.id);
    expect(kept).toMatchObject({ action: 'RETAIN', reason: expect.stringMatching(/another controller/) });
    const packages = executed.body.data!.executeRequest.returnedPackages;
    for (const p of packages) {
      const files = await downloadFiles(p.downloadUrl!);
      const json = Object.entries(files).find(([path]) => path.includes('clinic') && path.endsWith('.json'))!;
      const clinic = JSON.parse(json[1]) as { records: { recordId: string }[]; withheld: { recordId: string; reason: string }[] };
      // The successor gave no instruction: its assessment goes to no other employer.
      expect(
        clinic.records.map((r) => r.recordId),
        p.controllerId,
      ).not.toContain(pick.id);
    }
  }, 150_000);
});
