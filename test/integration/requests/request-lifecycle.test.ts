// The request lifecycle over GraphQL on a gateway with the six reference sources seeded.
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyManifest } from '../../../src/requests/access-package.js';
import { containsCardNumber } from '../../../src/requests/redaction.js';
import { bearer } from '../../support/runtime.js';
import { postDownload } from '../../support/access-package-download.js';
import { identifiersOf, personOfRecord, REQUEST_FIELDS, startSeededGateway, type SeededGateway } from './support.js';

let env: SeededGateway;
let handler: Record<string, string>;

const DAY = 86_400_000;

interface Req {
  id: string;
  status: string;
  verifiedAt: string | null;
  dueAt: string | null;
  extendedDueAt: string | null;
  possibleDuplicateOf: string[];
  controllerIds: string[];
  records: { sourceId: string; recordId: string; band: string; reviewState: string; controllerId: string | null; relationship: string }[];
  decisions: {
    sourceId: string;
    recordId: string;
    action: string;
    basis: string | null;
    retainUntil: string | null;
    needsController: boolean;
    rules: string[];
    source: { id: string; kind: string };
  }[];
  transitions: { from: string | null; to: string; event: string; actor: string; reason: string | null }[];
}

async function op<T>(
  query: string,
  variables: Record<string, unknown>,
  headers = handler,
): Promise<{ data?: T; code?: string; error?: { message: string; extensions?: Record<string, unknown> } }> {
  const reply = await env.gw.graphql<T>(query, variables, headers);
  const error = reply.body.errors?.[0];
  return { data: reply.body.data ?? undefined, code: error?.extensions?.code as string | undefined, error };
}

async function submit(personId: string, type: string, extra: Record<string, unknown> = {}, headers = handler): Promise<Req> {
  const r = await op<{ submitRequest: Req }>(
    `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { ${REQUEST_FIELDS} } }`,
    { input: { type, identifiers: identifiersOf(personId), channel: 'email', ...extra } },
    headers,
  );
  if (!r.data?.submitRequest) throw new Error(`submit failed: ${JSON.stringify(r.error)}`);
  return r.data.submitRequest;
}

async function verify(id: string, input: Record<string, unknown> = {}, headers = handler): Promise<Req> {
  const r = await op<{ verifyIdentity: Req }>(
    `mutation($id: ID!, $input: IdentityVerificationInput!) { verifyIdentity(requestId: $id, input: $input) { ${REQUEST_FIELDS} } }`,
    { id, input: { method: 'passport seen on video call', evidenceRef: 'EV-1', ...input } },
    headers,
  );
  if (!r.data?.verifyIdentity) throw new Error(`verify failed: ${JSON.stringify(r.error)}`);
  return r.data.verifyIdentity;
}

/** Confirms the REVIEW records that are this person's (ground truth), rejects the others. */
async function settleReview(req: Req, personId: string): Promise<Req> {
  const pending = req.records.filter((r) => r.reviewState === 'PENDING');
  const mine = pending.filter((r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === personId || r.relationship !== 'SUBJECT');
  const others = pending.filter((r) => !mine.includes(r));
  let current = req;
  for (const [mutation, list] of [
    ['confirmMatches', mine],
    ['rejectMatches', others],
  ] as const) {
    if (!list.length) continue;
    const r = await op<Record<string, Req>>(
      `mutation($id: ID!, $records: [RecordRefInput!]!) { ${mutation}(requestId: $id, records: $records) { ${REQUEST_FIELDS} } }`,
      { id: req.id, records: list.map(({ sourceId, recordId }) => ({ sourceId, recordId })) },
    );
    if (!r.data) throw new Error(`${mutation} failed: ${JSON.stringify(r.error)}`);
    current = r.data[mutation]!;
  }
  expect(current.records.filter((r) => r.reviewState === 'PENDING')).toEqual([]);
  return current;
}

async function ensureRecord(req: Req, personId: string, ref: string): Promise<Req> {
  const settled = await settleReview(req, personId);
  const [sourceId, recordId] = ref.split('/') as [string, string];
  expect(settled.records.some((r) => r.sourceId === sourceId && r.recordId === recordId)).toBe(true);
  return settled;
}

/** People with a subject record in `source` matching `where` (SQL on that store). */
async function peopleWith(source: string, sql: string): Promise<{ personId: string; ref: string }[]> {
  const rows = await env.query<{ id: string }>(sql);
  return rows
    .map((r) => {
      const ref = `${source}/${r.id}`;
      return { personId: personOfRecord(env.truth, ref)!, ref };
    })
    .filter((x) => x.personId);
}

beforeAll(async () => {
  env = await startSeededGateway();
  handler = await bearer(env.gw, ['HANDLER']);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('ACCESS request end to end over GraphQL', () => {
  it('submit, verify, review, approve, download once, manifest hashes check, card numbers at most last four (R1, R2, R15)', async () => {
    const [{ personId }] = await peopleWith(
      'concierge',
      `SELECT m.id FROM concierge.members m WHERE EXISTS (SELECT 1 FROM concierge.payment_cards c WHERE c.member_ref = m.id) ORDER BY m.id LIMIT 1`,
    );
    const submitted = await submit(personId!, 'ACCESS');
    expect(submitted.status).toBe('RECEIVED');
    const verified = await verify(submitted.id);
    expect(['IN_REVIEW', 'AWAITING_CONTROLLER']).toContain(verified.status);
    expect(verified.records.length).toBeGreaterThan(0);
    let ready = await settleReview(verified, personId!);
    // ACCESS on employer-controlled records still needs the controller's word (R6).
    for (const sourceId of new Set(ready.decisions.filter((d) => d.needsController).map((d) => d.sourceId))) {
      const r = await op<{ recordControllerInstruction: Req }>(
        `mutation($id: ID!, $input: ControllerInstructionInput!) { recordControllerInstruction(requestId: $id, input: $input) { ${REQUEST_FIELDS} } }`,
        { id: ready.id, input: { sourceId, decision: 'PROCEED', reference: 'letter 12' } },
      );
      ready = r.data!.recordControllerInstruction;
    }
    expect(ready.status).toBe('IN_REVIEW');
    expect(ready.decisions.every((d) => d.action === 'RELEASE')).toBe(true);

    // R12: the package may hold special categories; its link goes to a handler cleared for them.
    const cleared = await bearer(env.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
    const executed = await op<{
      executeRequest: Req & {
        accessPackage: { downloadUrl: string; sha256: string; expiresAt: string; files: { path: string; sha256: string }[] };
        response: { letter: string; totals: Record<string, number>; sources: { sourceId: string; released: { recordId: string }[] }[] };
      };
    }>(
      `mutation($id: ID!) { executeRequest(requestId: $id) { ${REQUEST_FIELDS}
         accessPackage { downloadUrl sha256 expiresAt files { path sha256 bytes } }
         response { complete letter totals sources { sourceId released { recordId } } } } }`,
      { id: ready.id },
      cleared,
    );
    expect(executed.error).toBeUndefined();
    const done = executed.data!.executeRequest;
    expect(done.status).toBe('COMPLETED');
    const events = done.transitions.map((t) => t.event);
    expect(events.slice(0, 2)).toEqual(['submit', 'verifyIdentity']);
    expect(events.slice(-3)).toEqual(['approve', 'startExecution', 'complete']);
    expect(done.response.totals.RELEASED).toBe(ready.decisions.length);
    expect(done.response.letter).toContain(done.id);
    const url = done.accessPackage.downloadUrl;
    expect(url).toMatch(/^\/v1\/access-packages\/open#[A-Za-z0-9_-]{43}$/);
    expect(new Date(done.accessPackage.expiresAt).getTime()).toBeGreaterThan(Date.now());

    // Read again: the link is not shown a second time.
    const again = await op<{ request: { accessPackage: { downloadUrl: string | null; sha256: string } } }>(
      `query($id: ID!) { request(id: $id) { accessPackage { downloadUrl sha256 } } }`,
      { id: done.id },
    );
    expect(again.data!.request.accessPackage).toEqual({ downloadUrl: null, sha256: done.accessPackage.sha256 });

    const res = await postDownload(env.gw.url, url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="access-package-.+\.zip"$/);
    const zip = new Uint8Array(await res.arrayBuffer());
    const check = verifyManifest(zip);
    expect(check.ok).toBe(true);
    expect(check.manifest.files.map((f) => [f.path, f.sha256])).toEqual(done.accessPackage.files.map((f) => [f.path, f.sha256]));
    const files = unzipSync(zip);
    const concierge = Object.entries(files).filter(([p]) => p.includes('concierge'));
    expect(concierge.length).toBe(2);
    const conciergeJson = JSON.parse(strFromU8(concierge.find(([p]) => p.endsWith('.json'))![1])) as { records: unknown[] };
    expect(conciergeJson.records.length).toBeGreaterThan(0);
    // The data files (the manifest holds hex digests, which may contain digit runs).
    for (const [p, bytes] of Object.entries(files)) if (p.startsWith('sources/')) expect(containsCardNumber(strFromU8(bytes))).toBe(false);
    expect(strFromU8(concierge[0]![1]) + strFromU8(concierge[1]![1])).toMatch(/\*{4,}\d{4}|last_?four|lastFour/i);

    // Once: the same link again is gone.
    const second = await postDownload(env.gw.url, url);
    expect(second.status).toBe(410);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('PACKAGE_LINK_USED');
    const unknown = await postDownload(env.gw.url, `/v1/access-packages/open#${'x'.repeat(43)}`);
    expect(unknown.status).toBe(404);

    const audit = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'request.export' AND target_id = $1`, [done.id]);
    expect(audit[0]!.n).toBe(1);

    // A fresh link can be minted, and it works once.
    const renewed = await op<{ renewAccessPackageLink: { accessPackage: { downloadUrl: string } } }>(
      `mutation($id: ID!) { renewAccessPackageLink(requestId: $id) { accessPackage { downloadUrl } } }`,
      { id: done.id },
      cleared,
    );
    const fresh = renewed.data!.renewAccessPackageLink.accessPackage.downloadUrl;
    expect(fresh).not.toBe(url);
    expect((await postDownload(env.gw.url, fresh)).status).toBe(200);
  }, 120_000);

  it('R2: nothing released before verification: executeRequest is refused with a code and no package exists', async () => {
    const [{ personId }] = await peopleWith('concierge', `SELECT id FROM concierge.members ORDER BY id DESC LIMIT 1`);
    const req = await submit(personId!, 'ACCESS');
    const r = await op(`mutation($id: ID!) { executeRequest(requestId: $id) { id } }`, { id: req.id });
    expect(r.code).toBe('IDENTITY_NOT_VERIFIED');
    const after = await op<{ request: { status: string; accessPackage: unknown } }>(
      `query($id: ID!) { request(id: $id) { status accessPackage { sha256 } } }`,
      { id: req.id },
    );
    expect(after.data!.request).toEqual({ status: 'RECEIVED', accessPackage: null });
    const rows = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM access_package WHERE request_id = $1`, [req.id]);
    expect(rows[0]!.n).toBe(0);
  }, 60_000);
});

describe('deadlines', () => {
  it('R4: 30 days count from verification when verification comes later; receipt and verification dates are set once (R3, R4)', async () => {
    const [{ personId }] = await peopleWith('recruitment', `SELECT id FROM recruitment.candidates ORDER BY id LIMIT 1`);
    const receivedAt = new Date(Date.now() - 20 * DAY);
    const req = await submit(personId!, 'ACCESS', { receivedAt: receivedAt.toISOString(), jurisdiction: 'GB' });
    expect(req.dueAt).toBeNull();
    const verified = await verify(req.id);
    const due = new Date(verified.dueAt!).getTime();
    const verifiedAt = new Date(verified.verifiedAt!).getTime();
    // End of the 30th calendar day after verification, not after receipt.
    expect(due).toBeGreaterThan(verifiedAt + 29 * DAY);
    expect(due).toBeLessThanOrEqual(verifiedAt + 31 * DAY);
    expect(due).toBeGreaterThan(receivedAt.getTime() + 45 * DAY);

    // Set once: verifying again (a later date would move the deadline later) is refused, nothing moves.
    await op(`mutation($id: ID!) { acknowledgeRequest(requestId: $id) { id } }`, { id: req.id });
    const again = await op(`mutation($id: ID!, $input: IdentityVerificationInput!) { verifyIdentity(requestId: $id, input: $input) { id } }`, {
      id: req.id,
      input: { method: 'checked again', verifiedAt: new Date().toISOString() },
    });
    expect(again.code).toBe('INVALID_TRANSITION');
    const held = await op<{ holdRequest: { id: string } }>(`mutation($id: ID!) { holdRequest(requestId: $id, reason: "waiting") { id } }`, { id: req.id });
    expect(held.error).toBeUndefined();
    await op(`mutation($id: ID!) { resumeRequest(requestId: $id) { id } }`, { id: req.id });
    const afterResume = await op(`mutation($id: ID!, $input: IdentityVerificationInput!) { verifyIdentity(requestId: $id, input: $input) { id } }`, {
      id: req.id,
      input: { method: 'checked again' },
    });
    expect(afterResume.code).toBe('INVALID_TRANSITION');
    const now = await op<{ request: { receivedAt: string; verifiedAt: string; dueAt: string } }>(
      `query($id: ID!) { request(id: $id) { receivedAt verifiedAt dueAt } }`,
      {
        id: req.id,
      },
    );
    expect(now.data!.request).toEqual({ receivedAt: receivedAt.toISOString(), verifiedAt: verified.verifiedAt, dueAt: verified.dueAt });
  }, 60_000);

  it('R5: an extension is refused after the first due date, granted (at most two months, with a reason) before it; the person is told, recorded and audited', async () => {
    const [{ personId }] = await peopleWith('recruitment', `SELECT id FROM recruitment.candidates ORDER BY id LIMIT 1 OFFSET 1`);
    const late = await submit(personId!, 'ACCESS', { receivedAt: new Date(Date.now() - 45 * DAY).toISOString() });
    await verify(late.id, { verifiedAt: new Date(Date.now() - 40 * DAY).toISOString() });
    const refused = await op(`mutation($id: ID!) { extendDeadline(requestId: $id, reason: "complex request") { id } }`, { id: late.id });
    expect(refused.code).toBe('EXTENSION_TOO_LATE');

    const timely = await submit(personId!, 'ACCESS');
    const v = await verify(timely.id);
    const noReason = await op(`mutation($id: ID!) { extendDeadline(requestId: $id, reason: "  ") { id } }`, { id: timely.id });
    expect(noReason.code).toBe('REASON_REQUIRED');
    const tooLong = await op(`mutation($id: ID!) { extendDeadline(requestId: $id, reason: "complex", months: 3) { id } }`, { id: timely.id });
    expect(tooLong.code).toBe('EXTENSION_TOO_LONG');
    const granted = await op<{ extendDeadline: { extendedDueAt: string } }>(
      `mutation($id: ID!) { extendDeadline(requestId: $id, reason: "several systems and a controller to consult") { extendedDueAt } }`,
      { id: timely.id },
    );
    const extended = new Date(granted.data!.extendDeadline.extendedDueAt).getTime();
    const due = new Date(v.dueAt!).getTime();
    expect(extended).toBeGreaterThan(due + 58 * DAY);
    expect(extended).toBeLessThanOrEqual(due + 62 * DAY);
    const twice = await op(`mutation($id: ID!) { extendDeadline(requestId: $id, reason: "again") { id } }`, { id: timely.id });
    expect(twice.code).toBe('EXTENSION_ALREADY_GRANTED');

    // The person is told: the notice is there to send as soon as the extension is made.
    type Notice = { extendedDueAt: string; reason: string; letter: string; sentAt: string | null; sentBy: string | null };
    const NOTICE = `extensionNotice { extendedDueAt reason letter sentAt sentBy }`;
    const toSend = await op<{ request: { extensionNotice: Notice } }>(`query($id: ID!) { request(id: $id) { ${NOTICE} } }`, { id: timely.id });
    const notice = toSend.data!.request.extensionNotice;
    const newDay = new Date(granted.data!.extendDeadline.extendedDueAt).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    expect(notice).toMatchObject({ reason: 'several systems and a controller to consult', sentAt: null, sentBy: null });
    expect(notice.letter).toContain(`we will answer by ${newDay} at the latest`);
    expect(notice.letter).toContain('The reason: several systems and a controller to consult.');
    const sent = await op<{ recordExtensionNoticeSent: { extensionNotice: Notice } }>(
      `mutation($id: ID!) { recordExtensionNoticeSent(requestId: $id) { ${NOTICE} } }`,
      { id: timely.id },
    );
    expect(sent.error).toBeUndefined();
    const recorded = sent.data!.recordExtensionNoticeSent.extensionNotice;
    expect(recorded.sentAt).not.toBeNull();
    expect(recorded.sentBy).toMatch(/\S/);
    const again = await op<{ recordExtensionNoticeSent: { extensionNotice: Notice } }>(
      `mutation($id: ID!) { recordExtensionNoticeSent(requestId: $id) { ${NOTICE} } }`,
      { id: timely.id },
    );
    expect(again.data!.recordExtensionNoticeSent.extensionNotice.sentAt).toBe(recorded.sentAt);
    const audited = await env.query<{ actor_id: string }>(`SELECT actor_id FROM audit_log WHERE action = 'request.extension-notice-sent' AND target_id = $1`, [
      timely.id,
    ]);
    expect(audited).toEqual([{ actor_id: recorded.sentBy }]);
    const none = await op(`mutation($id: ID!) { recordExtensionNoticeSent(requestId: $id) { id } }`, { id: late.id });
    expect(none.code).toBe('NO_EXTENSION');
  }, 60_000);

  it('the deadline scan and the overdue / due-soon filters list the same requests', async () => {
    const [{ personId }] = await peopleWith('recruitment', `SELECT id FROM recruitment.candidates ORDER BY id LIMIT 1 OFFSET 2`);
    const overdue = await submit(personId!, 'ACCESS', { receivedAt: new Date(Date.now() - 50 * DAY).toISOString() });
    await verify(overdue.id, { verifiedAt: new Date(Date.now() - 45 * DAY).toISOString() });
    await op(`mutation($id: ID!) { acknowledgeRequest(requestId: $id) { id } }`, { id: overdue.id });
    const soon = await submit(personId!, 'ACCESS', { receivedAt: new Date(Date.now() - 27 * DAY).toISOString() });
    await verify(soon.id, { verifiedAt: new Date(Date.now() - 26 * DAY).toISOString() });
    await op(`mutation($id: ID!) { acknowledgeRequest(requestId: $id) { id } }`, { id: soon.id });

    const flags = await env.gw.runtime.services.requests.flagDeadlines(new Date());
    expect(flags.overdue).toContain(overdue.id);
    expect(flags.overdue).not.toContain(soon.id);
    expect(flags.dueSoon).toContain(soon.id);
    expect(flags.dueSoon).not.toContain(overdue.id);

    const list = await op<{ o: { nodes: { id: string; deadlineStanding: string }[] }; s: { nodes: { id: string; deadlineStanding: string }[] } }>(
      `{ o: requests(filter: { overdue: true }, first: 100) { nodes { id deadlineStanding } }
         s: requests(filter: { dueSoon: true }, first: 100) { nodes { id deadlineStanding } } }`,
      {},
    );
    expect(list.error).toBeUndefined();
    expect(list.data!.o.nodes).toContainEqual({ id: overdue.id, deadlineStanding: 'OVERDUE' });
    expect(list.data!.s.nodes).toContainEqual({ id: soon.id, deadlineStanding: 'DUE_SOON' });
    expect(list.data!.o.nodes.map((n) => n.id)).not.toContain(soon.id);
  }, 60_000);
});

describe('decisions', () => {
  it('R8: a clinic record under statutory retention is RETAINED with its basis and the date until which', async () => {
    const candidates = await peopleWith('clinic', `SELECT id FROM clinic.patients ORDER BY id LIMIT 3`);
    const { personId, ref } = candidates[0]!;
    const verified = await ensureRecord(await verify((await submit(personId, 'ERASURE')).id), personId, ref);
    const decision = verified.decisions.find((d) => `${d.sourceId}/${d.recordId}` === ref)!;
    expect(decision.action).toBe('RETAIN');
    expect(decision.basis).toMatch(/statutory retention/i);
    expect(new Date(decision.retainUntil!).getTime()).toBeGreaterThan(Date.now() + 20 * 365 * DAY);
    expect(decision.rules).toContain('R8');
  }, 60_000);

  it('R9: an unsuccessful candidate is MINIMISED to the recruiting-activity record', async () => {
    const [{ personId, ref }] = await peopleWith('recruitment', `SELECT id FROM recruitment.candidates WHERE hired = false ORDER BY id LIMIT 1`);
    const verified = await ensureRecord(await verify((await submit(personId!, 'ERASURE')).id), personId!, ref!);
    expect(verified.decisions.find((d) => `${d.sourceId}/${d.recordId}` === ref)!.action).toBe('MINIMISE');
  }, 60_000);

  it('R6/R7: employer-controlled records wait for the controller; CONTROLLER_GONE lets the group decide', async () => {
    const [{ personId, ref }] = await peopleWith('case_management', `SELECT id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY id LIMIT 1`);
    const req = await submit(personId!, 'ERASURE');
    const verified = await ensureRecord(await verify(req.id), personId!, ref!);
    expect(verified.status).toBe('AWAITING_CONTROLLER');
    const waiting = verified.decisions.find((d) => `${d.sourceId}/${d.recordId}` === ref)!;
    expect(waiting).toMatchObject({ action: 'RETAIN', needsController: true, rules: ['R6'] });

    const blocked = await op(`mutation($id: ID!) { executeRequest(requestId: $id) { id } }`, { id: req.id });
    expect(blocked.code).toBe('CONTROLLER_INSTRUCTION_REQUIRED');
    const override = await op(`mutation($id: ID!, $input: OverrideDecisionInput!) { overrideDecision(requestId: $id, input: $input) { id } }`, {
      id: req.id,
      input: { sourceId: 'case_management', recordId: ref!.split('/')[1], action: 'ERASE', reason: 'the handler thinks so' },
    });
    expect(override.code).toBe('CONTROLLER_INSTRUCTION_REQUIRED');

    let current = verified;
    for (const sourceId of new Set(verified.decisions.filter((d) => d.needsController).map((d) => d.sourceId))) {
      const r = await op<{ recordControllerInstruction: Req }>(
        `mutation($id: ID!, $input: ControllerInstructionInput!) { recordControllerInstruction(requestId: $id, input: $input) { ${REQUEST_FIELDS} } }`,
        { id: req.id, input: { sourceId, decision: 'CONTROLLER_GONE', reference: 'company dissolved' } },
      );
      expect(r.error).toBeUndefined();
      current = r.data!.recordControllerInstruction;
    }
    const decided = current.decisions.find((d) => `${d.sourceId}/${d.recordId}` === ref)!;
    expect(decided.needsController).toBe(false);
    expect(decided.rules[0]).toBe('R7');
    expect(['ERASE', 'ANONYMISE']).toContain(decided.action);
    expect(current.status).toBe('IN_REVIEW');
    expect(current.transitions.map((t) => t.event)).toContain('controllerInstructed');

    // A handler override needs a reason and is audited.
    const noReason = await op(`mutation($id: ID!, $input: OverrideDecisionInput!) { overrideDecision(requestId: $id, input: $input) { id } }`, {
      id: req.id,
      input: { sourceId: 'case_management', recordId: ref!.split('/')[1], action: 'RESTRICT', reason: ' ' },
    });
    expect(noReason.code).toBe('REASON_REQUIRED');
    const overridden = await op<{ overrideDecision: { decisions: { recordId: string; action: string; overridden: boolean; computedAction: string }[] } }>(
      `mutation($id: ID!, $input: OverrideDecisionInput!) { overrideDecision(requestId: $id, input: $input) { decisions { recordId action overridden computedAction } } }`,
      { id: req.id, input: { sourceId: 'case_management', recordId: ref!.split('/')[1], action: 'RESTRICT', reason: 'litigation pending' } },
    );
    expect(overridden.data!.overrideDecision.decisions.find((d) => d.recordId === ref!.split('/')[1])).toEqual({
      recordId: ref!.split('/')[1],
      action: 'RESTRICT',
      overridden: true,
      computedAction: decided.action,
    });
    const audit = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'request.override' AND target_id = $1`, [req.id]);
    expect(audit[0]!.n).toBe(1);
  }, 60_000);

  it('R6: a controller that REFUSES keeps its records retained', async () => {
    const rows = await peopleWith('case_management', `SELECT id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET 1`);
    const { personId, ref } = rows[0]!;
    const verified = await ensureRecord(await verify((await submit(personId, 'ERASURE')).id), personId, ref);
    const r = await op<{ recordControllerInstruction: Req }>(
      `mutation($id: ID!, $input: ControllerInstructionInput!) { recordControllerInstruction(requestId: $id, input: $input) { ${REQUEST_FIELDS} } }`,
      { id: verified.id, input: { sourceId: 'case_management', decision: 'REFUSE' } },
    );
    const d = r.data!.recordControllerInstruction.decisions.find((x) => `${x.sourceId}/${x.recordId}` === ref)!;
    expect(d).toMatchObject({ action: 'RETAIN', basis: 'controller refused', needsController: false });
  }, 60_000);
});

describe('lifecycle rules', () => {
  it('an invalid transition is a coded error naming the current state; every transition is stored with actor and reason', async () => {
    const [{ personId }] = await peopleWith('recruitment', `SELECT id FROM recruitment.candidates ORDER BY id DESC LIMIT 1`);
    const req = await submit(personId!, 'ACCESS');
    const verified = await verify(req.id);
    const again = await op(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "again" }) { id } }`, { id: req.id });
    expect(again.code).toBe('INVALID_TRANSITION');
    expect(again.error!.message).toContain(verified.status);
    expect(again.error!.extensions!.currentStatus).toBe(verified.status);

    const held = await op<{ holdRequest: { status: string } }>(
      `mutation($id: ID!) { holdRequest(requestId: $id, reason: "waiting for documents") { status } }`,
      { id: req.id },
    );
    expect(held.data!.holdRequest.status).toBe('ON_HOLD');
    const resumed = await op<{ resumeRequest: { status: string } }>(`mutation($id: ID!) { resumeRequest(requestId: $id) { status } }`, { id: req.id });
    expect(resumed.data!.resumeRequest.status).toBe(verified.status);
    const cancelled = await op<{ cancelRequest: Req }>(
      `mutation($id: ID!) { cancelRequest(requestId: $id, reason: "withdrawn by the person") { ${REQUEST_FIELDS} } }`,
      { id: req.id },
    );
    const t = cancelled.data!.cancelRequest.transitions;
    expect(t.at(-1)).toMatchObject({ from: verified.status, to: 'CANCELLED', event: 'cancel', reason: 'withdrawn by the person' });
    expect(t.find((x) => x.event === 'hold')).toMatchObject({ to: 'ON_HOLD', reason: 'waiting for documents' });
    expect(new Set(t.map((x) => x.actor)).size).toBe(1);
    const afterCancel = await op(`mutation($id: ID!) { executeRequest(requestId: $id) { id } }`, { id: req.id });
    expect(afterCancel.code).toBe('INVALID_TRANSITION');
  }, 60_000);

  it('two handlers acting at once cannot both win (optimistic lock)', async () => {
    const [{ personId }] = await peopleWith('recruitment', `SELECT id FROM recruitment.candidates ORDER BY id DESC LIMIT 1 OFFSET 1`);
    const req = await submit(personId!, 'ACCESS');
    const other = await bearer(env.gw, ['HANDLER']);
    const hold = (h: Record<string, string>) => op(`mutation($id: ID!) { holdRequest(requestId: $id, reason: "check") { status } }`, { id: req.id }, h);
    const results = await Promise.all([hold(handler), hold(other), hold(handler), hold(other)]);
    expect(results.filter((r) => !r.error)).toHaveLength(1);
    for (const r of results.filter((x) => x.error)) expect(['CONCURRENT_UPDATE', 'INVALID_TRANSITION']).toContain(r.code);
    const rows = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM request_transition WHERE request_id = $1 AND event = 'hold'`, [req.id]);
    expect(rows[0]!.n).toBe(1);
  }, 60_000);

  it('a duplicate request is reported on the new request, not merged', async () => {
    const [{ personId }] = await peopleWith('clinic', `SELECT id FROM clinic.patients ORDER BY id DESC LIMIT 1`);
    const first = await submit(personId!, 'ERASURE');
    const second = await submit(personId!, 'ACCESS');
    expect(second.possibleDuplicateOf).toContain(first.id);
    expect(second.id).not.toBe(first.id);
    const stored = await env.query<{ identifiers_sealed: string; blind_index: string[] }>(
      `SELECT identifiers_sealed, blind_index FROM data_subject_request WHERE id = $1`,
      [second.id],
    );
    const email = identifiersOf(personId!).find((i) => i.type === 'EMAIL')!.value;
    expect(stored[0]!.identifiers_sealed).not.toContain(email);
    expect(stored[0]!.blind_index.join(' ')).not.toContain(email);
  }, 60_000);

  it("a handler bound to controller A cannot read a request of controller B by id, by list or through nested fields, nor act on a whole request holding other controllers' records", async () => {
    const [a, b] = await env.query<{ controller_id: string }>(
      `SELECT DISTINCT controller_id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY controller_id LIMIT 2`,
    );
    const handlerA = await bearer(env.gw, ['HANDLER'], [a!.controller_id]);
    const handlerB = await bearer(env.gw, ['HANDLER'], [b!.controller_id]);
    const [{ personId }] = await peopleWith('recruitment', `SELECT id FROM recruitment.candidates ORDER BY id LIMIT 1 OFFSET 3`);
    const ofB = await submit(personId!, 'ACCESS', {}, handlerB);
    expect(ofB.controllerIds).toEqual([b!.controller_id]);
    const ofA = await submit(personId!, 'ACCESS', {}, handlerA);

    const byId = await op<{ request: unknown }>(`query($id: ID!) { request(id: $id) { id } }`, { id: ofB.id }, handlerA);
    expect(byId.data!.request).toBeNull();
    const list = await op<{ requests: { nodes: { id: string }[]; totalCount: number } }>(`{ requests(first: 100) { nodes { id } totalCount } }`, {}, handlerA);
    expect(list.error).toBeUndefined();
    expect(list.data!.requests.nodes.map((n) => n.id)).toEqual([ofA.id]);
    const nested = await op<{ request: { possibleDuplicateOf: string[] } }>(
      `query($id: ID!) { request(id: $id) { possibleDuplicateOf } }`,
      { id: ofA.id },
      handlerA,
    );
    expect(nested.data!.request.possibleDuplicateOf).not.toContain(ofB.id);
    const write = await op(`mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "x" }) { id } }`, { id: ofB.id }, handlerA);
    expect(write.code).toBe('REQUEST_NOT_FOUND');
    // The unscoped handler sees both, and the duplicate between them.
    const all = await op<{ request: { possibleDuplicateOf: string[] } }>(`query($id: ID!) { request(id: $id) { possibleDuplicateOf } }`, { id: ofA.id });
    expect(all.data!.request.possibleDuplicateOf).toContain(ofB.id);

    // Inside a visible request, records of other controllers (and the group's own) are left out.
    const verified = await verify(ofA.id, {}, handlerA);
    expect(verified.records.every((r) => r.controllerId === a!.controller_id)).toBe(true);
    const full = await op<{ request: Req }>(`query($id: ID!) { request(id: $id) { ${REQUEST_FIELDS} } }`, { id: ofA.id });
    expect(full.data!.request.records.length).toBeGreaterThan(verified.records.length);

    // Acting on the whole request needs every record in scope: handler A may see the
    // request, not act on all of it (loadWhole), and nothing moves.
    for (const mutation of [
      `mutation($id: ID!) { cancelRequest(requestId: $id, reason: "scope") { status } }`,
      `mutation($id: ID!) { holdRequest(requestId: $id, reason: "scope") { status } }`,
      `mutation($id: ID!) { renewAccessPackageLink(requestId: $id) { id } }`,
    ]) {
      expect((await op(mutation, { id: ofA.id }, handlerA)).code, mutation).toBe('FORBIDDEN');
    }
    const moves = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM request_transition WHERE request_id = $1 AND event IN ('cancel', 'hold')`, [
      ofA.id,
    ]);
    expect(moves[0]!.n).toBe(0);
    // The unscoped handler may: the refusal above was the scope, not the request's state.
    const held = await op<{ holdRequest: { status: string } }>(`mutation($id: ID!) { holdRequest(requestId: $id, reason: "check") { status } }`, {
      id: ofA.id,
    });
    expect(held.error).toBeUndefined();
  }, 60_000);
});
