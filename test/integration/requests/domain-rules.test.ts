// The rest of the domain's rules, driven through GraphQL against the seeded reference
// stores: children's data in online services (R16), certificates kept verifiable only with
// the person's agreement, a hired candidate's personnel file, and occupational-health
// records returned to the employer at the end of its contract (R6).
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../support/runtime.js';
import { eventually } from '../../support/eventually.js';
import { postDownload } from '../../support/access-package-download.js';
import { identifiersOf, personOfRecord, settleReviewAndControllers, startSeededGateway, type SeededGateway } from './support.js';

let env: SeededGateway;
let handler: Record<string, string>;

const FIELDS = `
  id type status dateOfBirthVerified certificatesVerifiable
  records { sourceId recordId recordType reviewState relationship }
  decisions { sourceId recordId action followUpAction basis reason needsController returnToController rules }
  accessPackage { downloadUrl }
  returnedPackages { controllerId downloadUrl }
  response { letter }
`;

interface Decision {
  sourceId: string;
  recordId: string;
  action: string;
  followUpAction: string | null;
  basis: string | null;
  reason: string;
  needsController: boolean;
  returnToController: string | null;
  rules: string[];
}

interface Req {
  id: string;
  type: string;
  status: string;
  dateOfBirthVerified: boolean;
  certificatesVerifiable: boolean | null;
  records: { sourceId: string; recordId: string; recordType: string; reviewState: string; relationship: string }[];
  decisions: Decision[];
  accessPackage: { downloadUrl: string | null } | null;
  returnedPackages: { controllerId: string; downloadUrl: string | null }[];
  response: { letter: string } | null;
}

interface Reply<T> {
  data?: T;
  code?: string;
  message?: string;
}

async function op<T>(query: string, variables: Record<string, unknown>): Promise<Reply<T>> {
  const reply = await env.gw.graphql<T>(query, variables, handler);
  const error = reply.body.errors?.[0];
  return { data: reply.body.data ?? undefined, code: error?.extensions?.code as string | undefined, message: error?.message };
}

async function mutate(call: string, args: string, variables: Record<string, unknown>): Promise<Req> {
  const name = call.slice(0, call.indexOf('('));
  const reply = await op<Record<string, Req>>(`mutation(${args}) { ${call} { ${FIELDS} } }`, variables);
  if (!reply.data?.[name]) throw new Error(`${name} failed: ${reply.code} ${reply.message}`);
  return reply.data[name]!;
}

async function read(id: string): Promise<Req> {
  return (await op<{ request: Req }>(`query($id: ID!) { request(id: $id) { ${FIELDS} } }`, { id })).data!.request;
}

interface Ask {
  type: 'ACCESS' | 'ERASURE' | 'RESTRICTION';
  dateOfBirth?: string;
  dateOfBirthVerified?: boolean;
  jurisdiction?: string;
  certificatesVerifiable?: boolean | null;
  /** Controller instructions by source (default PROCEED). */
  instruct?: Record<string, string>;
}

/** Submits and verifies a request, settles REVIEW records by ground truth and instructs controllers. */
async function ready(personId: string, ask: Ask): Promise<Req> {
  const identifiers = identifiersOf(personId).map((i) => (i.type === 'DATE_OF_BIRTH' && ask.dateOfBirth ? { ...i, value: ask.dateOfBirth } : i));
  const submitted = await mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', {
    input: {
      type: ask.type,
      identifiers,
      channel: 'email',
      ...(ask.jurisdiction ? { jurisdiction: ask.jurisdiction } : {}),
      ...(ask.certificatesVerifiable !== undefined ? { certificatesVerifiable: ask.certificatesVerifiable } : {}),
    },
  });
  let current = await mutate('verifyIdentity(requestId: $id, input: $input)', '$id: ID!, $input: IdentityVerificationInput!', {
    id: submitted.id,
    input: { method: 'passport seen on video call', ...(ask.dateOfBirthVerified ? { dateOfBirthVerified: true } : {}) },
  });
  current = await settleReviewAndControllers(mutate, current, (r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === personId, {
    instruct: (sourceId) => ask.instruct?.[sourceId] ?? 'PROCEED',
  });
  return current;
}

async function execute(id: string): Promise<Req> {
  return mutate('executeRequest(requestId: $id)', '$id: ID!', { id });
}

async function untilClosed(id: string): Promise<Req> {
  const req = await eventually(
    () => read(id),
    (r) => ['COMPLETED', 'PARTIALLY_COMPLETED'].includes(r.status),
    { timeoutMs: 60_000 },
  );
  if (!['COMPLETED', 'PARTIALLY_COMPLETED'].includes(req.status)) throw new Error(`request ${id} was not closed by the worker (${req.status})`);
  return req;
}

const used = new Set<string>();

/** A person (not used by another test here) who has a record of `source` among `sql`'s ids. */
async function personWith(source: string, sql: string): Promise<{ personId: string; recordId: string }> {
  for (const { id } of await env.query<{ id: string }>(sql)) {
    const personId = personOfRecord(env.truth, `${source}/${id}`);
    if (!personId || used.has(personId)) continue;
    used.add(personId);
    return { personId, recordId: id };
  }
  throw new Error(`no unused person with a ${source} record`);
}

const of = (req: Req, sourceId: string) => req.decisions.filter((d) => d.sourceId === sourceId);

interface GuardAnswer {
  anyTombstoned: boolean;
  results: { type: string; tombstoned: boolean; requestId: string | null }[];
}

/** The recreation guard as a source feed asks it before creating a person (POST /v1/tombstones/check, a CONNECTOR key). */
async function guard(identifiers: { type: string; value: string }[]): Promise<GuardAnswer> {
  const res = await fetch(`${env.gw.url}/v1/tombstones/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await bearer(env.gw, ['CONNECTOR'])) },
    body: JSON.stringify({ identifiers }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as GuardAnswer;
}

/** The request's tombstones as stored: kind, key id and hash only. */
async function tombstonesOf(requestId: string): Promise<Record<string, unknown>[]> {
  return env.query(`SELECT * FROM tombstone WHERE request_id = $1`, [requestId]);
}

beforeAll(async () => {
  // 13 in the United States, 18 elsewhere (the default).
  env = await startSeededGateway({ DSR_CHILD_AGE_BY_JURISDICTION: 'US=13' });
  handler = await bearer(env.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

/** A date of birth `years` and a half years before today. */
function bornYearsAgo(years: number): string {
  const d = new Date(Date.now() - (years + 0.5) * 365.25 * 86_400_000);
  return d.toISOString().slice(0, 10);
}

describe('R16: children’s data found in the online services is deleted at once', () => {
  it('R16: a restriction by a verified 15-year-old erases their training records (online) with the reason stated, and restricts the rest', async () => {
    const { personId, recordId } = await personWith('training', `SELECT id FROM training.learners ORDER BY id`);
    const req = await ready(personId, { type: 'RESTRICTION', dateOfBirth: bornYearsAgo(15), dateOfBirthVerified: true });
    expect(req.dateOfBirthVerified).toBe(true);
    const learner = req.decisions.find((d) => d.sourceId === 'training' && d.recordId === recordId)!;
    expect(learner).toMatchObject({ action: 'ERASE', rules: ['R16'] });
    expect(learner.reason).toContain('under 18');
    expect(learner.reason).toContain('verified with their identity');
    // Sources that are not online services are decided as asked.
    const offline = req.decisions.filter((d) => d.sourceId !== 'training' && d.sourceId !== 'concierge');
    for (const d of offline) expect(d.action, `${d.sourceId}/${d.recordId}`).not.toBe('ERASE');

    await execute(req.id);
    await untilClosed(req.id);
    expect(await env.query(`SELECT 1 FROM training.learners WHERE id = $1`, [recordId])).toHaveLength(0);
    // A restriction that erased records tombstones the person like an erasure (R10).
    const email = identifiersOf(personId).find((i) => i.type === 'EMAIL')!;
    expect((await guard([email])).results[0]).toEqual({ type: 'EMAIL', tombstoned: true, requestId: req.id });
  }, 120_000);

  it('R16: a verified 15-year-old asking for access gets a copy of their training records, then they are deleted', async () => {
    const { personId, recordId } = await personWith('training', `SELECT id FROM training.learners ORDER BY id`);
    const req = await ready(personId, { type: 'ACCESS', dateOfBirth: bornYearsAgo(15), dateOfBirthVerified: true });
    const learner = req.decisions.find((d) => d.sourceId === 'training' && d.recordId === recordId)!;
    expect(learner).toMatchObject({ action: 'RELEASE', rules: ['R1', 'R16'] });
    expect(learner.reason).toContain('then deleted');

    const executed = await execute(req.id);
    expect(executed.accessPackage?.downloadUrl).toBeTruthy();
    const closed = await untilClosed(req.id);
    expect(closed.status).toBe('COMPLETED');
    expect(await env.query(`SELECT 1 FROM training.learners WHERE id = $1`, [recordId])).toHaveLength(0);
    const tasks = await env.query<{ action: string; status: string }>(`SELECT action, status FROM task WHERE request_id = $1 AND record_id = $2`, [
      req.id,
      recordId,
    ]);
    expect(tasks).toEqual([{ action: 'ERASE', status: 'SUCCEEDED' }]);
    // The copy was made before the deletion, and stays for the person to download.
    expect(closed.accessPackage).not.toBeNull();
    // Only the child's online records go: a record of another source is released and kept.
    const kept = closed.decisions.find((d) => d.sourceId !== 'training' && d.sourceId !== 'concierge' && d.action === 'RELEASE');
    if (kept) expect(await env.query(`SELECT 1 FROM task WHERE request_id = $1 AND record_id = $2`, [req.id, kept.recordId])).toHaveLength(0);

    // The next feed is told the child was erased (R10): a source asks before creating a person.
    const asked = identifiersOf(personId).map((i) => (i.type === 'DATE_OF_BIRTH' ? { ...i, value: bornYearsAgo(15) } : i));
    const answer = await guard(asked);
    expect(answer.anyTombstoned).toBe(true);
    for (const type of ['EMAIL', 'PHONE', 'NATIONAL_ID', 'MEMBERSHIP_NUMBER']) {
      expect(answer.results.find((r) => r.type === type)).toEqual({ type, tombstoned: true, requestId: req.id });
    }
    // Keyed hashes only: no identifier the child gave is stored in clear.
    const stored = await tombstonesOf(req.id);
    expect(stored.length).toBeGreaterThan(0);
    for (const { hash, ...rest } of stored) {
      expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/); // HMAC-SHA-256, base64url
      const text = JSON.stringify(rest).toLowerCase();
      for (const { value } of asked) expect(text).not.toContain(value.toLowerCase());
    }

    // A recreated learner record would be erased again by the sweep; the child's record kept
    // elsewhere, or a record of a kind the request did not erase, is not a recreation.
    const requests = env.gw.runtime.services.stores.requests;
    const learnerType = closed.records.find((r) => r.recordId === recordId)!.recordType;
    expect(await requests.keepsRecord(req.id, 'training', recordId, learnerType)).toBe(false);
    expect(kept, 'the seeded child has a record outside the online services').toBeDefined();
    const keptType = closed.records.find((r) => r.sourceId === kept!.sourceId && r.recordId === kept!.recordId)!.recordType;
    expect(await requests.keepsRecord(req.id, kept!.sourceId, kept!.recordId, keptType)).toBe(true);
    expect(await requests.keepsRecord(req.id, kept!.sourceId, 'a-new-record', keptType)).toBe(true);
  }, 120_000);

  it('R16: a handler’s override of a child’s release-then-erase (to RELEASE, or to RETAIN: the copy withheld) keeps the erasure, and execution erases the record', async () => {
    // From the last learners: the tests after this one take theirs from the first.
    const fromTheEnd = `SELECT id FROM training.learners ORDER BY id DESC`;
    for (const action of ['RELEASE', 'RETAIN']) {
      const { personId, recordId } = await personWith('training', fromTheEnd);
      const req = await ready(personId, { type: 'ACCESS', dateOfBirth: bornYearsAgo(15), dateOfBirthVerified: true });
      expect(of(req, 'training').find((d) => d.recordId === recordId)).toMatchObject({ action: 'RELEASE', followUpAction: 'ERASE' });
      const overridden = await mutate('overrideDecision(requestId: $id, input: $input)', '$id: ID!, $input: OverrideDecisionInput!', {
        id: req.id,
        input: { sourceId: 'training', recordId, action, reason: 'copy checked by the handler' },
      });
      expect(
        of(overridden, 'training').find((d) => d.recordId === recordId),
        action,
      ).toMatchObject({ action, followUpAction: 'ERASE' });

      await execute(req.id);
      await untilClosed(req.id);
      expect(await env.query(`SELECT 1 FROM training.learners WHERE id = $1`, [recordId]), action).toHaveLength(0);
      const tasks = await env.query<{ action: string }>(`SELECT action FROM task WHERE request_id = $1 AND record_id = $2`, [req.id, recordId]);
      expect(tasks.map((t) => t.action)).toEqual(['ERASE']);
    }
  }, 180_000);

  it('R16: an adult’s access, or restriction, erases nothing and writes no tombstone: the next feed may still create them', async () => {
    const { personId, recordId } = await personWith('training', `SELECT id FROM training.learners ORDER BY id`);
    const adult = { dateOfBirth: bornYearsAgo(30), dateOfBirthVerified: true };
    const req = await ready(personId, { type: 'ACCESS', ...adult });
    expect(req.decisions.find((d) => d.sourceId === 'training' && d.recordId === recordId)).toMatchObject({ action: 'RELEASE' });

    const executed = await execute(req.id);
    expect(executed.status).toBe('COMPLETED');
    expect(await env.query(`SELECT 1 FROM training.learners WHERE id = $1`, [recordId])).toHaveLength(1);
    expect(await tombstonesOf(req.id)).toHaveLength(0);

    // Queued tasks that erase nothing (restrictions) write none either.
    const restriction = await ready(personId, { type: 'RESTRICTION', ...adult });
    await execute(restriction.id);
    await untilClosed(restriction.id);
    expect(await tombstonesOf(restriction.id)).toHaveLength(0);
    expect((await guard(identifiersOf(personId).filter((i) => i.type === 'EMAIL'))).anyTombstoned).toBe(false);
  }, 120_000);

  it('R16: the date of birth counts only once verified, and the age limit follows the jurisdiction (13 in US)', async () => {
    const { personId, recordId } = await personWith('training', `SELECT id FROM training.learners ORDER BY id`);
    const fifteen = bornYearsAgo(15);
    const unverified = await ready(personId, { type: 'RESTRICTION', dateOfBirth: fifteen });
    expect(unverified.dateOfBirthVerified).toBe(false);
    expect(unverified.decisions.find((d) => d.recordId === recordId)?.action).toBe('RESTRICT');

    const inUs = await ready(personId, { type: 'RESTRICTION', dateOfBirth: fifteen, dateOfBirthVerified: true, jurisdiction: 'US-NY' });
    expect(inUs.decisions.find((d) => d.recordId === recordId)?.action).toBe('RESTRICT');

    const twelve = await ready(personId, { type: 'RESTRICTION', dateOfBirth: bornYearsAgo(12), dateOfBirthVerified: true, jurisdiction: 'US-NY' });
    const erased = twelve.decisions.find((d) => d.recordId === recordId)!;
    expect(erased.action).toBe('ERASE');
    expect(erased.reason).toContain('under 13 (the age set for US)');

    // Verifying a date of birth the request does not give is refused.
    const { submitRequest } = (
      await op<{ submitRequest: { id: string } }>(`mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`, {
        input: { type: 'RESTRICTION', identifiers: identifiersOf(personId).filter((i) => i.type !== 'DATE_OF_BIRTH') },
      })
    ).data!;
    const refused = await op(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport", dateOfBirthVerified: true }) { id } }`, {
      id: submitRequest.id,
    });
    expect(refused.code).toBe('BAD_USER_INPUT');
  }, 120_000);
});

describe('R9: training certificates stay verifiable only with the person’s agreement', () => {
  const withCertificate = `SELECT l.id FROM training.learners l JOIN training.certificates c ON c.learner_ref = l.id ORDER BY l.id`;

  it('R9: with the person’s agreement an erasure anonymises: the certificate number stays verifiable, the holder’s name goes', async () => {
    const { personId, recordId } = await personWith('training', withCertificate);
    const req = await ready(personId, { type: 'ERASURE', certificatesVerifiable: true });
    expect(req.certificatesVerifiable).toBe(true);
    for (const d of of(req, 'training')) expect(d.action, d.recordId).toBe('ANONYMISE');
    expect(of(req, 'training').find((d) => d.recordId === recordId)!.reason).toContain('agreed');

    await execute(req.id);
    await untilClosed(req.id);
    const certificates = await env.query<{ certificate_number: string | null; holder_name: string | null }>(
      `SELECT certificate_number, holder_name FROM training.certificates WHERE learner_ref = $1`,
      [recordId],
    );
    expect(certificates.length).toBeGreaterThan(0);
    for (const c of certificates) expect(c).toMatchObject({ certificate_number: expect.any(String), holder_name: null });
  }, 120_000);

  it('R9: without an answer (or with a refusal) an erasure deletes the certificates, and the reason says which', async () => {
    const { personId, recordId } = await personWith('training', withCertificate);
    const refused = await ready(personId, { type: 'ERASURE', certificatesVerifiable: false });
    expect(of(refused, 'training').find((d) => d.recordId === recordId)).toMatchObject({ action: 'ERASE' });
    expect(of(refused, 'training').find((d) => d.recordId === recordId)!.reason).toContain('did not agree');

    const req = await ready(personId, { type: 'ERASURE' });
    expect(req.certificatesVerifiable).toBeNull();
    expect(of(req, 'training').find((d) => d.recordId === recordId)!.reason).toContain('not asked');
    await execute(req.id);
    await untilClosed(req.id);
    expect(await env.query(`SELECT 1 FROM training.certificates WHERE learner_ref = $1`, [recordId])).toHaveLength(0);
  }, 120_000);
});

describe('R9: an agreement given after submission', () => {
  it('R9: recordCertificateAgreement stores the answer, the decisions follow it (a handler’s override stands), and it is audited', async () => {
    const { personId, recordId } = await personWith(
      'training',
      `SELECT l.id FROM training.learners l JOIN training.certificates c ON c.learner_ref = l.id ORDER BY l.id`,
    );
    const req = await ready(personId, { type: 'ERASURE' });
    const training = of(req, 'training');
    expect(training.length).toBeGreaterThan(1);
    const overridden = training.find((d) => d.recordId !== recordId)!;
    await mutate('overrideDecision(requestId: $id, input: $input)', '$id: ID!, $input: OverrideDecisionInput!', {
      id: req.id,
      input: { sourceId: 'training', recordId: overridden.recordId, action: 'RESTRICT', reason: 'disputed certificate' },
    });

    const agreed = await mutate('recordCertificateAgreement(requestId: $id, agreed: $agreed)', '$id: ID!, $agreed: Boolean', { id: req.id, agreed: true });
    expect(agreed.certificatesVerifiable).toBe(true);
    expect(agreed.decisions.find((d) => d.recordId === recordId)!.action).toBe('ANONYMISE');
    expect(agreed.decisions.find((d) => d.recordId === overridden.recordId)!.action).toBe('RESTRICT');
    const withdrawn = await mutate('recordCertificateAgreement(requestId: $id, agreed: $agreed)', '$id: ID!, $agreed: Boolean', { id: req.id, agreed: null });
    expect(withdrawn.decisions.find((d) => d.recordId === recordId)!.action).toBe('ERASE');
    const audited = await env.query(`SELECT 1 FROM audit_log WHERE action = 'request.certificate-agreement' AND target_id = $1`, [req.id]);
    expect(audited).toHaveLength(2);
  }, 120_000);
});

describe('R8: a hired candidate’s recruitment data is the personnel file', () => {
  it('R8: an erasure keeps a hired candidate’s file with that basis, instead of minimising it, and the answer says so', async () => {
    const { personId, recordId } = await personWith('recruitment', `SELECT id FROM recruitment.candidates WHERE hired ORDER BY id`);
    const req = await ready(personId, { type: 'ERASURE' });
    const candidate = req.decisions.find((d) => d.sourceId === 'recruitment' && d.recordId === recordId)!;
    expect(candidate).toMatchObject({ action: 'RETAIN', basis: 'the application became the personnel file of an employee' });
    // The file binds whatever a handler decides: no override destroys it.
    for (const action of ['MINIMISE', 'ERASE']) {
      const refused = await op(`mutation($id: ID!, $input: OverrideDecisionInput!) { overrideDecision(requestId: $id, input: $input) { id } }`, {
        id: req.id,
        input: { sourceId: 'recruitment', recordId, action, reason: 'the person insists' },
      });
      expect(refused.code, action).toBe('LEGAL_HOLD');
      expect(refused.message).toMatch(/personnel file of an employee/);
    }

    await execute(req.id);
    const closed = await untilClosed(req.id);
    expect(await env.query(`SELECT 1 FROM recruitment.candidates WHERE id = $1 AND hired`, [recordId])).toHaveLength(1);
    expect(await env.query(`SELECT 1 FROM recruitment.applications WHERE candidate_ref = $1`, [recordId])).not.toHaveLength(0);
    expect(closed.response!.letter).toContain('personnel file');
  }, 120_000);
});

describe('R6: occupational-health records go back to the employer at the end of its contract', () => {
  it('R6: the employer’s RETURN_AND_ERASE exports its records to it, then erases them here, and the answer says so', async () => {
    const { personId, recordId } = await personWith('clinic', `SELECT id FROM clinic.occupational_assessments WHERE controller_id IS NOT NULL ORDER BY id`);
    const [{ controller_id: controllerId }] = await env.query<{ controller_id: string }>(
      `SELECT controller_id FROM clinic.occupational_assessments WHERE id = $1`,
      [recordId],
    );
    const req = await ready(personId, { type: 'ERASURE', instruct: { clinic: 'RETURN_AND_ERASE' } });
    const assessment = req.decisions.find((d) => d.sourceId === 'clinic' && d.recordId === recordId)!;
    expect(assessment).toMatchObject({ action: 'ERASE', returnToController: controllerId, rules: ['R6'] });
    expect(assessment.basis).toContain('returned to its controller');
    // The group's own patient file (no controller) stays under its legal hold.
    for (const d of of(req, 'clinic').filter((d) => d.recordId.startsWith('PAT-'))) expect(d.action).toBe('RETAIN');

    const executed = await execute(req.id);
    // The employer's package is the one returned to it; the person has no package of their own on an erasure.
    expect(executed.accessPackage).toBeNull();
    expect(executed.returnedPackages.map((p) => p.controllerId)).toEqual([controllerId]);
    const url = executed.returnedPackages[0]!.downloadUrl;
    expect(url).toBeTruthy();
    const res = await postDownload(env.gw.url, url!);
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const everything = Object.values(files)
      .map((f) => strFromU8(f))
      .join('\n');
    expect(everything).toContain(recordId);
    // Only what goes back to the employer is in it.
    const others = req.decisions.filter((d) => !d.returnToController).map((d) => d.recordId);
    for (const other of others) expect(everything).not.toContain(`"${other}"`);

    const closed = await untilClosed(req.id);
    expect(await env.query(`SELECT 1 FROM clinic.occupational_assessments WHERE id = $1`, [recordId])).toHaveLength(0);
    expect(closed.response!.letter).toContain(`returned to its controller (${controllerId})`);
  }, 120_000);

  it('R6: a return to the controller goes with an erasure only', async () => {
    const { personId } = await personWith('clinic', `SELECT id FROM clinic.occupational_assessments WHERE controller_id IS NOT NULL ORDER BY id`);
    const req = await ready(personId, { type: 'ACCESS', instruct: { clinic: 'PROCEED' } });
    const refused = await op(
      `mutation($id: ID!) { recordControllerInstruction(requestId: $id, input: { sourceId: "clinic", decision: RETURN_AND_ERASE }) { id } }`,
      { id: req.id },
    );
    expect(refused.code).toBe('BAD_USER_INPUT');
  }, 120_000);
});

describe('R16: CCTV found by site, date and time (a visitor without their badge id)', () => {
  it('R16: a site and a time window find the visits in it for REVIEW; the handler confirms the person’s, and the copy shows no other people', async () => {
    const { personId, recordId } = await personWith('cctv', `SELECT id FROM cctv.visits WHERE arrived_at > now() - interval '80 days' ORDER BY id`);
    const [visit] = await env.query<{ site: string; arrived_at: Date }>(`SELECT site, arrived_at FROM cctv.visits WHERE id = $1`, [recordId]);
    const from = new Date(visit!.arrived_at.getTime() - 30 * 60_000);
    const to = new Date(visit!.arrived_at.getTime() + 30 * 60_000);
    // Another visitor at the same site at the same time, and one at another site.
    await env.query(
      `INSERT INTO cctv.visits (id, badge_id, given_name, family_name, company, host, site, arrived_at, left_at, created_at, last_activity_at)
       VALUES ('VIS-BYSTANDER-1', 'B-424242', 'Bertha', 'Bystanderson', 'Acme', 'host-1', $1, $2, $3, $2, $3),
              ('VIS-ELSEWHERE-1', 'B-434343', 'Elsa', 'Elsewhereton', 'Acme', 'host-1', 'nowhere-site', $2, $3, $2, $3)`,
      [visit!.site, new Date(visit!.arrived_at.getTime() + 5 * 60_000), new Date(visit!.arrived_at.getTime() + 65 * 60_000)],
    );
    const inWindow = await env.query<{ id: string; family_name: string }>(
      `SELECT id, family_name FROM cctv.visits WHERE site = $1 AND arrived_at < $3 AND COALESCE(left_at, arrived_at + interval '1 day') > $2`,
      [visit!.site, from, to],
    );
    expect(inWindow.map((v) => v.id)).toEqual(expect.arrayContaining([recordId, 'VIS-BYSTANDER-1']));
    expect(inWindow.map((v) => v.id)).not.toContain('VIS-ELSEWHERE-1');

    // No badge id, no name: only an email, which the visitor log does not hold.
    const email = identifiersOf(personId).filter((i) => i.type === 'EMAIL');
    const submitted = await mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', {
      input: { type: 'ACCESS', identifiers: email, presence: { site: visit!.site, from: from.toISOString(), to: to.toISOString() } },
    });
    const verified = await mutate('verifyIdentity(requestId: $id, input: $input)', '$id: ID!, $input: IdentityVerificationInput!', {
      id: submitted.id,
      input: { method: 'passport seen at the front desk' },
    });
    const offered = verified.records.filter((r) => r.sourceId === 'cctv');
    expect(offered.map((r) => r.recordId).sort()).toEqual(inWindow.map((v) => v.id).sort());
    for (const r of offered) expect(r).toMatchObject({ reviewState: 'PENDING', recordType: 'visit', relationship: 'VISITOR' });
    // Nothing can be released before the handler says which visit is the person's.
    expect((await op(`mutation($id: ID!) { executeRequest(requestId: $id) { id } }`, { id: submitted.id })).code).toBe('MATCHES_PENDING_REVIEW');

    let current = await mutate('confirmMatches(requestId: $id, records: $records)', '$id: ID!, $records: [RecordRefInput!]!', {
      id: submitted.id,
      records: [{ sourceId: 'cctv', recordId }],
    });
    const others = current.records.filter((r) => r.reviewState === 'PENDING');
    current = await mutate('rejectMatches(requestId: $id, records: $records)', '$id: ID!, $records: [RecordRefInput!]!', {
      id: submitted.id,
      records: others.map(({ sourceId, recordId: id }) => ({ sourceId, recordId: id })),
    });
    for (const sourceId of new Set(current.decisions.filter((d) => d.needsController).map((d) => d.sourceId))) {
      current = await mutate('recordControllerInstruction(requestId: $id, input: $input)', '$id: ID!, $input: ControllerInstructionInput!', {
        id: current.id,
        input: { sourceId, decision: 'PROCEED' },
      });
    }
    expect(current.decisions.find((d) => d.recordId === recordId)?.action).toBe('RELEASE');

    const executed = await execute(submitted.id);
    const res = await postDownload(env.gw.url, executed.accessPackage!.downloadUrl!);
    expect(res.status).toBe(200);
    const everything = Object.values(unzipSync(new Uint8Array(await res.arrayBuffer())))
      .map((f) => strFromU8(f))
      .join('\n');
    expect(everything).toContain(recordId);
    for (const other of inWindow.filter((v) => v.id !== recordId)) {
      expect(everything).not.toContain(other.id);
      expect(everything).not.toContain(other.family_name);
    }
  }, 120_000);

  it('R16: a presence look-up needs a site and an ordered window of at most 24 hours', async () => {
    const submit = (presence: Record<string, string>) =>
      op(`mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`, {
        input: { type: 'ACCESS', identifiers: [{ type: 'EMAIL', value: 'visitor@example.org' }], presence },
      });
    expect((await submit({ site: 'HQ', from: '2026-01-02T10:00:00Z', to: '2026-01-02T09:00:00Z' })).code).toBe('BAD_USER_INPUT');
    expect((await submit({ site: 'HQ', from: '2026-01-01T10:00:00Z', to: '2026-01-02T10:00:01Z' })).code).toBe('BAD_USER_INPUT');
    expect((await submit({ site: ' ', from: '2026-01-02T09:00:00Z', to: '2026-01-02T10:00:00Z' })).code).toBe('BAD_USER_INPUT');
  }, 60_000);
});

describe('R16: a person named in someone else’s record gets a copy that does not name that record', () => {
  it('R16: an emergency contact’s own access copy holds their appearance, not the patient’s record id', async () => {
    const contacts = await env.query<{ id: string; patient_id: string }>(`SELECT id, patient_id FROM clinic.emergency_contacts ORDER BY id`);
    const { personId, recordId } = await personWith('clinic', `SELECT id FROM clinic.emergency_contacts ORDER BY id`);
    const patientId = contacts.find((c) => c.id === recordId)!.patient_id;
    expect(personOfRecord(env.truth, `clinic/${patientId}`)).not.toBe(personId);

    const ready_ = await ready(personId, { type: 'ACCESS' });
    expect(ready_.decisions.find((d) => d.recordId === recordId)?.action).toBe('RELEASE');
    const executed = await execute(ready_.id);
    const res = await postDownload(env.gw.url, executed.accessPackage!.downloadUrl!);
    expect(res.status).toBe(200);
    const files = Object.entries(unzipSync(new Uint8Array(await res.arrayBuffer()))).map(([path, f]) => [path, strFromU8(f)] as const);
    const everything = files.map(([, text]) => text).join('\n');
    expect(everything).toContain(recordId);
    expect(everything).not.toContain(patientId);
    const clinicJson = JSON.parse(files.find(([path]) => /sources\/\d+-clinic\.json$/.test(path))![1]);
    const appearance = clinicJson.records.find((r: { recordId: string }) => r.recordId === recordId);
    expect(appearance).toMatchObject({ relationship: 'EMERGENCY_CONTACT', partOf: 'a record about another person' });
    expect(appearance.data.patient_id).toBe("[ANOTHER PERSON'S RECORD]");
  }, 120_000);
});
