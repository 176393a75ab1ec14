// Access packages and erased requests after the fact, over GraphQL and the download route:
// a package is destroyed when its own retention runs out or the person's erasure closes
// (R10, R11), it goes only to a principal cleared for the special categories it holds
// (R12), and a completed erasure keeps no sealed identifiers (R11).
import { strFromU8, unzipSync } from 'fflate';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleNames, schedulesProcessor } from '../../../jobs/schedules/schedules.js';
import { bearer } from '../../support/runtime.js';
import { identifiersOf, personOfRecord, startSeededGateway, type SeededGateway } from './support.js';
import { eventually } from '../../support/eventually.js';
import { downloadPackage } from '../../support/access-package-download.js';

let env: SeededGateway;
let plain: Record<string, string>;
let cleared: Record<string, string>;

const DAY = 86_400_000;

const FIELDS = `
  id type status
  records { sourceId recordId reviewState relationship }
  decisions { sourceId recordId action needsController }
  accessPackage {
    downloadUrl expiresAt sha256 retainUntil destroyedAt destroyedReason specialCategories downloadAllowed createdAt
    files { path }
    contents { sourceId sourceKind categories specialCategories recordTypes { recordType released withheld } }
  }
`;

interface Package {
  downloadUrl: string | null;
  expiresAt: string;
  sha256: string;
  retainUntil: string;
  destroyedAt: string | null;
  destroyedReason: string | null;
  specialCategories: string[] | null;
  downloadAllowed: boolean;
  createdAt: string;
  files: { path: string }[];
  contents: {
    sourceId: string;
    sourceKind: string;
    categories: string[];
    specialCategories: string[];
    recordTypes: { recordType: string; released: number }[];
  }[];
}

interface Req {
  id: string;
  type: string;
  status: string;
  records: { sourceId: string; recordId: string; reviewState: string; relationship: string }[];
  decisions: { sourceId: string; recordId: string; action: string; needsController: boolean }[];
  accessPackage: Package | null;
}

interface Reply<T> {
  data?: T;
  code?: string;
  error?: { message: string; extensions?: Record<string, unknown> };
}

async function op<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<Reply<T>> {
  const reply = await env.gw.graphql<T>(query, variables, headers);
  const error = reply.body.errors?.[0];
  return { data: reply.body.data ?? undefined, code: error?.extensions?.code as string | undefined, error };
}

async function mutate(call: string, args: string, variables: Record<string, unknown>, headers = cleared): Promise<Reply<Record<string, Req>>> {
  return op<Record<string, Req>>(`mutation(${args}) { ${call} { ${FIELDS} } }`, variables, headers);
}

function must<T>(reply: Reply<Record<string, T>>, name: string): T {
  if (!reply.data?.[name]) throw new Error(`${name} failed: ${JSON.stringify(reply.error)}`);
  return reply.data[name]!;
}

async function read(id: string, headers = cleared): Promise<Req> {
  const r = await op<{ request: Req }>(`query($id: ID!) { request(id: $id) { ${FIELDS} } }`, { id }, headers);
  return r.data!.request;
}

/** Submit, verify, settle the review on the ground truth, let controllers proceed: ready to execute. */
async function ready(personId: string, type: 'ACCESS' | 'ERASURE', extra: Record<string, unknown> = {}): Promise<Req> {
  const submitted = must(
    await mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', {
      input: { type, identifiers: identifiersOf(personId), channel: 'email', ...extra },
    }),
    'submitRequest',
  );
  let current = must(
    await mutate('verifyIdentity(requestId: $id, input: $input)', '$id: ID!, $input: IdentityVerificationInput!', {
      id: submitted.id,
      input: { method: 'passport seen on video call' },
    }),
    'verifyIdentity',
  );
  const pending = current.records.filter((r) => r.reviewState === 'PENDING');
  const mine = pending.filter((r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === personId);
  const others = pending.filter((r) => !mine.includes(r));
  for (const [call, list] of [
    ['confirmMatches', mine],
    ['rejectMatches', others],
  ] as const) {
    if (!list.length) continue;
    const records = list.map(({ sourceId, recordId }) => ({ sourceId, recordId }));
    current = must(await mutate(`${call}(requestId: $id, records: $records)`, '$id: ID!, $records: [RecordRefInput!]!', { id: current.id, records }), call);
  }
  for (const sourceId of new Set(current.decisions.filter((d) => d.needsController).map((d) => d.sourceId))) {
    current = must(
      await mutate('recordControllerInstruction(requestId: $id, input: $input)', '$id: ID!, $input: ControllerInstructionInput!', {
        id: current.id,
        input: { sourceId, decision: 'PROCEED', reference: 'letter 12' },
      }),
      'recordControllerInstruction',
    );
  }
  expect(current.status).toBe('IN_REVIEW');
  return current;
}

async function execute(id: string, headers = cleared): Promise<Req> {
  return must(await mutate('executeRequest(requestId: $id)', '$id: ID!', { id }, headers), 'executeRequest');
}

async function renew(id: string, headers = cleared): Promise<Reply<Record<string, Req>>> {
  return mutate('renewAccessPackageLink(requestId: $id)', '$id: ID!', { id }, headers);
}

async function untilClosed(id: string): Promise<Req> {
  const req = await eventually(
    () => read(id),
    (r) => ['COMPLETED', 'PARTIALLY_COMPLETED'].includes(r.status),
    { timeoutMs: 60_000 },
  );
  if (!['COMPLETED', 'PARTIALLY_COMPLETED'].includes(req.status)) throw new Error(`request ${id} was not closed by the worker`);
  return req;
}

/** The closing step runs just after the request is seen closed: waits (bounded) until it destroyed the identifiers. */
async function untilIdentifiersDestroyed(id: string): Promise<void> {
  await eventually(
    () => env.query<{ identifiers_destroyed_at: Date | null }>(`SELECT identifiers_destroyed_at FROM data_subject_request WHERE id = $1`, [id]),
    ([row]) => Boolean(row?.identifiers_destroyed_at),
    { timeoutMs: 10_000 },
  );
}

async function download(url: string): Promise<{ status: number; code?: string; bytes?: Uint8Array }> {
  return downloadPackage(env.gw.url, url);
}

const used = new Set<string>();

/** A person whose only records are group-controlled cases in case management (`where` on the case). */
async function caseManagementPerson(where: string): Promise<{ personId: string; caseId: string }> {
  const cases = await env.query<{ id: string }>(
    `SELECT id FROM case_management.cases WHERE controller_id IS NULL AND anonymised_at IS NULL AND ${where} ORDER BY id`,
  );
  for (const { id } of cases) {
    const personId = personOfRecord(env.truth, `case_management/${id}`);
    if (!personId || used.has(personId)) continue;
    if ((env.truth.get(personId) ?? []).some((r) => !r.startsWith('case_management/'))) continue;
    used.add(personId);
    return { personId, caseId: id };
  }
  throw new Error(`no case-management-only person with ${where}`);
}

beforeAll(async () => {
  env = await startSeededGateway();
  plain = await bearer(env.gw, ['HANDLER']);
  cleared = await bearer(env.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('R10, R11: an access package does not outlive the erasure of its person or its own retention', () => {
  it("R10: an access package is destroyed when the person's erasure completes; renewal and the old link are refused", async () => {
    const { personId } = await caseManagementPerson('true');
    const access = await execute((await ready(personId, 'ACCESS')).id);
    expect(access.status).toBe('COMPLETED');
    const first = await download(access.accessPackage!.downloadUrl!);
    expect(first.status).toBe(200);
    // A link handed out before the erasure and never used.
    const pending = must(await renew(access.id), 'renewAccessPackageLink').accessPackage!.downloadUrl!;

    const erasure = await execute((await ready(personId, 'ERASURE')).id);
    expect(erasure.status).toBe('EXECUTING');
    expect((await untilClosed(erasure.id)).status).toBe('COMPLETED');
    await untilIdentifiersDestroyed(erasure.id);
    // The erasure's closing step destroyed it, before anyone asked for it again.
    const [closed] = await env.query<{ archive_sealed: string | null; destroyed_reason: string | null }>(
      `SELECT archive_sealed, destroyed_reason FROM access_package WHERE request_id = $1`,
      [access.id],
    );
    expect(closed).toEqual({ archive_sealed: null, destroyed_reason: 'ERASURE_COMPLETED' });

    const refused = await renew(access.id);
    expect(refused.code).toBe('PACKAGE_DESTROYED');
    expect(refused.error!.extensions!.reason).toBe('ERASURE_COMPLETED');
    expect(await download(pending)).toEqual({ status: 410, code: 'PACKAGE_DESTROYED' });
    const after = (await read(access.id)).accessPackage!;
    expect(after).toMatchObject({ destroyedReason: 'ERASURE_COMPLETED', downloadAllowed: false, sha256: access.accessPackage!.sha256 });
    expect(after.destroyedAt).not.toBeNull();
    const [row] = await env.query<{ archive_sealed: string | null }>(`SELECT archive_sealed FROM access_package WHERE request_id = $1`, [access.id]);
    expect(row!.archive_sealed).toBeNull();
  }, 120_000);

  it("R10: renewal, download and the package sweep each destroy a package whose person's erasure closed, when the closing step was missed", async () => {
    const { personId } = await caseManagementPerson('true');
    const access = await execute((await ready(personId, 'ACCESS')).id);
    const link = access.accessPackage!.downloadUrl!;
    const erasure = await execute((await ready(personId, 'ERASURE')).id);
    expect((await untilClosed(erasure.id)).status).toBe('COMPLETED');
    await untilIdentifiersDestroyed(erasure.id);
    // As if the worker had died between closing the erasure and its aftermath.
    const revive = () =>
      env.query(`UPDATE access_package SET destroyed_at = NULL, destroyed_reason = NULL, archive_sealed = 'sealed' WHERE request_id = $1`, [access.id]);

    await revive();
    const renewed = await renew(access.id);
    expect(renewed.code, JSON.stringify(renewed.error ?? renewed.data)).toBe('PACKAGE_DESTROYED');
    await revive();
    expect(await download(link)).toEqual({ status: 410, code: 'PACKAGE_DESTROYED' });
    await revive();
    await env.query(`UPDATE data_subject_request SET identifiers_sealed = 'sealed', identifiers_destroyed_at = NULL WHERE id = $1`, [erasure.id]);
    const result = (await schedulesProcessor(env.gw.runtime.services)({ name: ScheduleNames.packageSweep } as Job)) as {
      erased: number;
      identifiersDestroyed: number;
    };
    expect(result).toMatchObject({ erased: 1, identifiersDestroyed: 1 });
    const [row] = await env.query<{ archive_sealed: string | null; destroyed_reason: string }>(
      `SELECT archive_sealed, destroyed_reason FROM access_package WHERE request_id = $1`,
      [access.id],
    );
    expect(row).toEqual({ archive_sealed: null, destroyed_reason: 'ERASURE_COMPLETED' });
    const [req] = await env.query<{ identifiers_sealed: string | null }>(`SELECT identifiers_sealed FROM data_subject_request WHERE id = $1`, [erasure.id]);
    expect(req!.identifiers_sealed).toBeNull();
  }, 120_000);

  it('R10: the package sweep destroys a package whose own retention ran out (30 days by default); renewal and download are then refused', async () => {
    const { personId } = await caseManagementPerson('true');
    const access = await execute((await ready(personId, 'ACCESS')).id);
    const pkg = access.accessPackage!;
    expect(new Date(pkg.retainUntil).getTime() - new Date(pkg.createdAt).getTime()).toBeGreaterThanOrEqual(30 * DAY - 60_000);
    expect(new Date(pkg.retainUntil).getTime() - new Date(pkg.createdAt).getTime()).toBeLessThanOrEqual(30 * DAY + 60_000);
    const link = pkg.downloadUrl!;
    // The retention ran out a minute ago (the link itself would still be valid).
    await env.query(`UPDATE access_package SET retain_until = now() - interval '1 minute', expires_at = now() + interval '1 hour' WHERE request_id = $1`, [
      access.id,
    ]);

    const result = (await schedulesProcessor(env.gw.runtime.services)({ name: ScheduleNames.packageSweep } as Job)) as { expired: number };
    expect(result.expired).toBeGreaterThanOrEqual(1);
    const [row] = await env.query<{ archive_sealed: string | null; destroyed_reason: string }>(
      `SELECT archive_sealed, destroyed_reason FROM access_package WHERE request_id = $1`,
      [access.id],
    );
    expect(row).toEqual({ archive_sealed: null, destroyed_reason: 'RETENTION_ENDED' });
    expect(await download(link)).toEqual({ status: 410, code: 'PACKAGE_DESTROYED' });
    expect((await renew(access.id)).code).toBe('PACKAGE_DESTROYED');
  }, 120_000);
});

describe('the one-time download link', () => {
  // Mail systems and link previews check a link with HEAD or GET before the person clicks it.
  it('HEAD and GET of the link do not use it up: the person can still download the package once', async () => {
    const { personId } = await caseManagementPerson('true');
    const access = await execute((await ready(personId, 'ACCESS')).id);
    const link = access.accessPackage!.downloadUrl!;
    for (const method of ['HEAD', 'GET']) {
      const res = await fetch(`${env.gw.url}${link}`, { method });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-disposition')).toBeNull();
    }
    expect((await download(link)).status).toBe(200);
    expect(await download(link)).toEqual({ status: 410, code: 'PACKAGE_LINK_USED' });
  }, 120_000);

  it('an expired link serves nothing, and a renewed link replaces the one before it', async () => {
    const { personId } = await caseManagementPerson('true');
    const access = await execute((await ready(personId, 'ACCESS')).id);
    const link = access.accessPackage!.downloadUrl!;
    await env.query(`UPDATE access_package SET expires_at = now() - interval '1 second' WHERE request_id = $1`, [access.id]);
    expect(await download(link)).toEqual({ status: 410, code: 'PACKAGE_LINK_EXPIRED' });
    const fresh = must(await renew(access.id), 'renewAccessPackageLink').accessPackage!.downloadUrl!;
    const newer = must(await renew(access.id), 'renewAccessPackageLink').accessPackage!.downloadUrl!;
    expect(await download(fresh)).toEqual({ status: 404, code: 'PACKAGE_NOT_FOUND' });
    expect((await download(newer)).status).toBe(200);
  }, 120_000);
});

describe('R12: an access package goes only to a principal cleared for the special categories it holds', () => {
  it('R12: a handler without SPECIAL_CATEGORY gets no download link for a package holding health data, only its contents; a cleared handler gets it complete', async () => {
    const { personId } = await caseManagementPerson('medical_referral IS NOT NULL');
    const access = await execute((await ready(personId, 'ACCESS')).id, plain);
    expect(access.status).toBe('COMPLETED');
    const pkg = access.accessPackage!;
    expect(pkg.downloadUrl).toBeNull();
    expect(pkg.downloadAllowed).toBe(false);
    expect(pkg.specialCategories).toContain('HEALTH');
    const cases = pkg.contents.find((c) => c.sourceId === 'case_management')!;
    expect(cases.specialCategories).toContain('HEALTH');
    expect(cases.recordTypes.find((t) => t.recordType === 'case')!.released).toBeGreaterThan(0);

    const refused = await renew(access.id, plain);
    expect(refused.code).toBe('SPECIAL_CATEGORY_REQUIRED');
    expect(refused.data ?? null).toBeNull();

    expect((await read(access.id, cleared)).accessPackage!.downloadAllowed).toBe(true);
    const link = must(await renew(access.id, cleared), 'renewAccessPackageLink').accessPackage!.downloadUrl!;
    const got = await download(link);
    expect(got.status).toBe(200);
    // The package is the person's: the referral is in it, in clear.
    const json = Object.entries(unzipSync(got.bytes!)).find(([p]) => p.includes('case-management') && p.endsWith('.json'))!;
    const records = (JSON.parse(strFromU8(json[1])) as { records: { data: Record<string, unknown>; fields: Record<string, { special: boolean }> }[] }).records;
    const referral = records.find((r) => typeof r.data.medical_referral === 'string')!;
    expect(referral.data.medical_referral).not.toBe('[REDACTED]');
    expect(referral.fields.medical_referral!.special).toBe(true);

    // A link that was not issued to a cleared principal does not serve it either.
    const next = must(await renew(access.id, cleared), 'renewAccessPackageLink').accessPackage!.downloadUrl!;
    await env.query(`UPDATE access_package SET link_sees_special = false WHERE request_id = $1`, [access.id]);
    expect(await download(next)).toEqual({ status: 403, code: 'SPECIAL_CATEGORY_REQUIRED' });
  }, 120_000);

  it("R12: recruitment's equal-opportunity monitoring (ethnicity, religion, disability) is special in the source's description and in packages", async () => {
    const fields = (
      await op<{ sources: { id: string; fields: { recordType: string; field: string; categories: string[]; special: boolean }[] }[] }>(
        `{ sources { id fields { recordType field categories special } } }`,
        {},
        cleared,
      )
    ).data!.sources.find((s) => s.id === 'recruitment')!.fields;
    const monitoring = fields.find((f) => f.recordType === 'candidate' && f.field === 'equalOpportunityMonitoring')!;
    expect(monitoring.special).toBe(true);
    expect(monitoring.categories).toEqual(expect.arrayContaining(['ETHNICITY', 'RELIGION', 'HEALTH']));

    const candidates = await env.query<{ id: string }>(
      `SELECT c.id FROM recruitment.candidates c WHERE EXISTS (SELECT 1 FROM recruitment.eo_monitoring e WHERE e.candidate_ref = c.id) ORDER BY c.id`,
    );
    const personId = candidates
      .map((c) => personOfRecord(env.truth, `recruitment/${c.id}`))
      .find((p) => p && !used.has(p) && !(env.truth.get(p) ?? []).some((r) => r.startsWith('clinic/') || r.startsWith('case_management/')))!;
    used.add(personId);
    const access = await execute((await ready(personId, 'ACCESS')).id, plain);
    const pkg = access.accessPackage!;
    expect(pkg.downloadUrl).toBeNull();
    expect(pkg.contents.find((c) => c.sourceId === 'recruitment')!.specialCategories).toEqual(expect.arrayContaining(['ETHNICITY', 'RELIGION']));
    const got = await download(must(await renew(access.id, cleared), 'renewAccessPackageLink').accessPackage!.downloadUrl!);
    const csv = strFromU8(Object.entries(unzipSync(got.bytes!)).find(([p]) => p.includes('recruitment') && p.endsWith('.csv'))![1]);
    const row = csv.split('\r\n').find((l) => l.includes(',equalOpportunityMonitoring,'))!;
    expect(row).toMatch(/ETHNICITY RELIGION HEALTH,true,/);
  }, 120_000);
});

describe('R11: a completed erasure keeps only its minimal record', () => {
  it('R11: a completed erasure destroys its sealed identifiers and scope; type, dates, outcome and tombstones stay', async () => {
    const { personId } = await caseManagementPerson('true');
    const erasure = await execute((await ready(personId, 'ERASURE', { scope: 'everything about my travel claim' })).id);
    const [before] = await env.query<{ identifiers_sealed: string | null; scope_sealed: string | null }>(
      `SELECT identifiers_sealed, scope_sealed FROM data_subject_request WHERE id = $1`,
      [erasure.id],
    );
    expect(before!.identifiers_sealed).not.toBeNull();
    expect((await untilClosed(erasure.id)).status).toBe('COMPLETED');
    await untilIdentifiersDestroyed(erasure.id);

    const [after] = await env.query<{
      identifiers_sealed: string | null;
      scope_sealed: string | null;
      identifiers_destroyed_at: Date | null;
      type: string;
      received_at: Date;
      verified_at: Date;
    }>(`SELECT identifiers_sealed, scope_sealed, identifiers_destroyed_at, type, received_at, verified_at FROM data_subject_request WHERE id = $1`, [
      erasure.id,
    ]);
    expect(after).toMatchObject({ identifiers_sealed: null, scope_sealed: null, type: 'ERASURE' });
    expect(after!.identifiers_destroyed_at).not.toBeNull();
    expect(after!.verified_at).not.toBeNull();
    // The tombstones still guard against recreation (R10).
    const email = identifiersOf(personId).find((i) => i.type === 'EMAIL')!;
    const check = await op<{ tombstoneCheck: { anyTombstoned: boolean; results: { requestId: string | null }[] } }>(
      `query($ids: [IdentifierInput!]!) { tombstoneCheck(identifiers: $ids) { anyTombstoned results { requestId } } }`,
      { ids: [email] },
      await bearer(env.gw, ['CONNECTOR']),
    );
    expect(check.data!.tombstoneCheck.anyTombstoned).toBe(true);
    expect(check.data!.tombstoneCheck.results[0]!.requestId).toBe(erasure.id);
    const audit = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'request.identifiers-destroyed' AND target_id = $1`, [
      erasure.id,
    ]);
    expect(audit[0]!.n).toBe(1);
  }, 120_000);
  it("R11: a completed erasure also destroys the sealed identifiers and scope of the person's earlier completed requests; another person's stay", async () => {
    const { personId } = await caseManagementPerson('true');
    const { personId: someoneElse } = await caseManagementPerson('true');
    const sealedOf = async (id: string) =>
      (
        await env.query<{ identifiers_sealed: string | null; scope_sealed: string | null; identifiers_destroyed_at: Date | null }>(
          `SELECT identifiers_sealed, scope_sealed, identifiers_destroyed_at FROM data_subject_request WHERE id = $1`,
          [id],
        )
      )[0]!;
    const access = await execute((await ready(personId, 'ACCESS', { scope: 'my claim after the ski accident' })).id);
    expect(access.status).toBe('COMPLETED');
    const other = await execute((await ready(someoneElse, 'ACCESS', { scope: 'my own claim' })).id);
    expect(other.status).toBe('COMPLETED');

    const erasure = await execute((await ready(personId, 'ERASURE')).id);
    expect((await untilClosed(erasure.id)).status).toBe('COMPLETED');
    await untilIdentifiersDestroyed(erasure.id);

    expect(await sealedOf(access.id)).toMatchObject({ identifiers_sealed: null, scope_sealed: null });
    expect((await sealedOf(access.id)).identifiers_destroyed_at).not.toBeNull();
    expect(await sealedOf(other.id)).toMatchObject({
      identifiers_sealed: expect.any(String),
      scope_sealed: expect.any(String),
      identifiers_destroyed_at: null,
    });
    // The earlier request's record stays readable: its type, status and what it found.
    expect(await read(access.id)).toMatchObject({ id: access.id, type: 'ACCESS', status: 'COMPLETED' });
    const audit = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'request.identifiers-destroyed' AND target_id = $1`, [
      access.id,
    ]);
    expect(audit[0]!.n).toBe(1);
  }, 180_000);
});
