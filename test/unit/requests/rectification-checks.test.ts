import { describe, expect, it } from 'vitest';
import type { FieldDescription, SourceDescription } from '../../../connectors/contract.js';
import { DomainError } from '../../../src/domain/errors.js';
import { DataCategory, IdentifierType, RecordAction, RequestType, SourceKind } from '../../../src/domain/vocabulary.js';
import type { RecordDecision } from '../../../src/requests/decisions.js';
import {
  assertCorrectableSomewhere,
  assertInaccuracyEstablished,
  buildInaccuracyFinding,
  checkCorrections,
  correctionTargetOf,
  fieldVerdicts,
  fitCorrectionValues,
  rectifyDecision,
  type CorrectionTarget,
} from '../../../src/requests/rectification-checks.js';
import type { InaccuracyFindingRecord } from '../../../src/requests/store/data-subject-request.entity.js';
import { retention } from './fixtures.js';

// Rectification over a request's records (R14): which source takes which field, the
// decision each record gets, and the handler's finding. The texts here are what a handler
// reads in the console and the response letter.
const caseFields: FieldDescription[] = [
  { recordType: 'case', field: 'employer', categories: [DataCategory.EMPLOYMENT], special: false, correctable: true },
  { recordType: 'case', field: 'notes', categories: [DataCategory.HEALTH], special: false, correctable: false },
  { recordType: 'contact', field: 'phone', categories: [DataCategory.CONTACT], special: false, correctable: true },
];
const caseSource: CorrectionTarget = { sourceKind: SourceKind.CASE_MANAGEMENT, fields: caseFields };
// A clinic says itself that it annotates (its connector's rules), as the medical source does.
const clinicSource: CorrectionTarget = {
  sourceKind: SourceKind.CLINIC,
  sourceRules: { annotatesCorrections: true },
  fields: [{ recordType: 'patient', field: 'familyName', categories: [DataCategory.IDENTITY], special: false, correctable: false }],
};
const silentSource: CorrectionTarget = { sourceKind: SourceKind.OTHER, fields: null };

const fix = (field: string, value = 'new', reason = 'letter from the person') => ({ field, value, reason });
const at = new Date('2025-05-01T10:00:00Z');

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

function finding(rejected: string[], inaccurate = true): InaccuracyFindingRecord {
  return {
    inaccurate,
    reason: 'checked against the contract',
    evidenceRef: null,
    actor: 'dpo',
    at: at.toISOString(),
    accepted: [],
    rejected: rejected.map((field) => ({ field, reason: 'correct as held' })),
  };
}

const correct: RecordDecision = { action: RecordAction.CORRECT, reason: 'The person asked for a correction', rules: ['R14'] };

describe('field verdicts per source (R14)', () => {
  it('says per field whether the record type takes it, and how', () => {
    const verdicts = fieldVerdicts(caseSource, 'case', [fix('employer'), fix('notes'), fix('phone'), fix('salary')]);
    expect(verdicts).toEqual([
      { field: 'employer', applies: true, mode: RecordAction.CORRECT },
      { field: 'notes', applies: false, code: 'FIELD_NOT_CORRECTABLE' },
      { field: 'phone', applies: false, code: 'UNKNOWN_FIELD' },
      { field: 'salary', applies: false, code: 'UNKNOWN_FIELD' },
    ]);
    // Without a record type, a field of any record type of the source counts.
    expect(fieldVerdicts(caseSource, undefined, [fix('phone')])).toEqual([{ field: 'phone', applies: true, mode: RecordAction.CORRECT }]);
    expect(fieldVerdicts(caseSource, 'case', [fix('employer', 'Acme', ' ')])).toEqual([{ field: 'employer', applies: false, code: 'REASON_REQUIRED' }]);
  });

  it('annotates where the source never overwrites and says it annotates: a clinic, or any source by the rules it describes', () => {
    expect(fieldVerdicts(clinicSource, 'patient', [fix('familyName')])).toEqual([{ field: 'familyName', applies: true, mode: RecordAction.ANNOTATE }]);
    const annotating: CorrectionTarget = { ...caseSource, sourceRules: { annotatesCorrections: true } };
    expect(fieldVerdicts(annotating, 'case', [fix('notes')])).toEqual([{ field: 'notes', applies: true, mode: RecordAction.ANNOTATE }]);
  });

  it('a source that could not describe its fields holds none of them', () => {
    expect(fieldVerdicts(silentSource, undefined, [fix('employer')])).toEqual([{ field: 'employer', applies: false, code: 'UNKNOWN_FIELD' }]);
  });

  it('a programming error is not turned into a verdict', () => {
    expect(() => fieldVerdicts(caseSource, 'case', [{ field: 'employer', value: 'x', reason: 42 as unknown as string }])).toThrow(TypeError);
  });
});

describe('a field correctable somewhere (submit and verification)', () => {
  it('accepts a field that one source can take, even when another cannot', () => {
    expect(() => assertCorrectableSomewhere([clinicSource, caseSource], [fix('employer'), fix('familyName')])).not.toThrow();
    expect(() => assertCorrectableSomewhere([caseSource], [fix('phone')])).not.toThrow();
  });

  it('refuses a field no source holds: UNKNOWN_FIELD, naming it', () => {
    const e = errorOf(() => assertCorrectableSomewhere([caseSource, clinicSource], [fix('employer'), fix('salary'), fix('notes')]));
    expect(e.code).toBe('UNKNOWN_FIELD');
    expect(e.message).toBe('No source holds a field "salary": name the field as the sources describe it');
    expect(e.details).toEqual({
      field: 'salary',
      problems: [
        { field: 'salary', code: 'UNKNOWN_FIELD' },
        { field: 'notes', code: 'FIELD_NOT_CORRECTABLE' },
      ],
    });
  });

  it('refuses a field sources hold but none may change: FIELD_NOT_CORRECTABLE', () => {
    const e = errorOf(() => assertCorrectableSomewhere([{ ...silentSource, fields: [] }, caseSource], [fix('notes')]));
    expect(e.code).toBe('FIELD_NOT_CORRECTABLE');
    expect(e.message).toBe('No source may correct or annotate "notes"');
    expect(e.details).toEqual({ field: 'notes', problems: [{ field: 'notes', code: 'FIELD_NOT_CORRECTABLE' }] });
  });

  it('leaves the decision to the records when a source could not describe its fields, or there is no source', () => {
    expect(() => assertCorrectableSomewhere([caseSource, silentSource], [fix('salary')])).not.toThrow();
    expect(() => assertCorrectableSomewhere([], [fix('salary')])).not.toThrow();
  });
});

describe('the decision of one record of a rectification', () => {
  it('narrows a correction to the fields the record takes, and says what is left out', () => {
    const out = rectifyDecision(correct, caseSource, 'case', [fix('employer'), fix('notes'), fix('phone')], null);
    expect(out.correctionFields).toEqual(['employer']);
    expect(out.decision).toEqual({
      ...correct,
      reason: 'The person asked for a correction (corrected: employer; not correctable here: notes; not held in this record: phone)',
    });
    expect(rectifyDecision(correct, caseSource, 'case', [fix('employer')], null).decision.reason).toBe(
      'The person asked for a correction (corrected: employer)',
    );
  });

  it('lists every field of each kind, comma-separated', () => {
    const wide: CorrectionTarget = {
      sourceKind: SourceKind.CASE_MANAGEMENT,
      fields: [
        ...caseFields,
        { recordType: 'case', field: 'email', categories: [DataCategory.CONTACT], special: false, correctable: true },
        { recordType: 'case', field: 'callRecording', categories: [DataCategory.CALL_RECORDING], special: false, correctable: false },
      ],
    };
    const asked = ['employer', 'email', 'notes', 'callRecording', 'phone', 'salary', 'title', 'department'].map((f) => fix(f));
    const out = rectifyDecision(correct, wide, 'case', asked, finding(['title', 'department']));
    expect(out.correctionFields).toEqual(['employer', 'email']);
    expect(out.decision.reason).toBe(
      'The person asked for a correction (corrected: employer, email; not correctable here: notes, callRecording; not held in this record: phone, salary; found accurate: title, department)',
    );
  });

  it('annotates in a source that never overwrites', () => {
    const annotate: RecordDecision = { ...correct, action: RecordAction.ANNOTATE };
    const out = rectifyDecision(annotate, clinicSource, 'patient', [fix('familyName')], null);
    expect(out).toEqual({ decision: { ...annotate, reason: 'The person asked for a correction (annotated: familyName)' }, correctionFields: ['familyName'] });
  });

  it('R14: a source only of an annotating kind, which does not say itself it annotates, takes no correction: it would overwrite (a team database registered as a clinic)', () => {
    const unsaid: CorrectionTarget = {
      sourceKind: SourceKind.CLINIC,
      fields: [{ recordType: 'patient', field: 'familyName', categories: [DataCategory.IDENTITY], special: false, correctable: true }],
    };
    expect(fieldVerdicts(unsaid, 'patient', [fix('familyName')])).toEqual([{ field: 'familyName', applies: false, code: 'FIELD_NOT_CORRECTABLE' }]);
    const annotate: RecordDecision = { ...correct, action: RecordAction.ANNOTATE };
    const out = rectifyDecision(annotate, unsaid, 'patient', [fix('familyName')], null);
    expect(out.correctionFields).toEqual([]);
    expect(out.decision).toMatchObject({ action: RecordAction.RETAIN, basis: 'field not correctable here', rules: ['R14'] });
    expect(errorOf(() => assertCorrectableSomewhere([unsaid], [fix('familyName')])).code).toBe('FIELD_NOT_CORRECTABLE');
  });

  it('leaves out the fields the handler found accurate', () => {
    const out = rectifyDecision(correct, caseSource, 'case', [fix('employer'), fix('notes')], finding(['notes']));
    expect(out.correctionFields).toEqual(['employer']);
    expect(out.decision.reason).toBe('The person asked for a correction (corrected: employer; found accurate: notes)');
  });

  it('retains a record that takes none of the fields, with the reason (R14)', () => {
    expect(rectifyDecision(correct, caseSource, 'case', [fix('notes'), fix('phone')], finding(['employer']))).toEqual({
      decision: {
        action: RecordAction.RETAIN,
        basis: 'field not correctable here',
        reason: 'Nothing is corrected in this record: not correctable here: notes; not held in this record: phone',
        rules: ['R14'],
      },
      correctionFields: [],
    });
    expect(rectifyDecision(correct, caseSource, 'case', [fix('phone')], null).decision).toEqual({
      action: RecordAction.RETAIN,
      basis: 'field not held in this record',
      reason: 'Nothing is corrected in this record: not held in this record: phone',
      rules: ['R14'],
    });
  });

  it('says the data was found accurate only when nothing else stood in the way', () => {
    const accurate = rectifyDecision(correct, caseSource, 'case', [fix('employer')], finding(['employer']));
    expect(accurate.decision).toEqual({
      action: RecordAction.RETAIN,
      basis: 'the data was found accurate',
      reason: 'Nothing is corrected in this record: found accurate: employer',
      rules: ['R14'],
    });
    const alsoNotHeld = rectifyDecision(correct, caseSource, 'case', [fix('employer'), fix('phone')], finding(['employer']));
    expect(alsoNotHeld.decision.basis).toBe('field not held in this record');
    expect(alsoNotHeld.decision.reason).toBe('Nothing is corrected in this record: not held in this record: phone; found accurate: employer');
  });

  it('sends a record whose source could not describe its fields to a handler', () => {
    expect(rectifyDecision(correct, silentSource, 'case', [fix('employer')], null)).toEqual({
      decision: {
        action: RecordAction.RETAIN,
        basis: 'the source could not describe its fields',
        reason: 'Nothing is corrected in this record: the source could not describe its fields',
        needsReview: true,
        rules: ['R14'],
      },
      correctionFields: [],
    });
  });

  it('while waiting for the controller (R6), proposes to retain instead', () => {
    const waiting: RecordDecision = {
      action: RecordAction.RETAIN,
      needsController: true,
      proposedAction: RecordAction.CORRECT,
      reason: 'Waiting for the controller',
      rules: ['R6'],
    };
    expect(rectifyDecision(waiting, caseSource, 'case', [fix('notes')], null)).toEqual({
      decision: { ...waiting, proposedAction: RecordAction.RETAIN, reason: 'Waiting for the controller; nothing to correct here (field not correctable here)' },
      correctionFields: [],
    });
    const takes = rectifyDecision(waiting, caseSource, 'case', [fix('employer')], null);
    expect(takes).toEqual({ decision: { ...waiting, reason: 'Waiting for the controller (corrected: employer)' }, correctionFields: ['employer'] });
  });

  it('leaves other decisions alone (a refusal, an erasure proposed, no controller involved)', () => {
    const refused: RecordDecision = { action: RecordAction.RETAIN, reason: 'The controller refused', rules: ['R6'] };
    expect(rectifyDecision(refused, caseSource, 'case', [fix('employer')], null)).toEqual({ decision: refused, correctionFields: null });
    const proposedErase: RecordDecision = { ...refused, needsController: true, proposedAction: RecordAction.ERASE };
    expect(rectifyDecision(proposedErase, caseSource, 'case', [fix('employer')], null)).toEqual({ decision: proposedErase, correctionFields: null });
    const notWaiting: RecordDecision = { ...refused, proposedAction: RecordAction.CORRECT };
    expect(rectifyDecision(notWaiting, caseSource, 'case', [fix('employer')], null)).toEqual({ decision: notWaiting, correctionFields: null });
  });
});

describe("the handler's finding on accuracy (R14)", () => {
  const requested = [fix('employer'), fix('notes'), fix('employer', 'other')];

  it('stores who, when, why and which fields were found inaccurate; no values', () => {
    const out = buildInaccuracyFinding({ inaccurate: true, reason: ' contract shows the change ', evidenceRef: ' DOC-7 ' }, requested, ' dpo ', at);
    expect(out).toEqual({
      inaccurate: true,
      reason: 'contract shows the change',
      evidenceRef: 'DOC-7',
      actor: 'dpo',
      at: '2025-05-01T10:00:00.000Z',
      accepted: ['employer', 'notes'],
      rejected: [],
    });
    expect(buildInaccuracyFinding({ inaccurate: true, reason: 'r', evidenceRef: '  ' }, requested, 'dpo', at).evidenceRef).toBeNull();
  });

  it('keeps the fields found accurate apart, each with its reason', () => {
    const out = buildInaccuracyFinding(
      { inaccurate: true, reason: 'r', rejectedCorrections: [{ field: ' notes ', reason: ' as recorded by the nurse ' }] },
      requested,
      'dpo',
      at,
    );
    expect(out.accepted).toEqual(['employer']);
    expect(out.rejected).toEqual([{ field: 'notes', reason: 'as recorded by the nurse' }]);
  });

  it('found accurate: every field is rejected, with its own reason or the finding’s', () => {
    const out = buildInaccuracyFinding(
      { inaccurate: false, reason: 'matches the signed form', rejectedCorrections: [{ field: 'notes', reason: 'nurse' }] },
      requested,
      'dpo',
      at,
    );
    expect(out.inaccurate).toBe(false);
    expect(out.accepted).toEqual([]);
    expect(out.rejected).toEqual([
      { field: 'notes', reason: 'nurse' },
      { field: 'employer', reason: 'matches the signed form' },
    ]);
  });

  it('refuses a field the person did not ask about, a field named twice, and a field without a reason', () => {
    const unknown = errorOf(() =>
      buildInaccuracyFinding({ inaccurate: true, reason: 'r', rejectedCorrections: [{ field: 'salary', reason: 'x' }] }, requested, 'dpo', at),
    );
    expect(unknown.code).toBe('UNKNOWN_FIELD');
    expect(unknown.message).toBe('"salary" is not among the corrections the person asked for');
    expect(unknown.details).toEqual({ field: 'salary', requested: ['employer', 'notes'] });
    const unnamed = errorOf(() =>
      buildInaccuracyFinding(
        { inaccurate: true, reason: 'r', rejectedCorrections: [{ field: undefined as unknown as string, reason: 'x' }] },
        requested,
        'dpo',
        at,
      ),
    );
    expect(unnamed.details).toMatchObject({ field: '' });

    const twice = errorOf(() =>
      buildInaccuracyFinding(
        {
          inaccurate: false,
          reason: 'r',
          rejectedCorrections: [
            { field: 'notes', reason: 'x' },
            { field: 'notes ', reason: 'y' },
          ],
        },
        requested,
        'dpo',
        at,
      ),
    );
    expect(twice.code).toBe('CONFLICTING_CORRECTIONS');
    expect(twice.message).toBe('"notes" is named twice in the finding');
    expect(twice.details).toEqual({ field: 'notes' });

    for (const reason of [' ', null as unknown as string]) {
      const bare = errorOf(() =>
        buildInaccuracyFinding({ inaccurate: true, reason: 'r', rejectedCorrections: [{ field: 'notes', reason }] }, requested, 'dpo', at),
      );
      expect(bare.code).toBe('REASON_REQUIRED');
      expect(bare.message).toBe('Finding "notes" accurate needs a reason');
      expect(bare.details).toEqual({ field: 'notes' });
    }
  });

  it('refuses an inaccurate finding that rejects every correction: that is a finding of accuracy', () => {
    const e = errorOf(() =>
      buildInaccuracyFinding(
        {
          inaccurate: true,
          reason: 'r',
          rejectedCorrections: [
            { field: 'notes', reason: 'x' },
            { field: 'employer', reason: 'y' },
          ],
        },
        requested,
        'dpo',
        at,
      ),
    );
    expect(e.code).toBe('NO_CORRECTIONS');
    expect(e.message).toBe('Every requested correction was found unwarranted: record the finding with inaccurate: false instead');
  });

  it('nothing is corrected before a handler found the data inaccurate', () => {
    const none = errorOf(() => assertInaccuracyEstablished(null));
    expect(none.code).toBe('INACCURACY_NOT_ESTABLISHED');
    expect(none.message).toBe('A handler must record that the data was found inaccurate (recordInaccuracyFinding) before anything is corrected');
    const accurate = errorOf(() => assertInaccuracyEstablished(finding([], false)));
    expect(accurate.code).toBe('INACCURACY_NOT_ESTABLISHED');
    expect(accurate.message).toBe('The data was found accurate: nothing is corrected; answer the person with rejectRequest');
    expect(accurate.details).toEqual({ findingAt: '2025-05-01T10:00:00.000Z' });
    expect(() => assertInaccuracyEstablished(finding([]))).not.toThrow();
  });
});

describe('correction targets and the corrections a request carries', () => {
  const description = (rules?: SourceDescription['rules']): SourceDescription => ({
    kind: SourceKind.CASE_MANAGEMENT,
    name: 'Cases',
    fields: caseFields,
    retention: retention.case,
    controller: {} as SourceDescription['controller'],
    ...(rules ? { rules } : {}),
  });

  it("a source's target is its kind, its described rules and its fields (null when it could not say)", () => {
    expect(correctionTargetOf({ kind: SourceKind.CCTV, description: null })).toEqual({ sourceKind: SourceKind.CCTV, fields: null });
    expect(correctionTargetOf({ kind: SourceKind.CASE_MANAGEMENT, description: description() })).toEqual({
      sourceKind: SourceKind.CASE_MANAGEMENT,
      fields: caseFields,
    });
    expect(correctionTargetOf({ kind: SourceKind.CASE_MANAGEMENT, description: description({ annotatesCorrections: true }) })).toEqual({
      sourceKind: SourceKind.CASE_MANAGEMENT,
      sourceRules: { annotatesCorrections: true },
      fields: caseFields,
    });
  });

  it('a rectification carries at least one correction, each with its field and reason, trimmed', () => {
    expect(checkCorrections(RequestType.RECTIFICATION, [{ field: ' employer ', value: ' Acme ', reason: ' new job ' }])).toEqual([
      { field: 'employer', value: ' Acme ', reason: 'new job' },
    ]);
    for (const none of [null, []]) {
      const e = errorOf(() => checkCorrections(RequestType.RECTIFICATION, none));
      expect(e.code).toBe('NO_CORRECTIONS');
      expect(e.message).toBe('A rectification needs at least one correction');
    }
    for (const field of ['  ', undefined as unknown as string]) {
      const e = errorOf(() => checkCorrections(RequestType.RECTIFICATION, [{ field, value: 'x', reason: 'r' }]));
      expect(e.code).toBe('BAD_USER_INPUT');
      expect(e.message).toBe('A correction names the field to correct');
    }
    const bare = errorOf(() => checkCorrections(RequestType.RECTIFICATION, [{ field: 'employer', value: 'x', reason: ' ' }]));
    expect(bare.code).toBe('REASON_REQUIRED');
    expect(bare.message).toBe('The correction of "employer" needs a reason');
  });

  it('other request types carry no corrections', () => {
    expect(checkCorrections(RequestType.ACCESS, null)).toBeNull();
    expect(checkCorrections(RequestType.ERASURE, [])).toBeNull();
    const e = errorOf(() => checkCorrections(RequestType.ACCESS, [fix('employer')]));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toBe('Corrections belong to RECTIFICATION requests only');
  });
});

describe('fitCorrectionValues (R14: a corrected identifier the gateway can read back)', () => {
  const personFields: FieldDescription[] = [
    {
      recordType: 'case',
      field: 'date_of_birth',
      categories: [DataCategory.IDENTITY],
      special: false,
      correctable: true,
      identifierType: IdentifierType.DATE_OF_BIRTH,
    },
    { recordType: 'case', field: 'email', categories: [DataCategory.CONTACT], special: false, correctable: true, identifierType: IdentifierType.EMAIL },
    { recordType: 'case', field: 'employer', categories: [DataCategory.EMPLOYMENT], special: false, correctable: true },
  ];
  const targets: CorrectionTarget[] = [{ sourceKind: SourceKind.CASE_MANAGEMENT, fields: personFields }];
  const c = (field: string, value: string) => ({ field, value, reason: 'r' });

  it('a date of birth becomes the ISO date the gateway reads (day first); other values stay as the person wrote them', () => {
    expect(fitCorrectionValues(targets, [c('date_of_birth', '07/03/1984'), c('email', 'Jane@Example.org'), c('employer', 'ACME  ')])).toEqual([
      c('date_of_birth', '1984-03-07'),
      c('email', 'Jane@Example.org'),
      c('employer', 'ACME  '),
    ]);
  });

  it('refuses a value its identifier field cannot hold, naming the field and type, never the value; a blank value clears the field', () => {
    expect(fitCorrectionValues(targets, [c('email', '  ')])).toEqual([c('email', '  ')]);
    try {
      fitCorrectionValues(targets, [c('email', 'jane at example')]);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_CORRECTION_VALUE', details: { field: 'email', identifierType: 'EMAIL' } });
      expect((error as Error).message).not.toContain('jane at example');
    }
  });
});
