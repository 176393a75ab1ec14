// Rectification end to end over GraphQL (R14): corrections checked against each source's
// fields, the handler's finding before anything changes, the worker applying the
// corrections, and the clinic annotated, never overwritten.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../support/runtime.js';
import { identifiersOf, personOfRecord, startSeededGateway, type SeededGateway } from './support.js';
import { eventually } from '../../support/eventually.js';

let env: SeededGateway;
let handler: Record<string, string>;

const FIELDS = `
  id type status
  corrections { field reason }
  inaccuracyFinding { inaccurate reason evidenceRef actor at accepted rejected { field reason } }
  records { sourceId recordId recordType reviewState relationship }
  decisions { sourceId recordId action basis reason needsController correctionFields rules source { kind } }
  tasks { sourceId recordId action status outcome lastError }
  response { complete sources { sourceId corrected { recordId action state reason } retained { recordId action basis } notDone { recordId action } } }
`;

interface Decision {
  sourceId: string;
  recordId: string;
  action: string;
  basis: string | null;
  reason: string;
  needsController: boolean;
  correctionFields: string[] | null;
  rules: string[];
  source: { kind: string };
}

interface Req {
  id: string;
  status: string;
  corrections: { field: string; reason: string }[];
  inaccuracyFinding: {
    inaccurate: boolean;
    reason: string;
    evidenceRef: string | null;
    actor: string;
    at: string;
    accepted: string[];
    rejected: { field: string; reason: string }[];
  } | null;
  records: { sourceId: string; recordId: string; recordType: string; reviewState: string; relationship: string }[];
  decisions: Decision[];
  tasks: { sourceId: string; recordId: string; action: string; status: string; outcome: string | null; lastError: string | null }[];
  response: {
    complete: boolean;
    sources: {
      sourceId: string;
      corrected: { recordId: string; action: string; state: string }[];
      retained: { recordId: string }[];
      notDone: { recordId: string }[];
    }[];
  } | null;
}

interface Reply<T> {
  data?: T;
  code?: string;
  error?: { message: string; extensions?: Record<string, unknown> };
}

async function op<T>(query: string, variables: Record<string, unknown>): Promise<Reply<T>> {
  const reply = await env.gw.graphql<T>(query, variables, handler);
  const error = reply.body.errors?.[0];
  return { data: reply.body.data ?? undefined, code: error?.extensions?.code as string | undefined, error };
}

async function mutate(mutation: string, args: string, variables: Record<string, unknown>): Promise<Reply<Record<string, Req>>> {
  return op<Record<string, Req>>(`mutation(${args}) { ${mutation} { ${FIELDS} } }`, variables);
}

function must<T>(reply: Reply<Record<string, T>>, name: string): T {
  if (!reply.data?.[name]) throw new Error(`${name} failed: ${JSON.stringify(reply.error)}`);
  return reply.data[name]!;
}

async function submitRectification(personId: string, corrections: { field: string; value: string; reason: string }[]): Promise<Reply<Record<string, Req>>> {
  return mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', {
    input: { type: 'RECTIFICATION', identifiers: identifiersOf(personId), channel: 'web form', corrections },
  });
}

async function verify(id: string): Promise<Req> {
  return must(
    await mutate('verifyIdentity(requestId: $id, input: $input)', '$id: ID!, $input: IdentityVerificationInput!', {
      id,
      input: { method: 'passport seen on video call' },
    }),
    'verifyIdentity',
  );
}

/** Confirms this person's REVIEW records, rejects the others, and lets controllers proceed. */
async function settle(req: Req, personId: string): Promise<Req> {
  let current = req;
  const pending = current.records.filter((r) => r.reviewState === 'PENDING');
  const mine = pending.filter((r) => personOfRecord(env.truth, `${r.sourceId}/${r.recordId}`) === personId);
  const others = pending.filter((r) => !mine.includes(r));
  for (const [mutation, list] of [
    ['confirmMatches', mine],
    ['rejectMatches', others],
  ] as const) {
    if (!list.length) continue;
    const records = list.map(({ sourceId, recordId }) => ({ sourceId, recordId }));
    current = must(await mutate(`${mutation}(requestId: $id, records: $records)`, '$id: ID!, $records: [RecordRefInput!]!', { id: req.id, records }), mutation);
  }
  for (const sourceId of new Set(current.decisions.filter((d) => d.needsController).map((d) => d.sourceId))) {
    current = must(
      await mutate('recordControllerInstruction(requestId: $id, input: $input)', '$id: ID!, $input: ControllerInstructionInput!', {
        id: req.id,
        input: { sourceId, decision: 'PROCEED', reference: 'letter 12' },
      }),
      'recordControllerInstruction',
    );
  }
  expect(current.status).toBe('IN_REVIEW');
  return current;
}

async function execute(id: string): Promise<Reply<Record<string, Req>>> {
  return mutate('executeRequest(requestId: $id)', '$id: ID!', { id });
}

async function recordFinding(id: string, input: Record<string, unknown>): Promise<Reply<Record<string, Req>>> {
  return mutate('recordInaccuracyFinding(requestId: $id, input: $input)', '$id: ID!, $input: InaccuracyFindingInput!', { id, input });
}

/** Verifies and settles the request, finds the data inaccurate for the given reason, executes it and waits for it to close. */
async function correctOnEvidence(id: string, personId: string, reason: string): Promise<Req> {
  await settle(await verify(id), personId);
  must(await recordFinding(id, { inaccurate: true, reason }), 'recordInaccuracyFinding');
  must(await execute(id), 'executeRequest');
  return untilClosed(id);
}

/** Polls the request until the worker has closed it (bounded, so a stuck flow fails the test). */
async function untilClosed(id: string): Promise<Req> {
  const closed = (req: Req | undefined): req is Req => req !== undefined && ['COMPLETED', 'PARTIALLY_COMPLETED'].includes(req.status);
  const req = await eventually(async () => (await op<{ request: Req }>(`query($id: ID!) { request(id: $id) { ${FIELDS} } }`, { id })).data?.request, closed, {
    timeoutMs: 120_000,
    everyMs: 200,
  });
  if (!closed(req)) throw new Error(`request ${id} was not closed by the worker`);
  return req;
}

/** A person with a case of the group's own (no employer controller) and a clinic patient record, and no record in online services. */
async function personInCaseManagementAndClinic(skip: Set<string>): Promise<{ personId: string; caseId: string; patientId: string }> {
  const cases = await env.query<{ id: string }>(`SELECT id FROM case_management.cases WHERE controller_id IS NULL AND anonymised_at IS NULL ORDER BY id`);
  for (const { id } of cases) {
    const personId = personOfRecord(env.truth, `case_management/${id}`);
    if (!personId || skip.has(personId)) continue;
    const refs = env.truth.get(personId) ?? [];
    const patient = refs.find((r) => r.startsWith('clinic/') && !!r.split('/')[1]);
    if (!patient) continue;
    const [{ n }] = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM clinic.patients WHERE id = $1`, [patient.split('/')[1]]);
    if (n !== 1) continue;
    if (refs.some((r) => r.startsWith('training/') || r.startsWith('concierge/'))) continue;
    return { personId, caseId: id, patientId: patient.split('/')[1]! };
  }
  throw new Error('the seeded population has no person with a case and a clinic patient record');
}

beforeAll(async () => {
  env = await startSeededGateway();
  handler = await bearer(env.gw, ['HANDLER']);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('rectification (R14)', () => {
  it('R14: corrections are made only after the finding; case management is corrected, the clinic annotated, not overwritten', async () => {
    const { personId, caseId, patientId } = await personInCaseManagementAndClinic(new Set());
    const [caseBefore] = await env.query<Record<string, string>>(`SELECT phone, email, street, postcode FROM case_management.cases WHERE id = $1`, [caseId]);
    const [patientBefore] = await env.query<Record<string, string>>(`SELECT phone, email, street, postcode FROM clinic.patients WHERE id = $1`, [patientId]);
    const corrections = [
      { field: 'phone', value: '+44 20 7946 0999', reason: 'my number changed in March' },
      { field: 'email', value: `corrected.${personId.toLowerCase()}@example.org`, reason: 'old address closed' },
      { field: 'street', value: '1 Corrected Street', reason: 'moved house' },
      { field: 'postcode', value: 'ZZ1 1ZZ', reason: 'moved house' },
    ];

    const submitted = must(await submitRectification(personId, corrections), 'submitRequest');
    expect(submitted.corrections).toEqual(corrections.map(({ field, reason }) => ({ field, reason })));
    // The values are stored only encrypted.
    const [sealed] = await env.query<{ corrections_sealed: string }>(`SELECT corrections_sealed FROM data_subject_request WHERE id = $1`, [submitted.id]);
    expect(sealed!.corrections_sealed).not.toContain('Corrected Street');

    const ready = await settle(await verify(submitted.id), personId);
    const caseDecision = ready.decisions.find((d) => d.sourceId === 'case_management' && d.recordId === caseId)!;
    const clinicDecision = ready.decisions.find((d) => d.sourceId === 'clinic' && d.recordId === patientId)!;
    expect(caseDecision).toMatchObject({ action: 'CORRECT', correctionFields: ['phone', 'email', 'street', 'postcode'], rules: ['R14'] });
    expect(clinicDecision).toMatchObject({ action: 'ANNOTATE', correctionFields: ['phone', 'email', 'street', 'postcode'], rules: ['R14'] });
    for (const d of ready.decisions) {
      // Every decision either names the fields it will change or says why nothing changes.
      if (['CORRECT', 'ANNOTATE'].includes(d.action)) expect(d.correctionFields!.length).toBeGreaterThan(0);
      if (d.source.kind === 'CLINIC') expect(d.action).not.toBe('CORRECT');
    }

    // No finding yet: nothing may be corrected.
    const refused = await execute(submitted.id);
    expect(refused.code).toBe('INACCURACY_NOT_ESTABLISHED');
    const still = await op<{ request: { status: string; tasks: unknown[] } }>(`query($id: ID!) { request(id: $id) { status tasks { id } } }`, {
      id: submitted.id,
    });
    expect(still.data!.request).toEqual({ status: 'IN_REVIEW', tasks: [] });

    // The handler finds the data inaccurate, except the postcode.
    const found = must(
      await recordFinding(submitted.id, {
        inaccurate: true,
        reason: 'tenancy agreement and phone bill seen',
        evidenceRef: 'EV-77',
        rejectedCorrections: [{ field: 'postcode', reason: 'the postcode on file matches the tenancy agreement' }],
      }),
      'recordInaccuracyFinding',
    );
    expect(found.inaccuracyFinding).toMatchObject({
      inaccurate: true,
      reason: 'tenancy agreement and phone bill seen',
      evidenceRef: 'EV-77',
      accepted: ['phone', 'email', 'street'],
      rejected: [{ field: 'postcode', reason: 'the postcode on file matches the tenancy agreement' }],
    });
    expect(found.decisions.find((d) => d.recordId === caseId)!.correctionFields).toEqual(['phone', 'email', 'street']);
    const [stored] = await env.query<{ inaccuracy_finding: unknown }>(`SELECT inaccuracy_finding FROM data_subject_request WHERE id = $1`, [submitted.id]);
    const storedText = JSON.stringify(stored!.inaccuracy_finding);
    for (const c of corrections) expect(storedText).not.toContain(c.value);
    const audited = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'request.inaccuracy-finding' AND target_id = $1`, [
      submitted.id,
    ]);
    expect(audited[0]!.n).toBe(1);

    const executing = must(await execute(submitted.id), 'executeRequest');
    expect(executing.status).toBe('EXECUTING');
    const closed = await untilClosed(submitted.id);
    const failed = closed.tasks.filter((t) => t.status !== 'SUCCEEDED');
    expect(failed, JSON.stringify(failed)).toEqual([]);
    expect(closed.status).toBe('COMPLETED');

    // Case management: the accepted fields are overwritten; the postcode found accurate stays.
    const [caseAfter] = await env.query<Record<string, string>>(`SELECT phone, email, street, postcode FROM case_management.cases WHERE id = $1`, [caseId]);
    expect(caseAfter).toEqual({ phone: corrections[0]!.value, email: corrections[1]!.value, street: corrections[2]!.value, postcode: caseBefore!.postcode });
    // Clinic: the medical record is unchanged; the corrections sit beside it as annotations.
    const [patientAfter] = await env.query<Record<string, string>>(`SELECT phone, email, street, postcode FROM clinic.patients WHERE id = $1`, [patientId]);
    expect(patientAfter).toEqual(patientBefore);
    const annotations = await env.query<{ field: string; value: string; reason: string }>(
      `SELECT field, value, reason FROM clinic.annotations WHERE record_id = $1 ORDER BY field`,
      [patientId],
    );
    expect(annotations).toEqual([
      { field: 'email', value: corrections[1]!.value, reason: corrections[1]!.reason },
      { field: 'phone', value: corrections[0]!.value, reason: corrections[0]!.reason },
      { field: 'street', value: corrections[2]!.value, reason: corrections[2]!.reason },
    ]);

    // The answer lists the corrected and the annotated record.
    const bySource = new Map(closed.response!.sources.map((s) => [s.sourceId, s]));
    expect(bySource.get('case_management')!.corrected).toContainEqual(expect.objectContaining({ recordId: caseId, action: 'CORRECT', state: 'DONE' }));
    expect(bySource.get('clinic')!.corrected).toContainEqual(expect.objectContaining({ recordId: patientId, action: 'ANNOTATE', state: 'DONE' }));
  }, 120_000);

  it('R14: a correction of a field no source may change is refused at submission with a code naming the field', async () => {
    const { personId } = await personInCaseManagementAndClinic(new Set());
    const notCorrectable = await submitRectification(personId, [
      { field: 'phone', value: '+44 20 7946 0111', reason: 'changed' },
      { field: 'membership_number', value: 'M-1', reason: 'wrong number' },
    ]);
    expect(notCorrectable.code).toBe('FIELD_NOT_CORRECTABLE');
    expect(notCorrectable.error!.extensions!.field).toBe('membership_number');
    expect(notCorrectable.error!.message).toContain('membership_number');

    const unknown = await submitRectification(personId, [{ field: 'shoe_size', value: '44', reason: 'grew' }]);
    expect(unknown.code).toBe('UNKNOWN_FIELD');
    expect(unknown.error!.extensions!.field).toBe('shoe_size');
    expect(unknown.error!.message).toContain('shoe_size');

    const [{ n }] = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM data_subject_request WHERE type = 'RECTIFICATION' AND status = 'RECEIVED'`);
    expect(n).toBe(0);
  }, 60_000);

  it('R14: records whose source does not hold a requested field are retained with that reason, and a finding of accuracy blocks execution', async () => {
    const first = await personInCaseManagementAndClinic(new Set());
    const { personId, patientId } = await personInCaseManagementAndClinic(new Set([first.personId]));
    // The clinic holds no postcode on occupational assessments and case parties hold no address:
    // only records of a type that holds the field get it.
    const submitted = must(await submitRectification(personId, [{ field: 'postcode', value: 'ZZ9 9ZZ', reason: 'moved' }]), 'submitRequest');
    const ready = await settle(await verify(submitted.id), personId);
    expect(ready.decisions.find((d) => d.sourceId === 'clinic' && d.recordId === patientId)).toMatchObject({
      action: 'ANNOTATE',
      correctionFields: ['postcode'],
    });
    const typeOf = (d: Decision) => ready.records.find((r) => r.sourceId === d.sourceId && r.recordId === d.recordId)!.recordType;
    const withoutAddress = ready.decisions.filter((d) => ['case_party', 'emergency_contact', 'occupational_assessment'].includes(typeOf(d)));
    expect(withoutAddress.length).toBeGreaterThan(0);
    for (const d of withoutAddress) {
      expect(d).toMatchObject({ action: 'RETAIN', basis: 'field not held in this record', correctionFields: [] });
      expect(d.reason).toContain('postcode');
    }

    const accurate = must(
      await recordFinding(submitted.id, { inaccurate: false, reason: 'the postcode on file matches the evidence' }),
      'recordInaccuracyFinding',
    );
    expect(accurate.inaccuracyFinding).toMatchObject({
      inaccurate: false,
      accepted: [],
      rejected: [{ field: 'postcode', reason: 'the postcode on file matches the evidence' }],
    });
    expect(accurate.decisions.every((d) => d.action === 'RETAIN' && d.correctionFields!.length === 0)).toBe(true);
    expect((await execute(submitted.id)).code).toBe('INACCURACY_NOT_ESTABLISHED');

    // A finding names only fields the person asked to correct, and belongs to RECTIFICATION requests.
    const stray = await recordFinding(submitted.id, { inaccurate: true, reason: 'seen', rejectedCorrections: [{ field: 'phone', reason: 'x' }] });
    expect(stray.code).toBe('UNKNOWN_FIELD');
    const access = must(
      await mutate('submitRequest(input: $input)', '$input: SubmitRequestInput!', { input: { type: 'ACCESS', identifiers: identifiersOf(personId) } }),
      'submitRequest',
    );
    const wrongType = await recordFinding(access.id, { inaccurate: true, reason: 'seen' });
    expect(wrongType.code).toBe('NOT_A_RECTIFICATION');
  }, 120_000);
  it('R14: a corrected value its field cannot hold is refused at submission, and a date of birth is written as the day the person meant', async () => {
    const first = await personInCaseManagementAndClinic(new Set());
    const second = await personInCaseManagementAndClinic(new Set([first.personId]));
    const { personId, caseId, patientId } = await personInCaseManagementAndClinic(new Set([first.personId, second.personId]));

    // Identifier fields take only values the gateway can read back as that identifier; the value is never echoed.
    for (const [field, value] of [
      ['email', 'jane at example dot org'],
      ['date_of_birth', '31/02/1984'],
      ['phone', 'call me'],
    ] as const) {
      const refused = await submitRectification(personId, [{ field, value, reason: 'wrong on file' }]);
      expect(refused.code, field).toBe('INVALID_CORRECTION_VALUE');
      expect(refused.error!.extensions!.field).toBe(field);
      expect(refused.error!.message).not.toContain(value);
    }

    // "07/03/1984" is the 7th of March as the gateway reads dates (day first), not July as a source's date column would.
    const submitted = must(await submitRectification(personId, [{ field: 'date_of_birth', value: '07/03/1984', reason: 'wrong on file' }]), 'submitRequest');
    const closed = await correctOnEvidence(submitted.id, personId, 'birth certificate seen');
    expect(closed.status, JSON.stringify(closed.tasks)).toBe('COMPLETED');
    const [corrected] = await env.query<{ dob: string }>(`SELECT date_of_birth::text AS dob FROM case_management.cases WHERE id = $1`, [caseId]);
    expect(corrected!.dob).toBe('1984-03-07');
    const [annotation] = await env.query<{ value: string }>(`SELECT value FROM clinic.annotations WHERE record_id = $1 AND field = 'date_of_birth'`, [
      patientId,
    ]);
    expect(annotation!.value).toBe('1984-03-07');
  }, 120_000);
  it('R14: the gateway looks at a corrected record again: a source that answers APPLIED but still holds the old value fails the task, and the answer is not complete', async () => {
    const skip = new Set<string>();
    for (let i = 0; i < 3; i++) skip.add((await personInCaseManagementAndClinic(skip)).personId);
    const { personId, caseId } = await personInCaseManagementAndClinic(skip);
    const [before] = await env.query<{ email: string }>(`SELECT email FROM case_management.cases WHERE id = $1`, [caseId]);
    // A source whose writes do not stick: it answers as if the row changed, and keeps the old address.
    await env.query(`CREATE FUNCTION case_management.keep_email() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.email := OLD.email; RETURN NEW; END $$`);
    await env.query(
      `CREATE TRIGGER keep_email BEFORE UPDATE ON case_management.cases FOR EACH ROW WHEN (NEW.id = '${caseId}') EXECUTE FUNCTION case_management.keep_email()`,
    );
    try {
      const value = `still.${personId.toLowerCase()}@example.org`;
      const submitted = must(await submitRectification(personId, [{ field: 'email', value, reason: 'old address closed' }]), 'submitRequest');
      const closed = await correctOnEvidence(submitted.id, personId, 'the person showed the closure notice');
      expect(closed.status).toBe('PARTIALLY_COMPLETED');
      const task = closed.tasks.find((t) => t.sourceId === 'case_management' && t.recordId === caseId)!;
      expect(task).toMatchObject({ action: 'CORRECT', status: 'FAILED' });
      expect(task.lastError).toContain('VERIFICATION');
      // The reason names the field, never a value.
      expect(task.lastError).not.toContain(value);
      expect(task.lastError).not.toContain(before!.email);
      const [after] = await env.query<{ email: string }>(`SELECT email FROM case_management.cases WHERE id = $1`, [caseId]);
      expect(after!.email).toBe(before!.email);
    } finally {
      await env.query(`DROP TRIGGER keep_email ON case_management.cases`);
      await env.query(`DROP FUNCTION case_management.keep_email()`);
    }
  }, 120_000);
});
