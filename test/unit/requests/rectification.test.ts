import { describe, expect, it } from 'vitest';
import type { FieldDescription } from '../../../connectors/contract.js';
import { DataCategory, IdentifierType, RecordAction, SourceKind } from '../../../src/domain/vocabulary.js';
import { RequestRuleError } from '../../../src/requests/errors.js';
import { planRectification, toFieldChanges, validateCorrections } from '../../../src/requests/rectification.js';

const caseFields: FieldDescription[] = [
  { recordType: 'case', field: 'email', categories: [DataCategory.CONTACT], special: false, correctable: true, identifierType: IdentifierType.EMAIL },
  { recordType: 'case', field: 'employer', categories: [DataCategory.EMPLOYMENT], special: false, correctable: true },
  { recordType: 'case', field: 'callRecording', categories: [DataCategory.CALL_RECORDING], special: false, correctable: false },
  { recordType: 'contact', field: 'phone', categories: [DataCategory.CONTACT], special: false, correctable: true },
];
const clinicFields: FieldDescription[] = [
  { recordType: 'consultation', field: 'diagnosis', categories: [DataCategory.HEALTH], special: true, correctable: false },
  { recordType: 'patient', field: 'familyName', categories: [DataCategory.IDENTITY], special: false, correctable: false },
];
const finding = { inaccurate: true, reason: 'employer letter confirms the new address', actor: 'dpo', at: new Date('2025-05-01T10:00:00Z') };

function errorOf(fn: () => unknown): RequestRuleError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RequestRuleError) return e;
    throw e;
  }
  throw new Error('expected a RequestRuleError');
}

describe('rectification checks', () => {
  it('R14: correctable fields are corrected, with the reason kept and identifiers flagged', () => {
    const plan = planRectification({
      sourceKind: SourceKind.CASE_MANAGEMENT,
      recordType: 'case',
      fields: caseFields,
      corrections: [
        { field: 'email', value: 'new@example.org', reason: 'old address closed' },
        { field: 'employer', value: 'Acme', reason: 'changed job' },
      ],
      finding,
    });
    expect(plan.action).toBe(RecordAction.CORRECT);
    expect(plan.changes[0]).toMatchObject({ mode: RecordAction.CORRECT, identifierType: IdentifierType.EMAIL, reason: 'old address closed' });
    expect(plan.finding).toEqual(finding);
    expect(toFieldChanges(plan)).toEqual([
      { field: 'email', value: 'new@example.org', reason: 'old address closed' },
      { field: 'employer', value: 'Acme', reason: 'changed job' },
    ]);
  });

  it('R14: unknown and non-correctable fields are coded errors, all reported at once', () => {
    const e = errorOf(() =>
      validateCorrections({
        sourceKind: SourceKind.CASE_MANAGEMENT,
        recordType: 'case',
        fields: caseFields,
        corrections: [
          { field: 'shoeSize', value: '44', reason: 'wrong' },
          { field: 'callRecording', value: 'x', reason: 'wrong' },
          { field: 'phone', value: '1', reason: 'belongs to another record type' },
        ],
      }),
    );
    expect(e.code).toBe('UNKNOWN_FIELD');
    expect(e.details.problems).toEqual([
      { field: 'shoeSize', code: 'UNKNOWN_FIELD' },
      { field: 'callRecording', code: 'FIELD_NOT_CORRECTABLE' },
      { field: 'phone', code: 'UNKNOWN_FIELD' },
    ]);
    expect(
      errorOf(() =>
        validateCorrections({ sourceKind: SourceKind.CASE_MANAGEMENT, fields: caseFields, corrections: [{ field: 'callRecording', value: 'x', reason: 'r' }] }),
      ).code,
    ).toBe('FIELD_NOT_CORRECTABLE');
  });

  it('R14: medical records are annotated, not overwritten', () => {
    const plan = planRectification({
      sourceKind: SourceKind.CLINIC,
      sourceRules: { annotatesCorrections: true },
      recordType: 'consultation',
      fields: clinicFields,
      corrections: [{ field: 'diagnosis', value: 'not asthma', reason: 'second opinion' }],
      finding,
    });
    expect(plan.action).toBe(RecordAction.ANNOTATE);
    expect(plan.changes).toEqual([{ field: 'diagnosis', value: 'not asthma', reason: 'second opinion', mode: RecordAction.ANNOTATE, special: true }]);
    expect(
      errorOf(() =>
        validateCorrections({ sourceKind: SourceKind.CLINIC, fields: clinicFields, corrections: [{ field: 'bloodType', value: 'A', reason: 'r' }] }),
      ).code,
    ).toBe('UNKNOWN_FIELD');
  });

  it('R14: nothing is corrected without a handler finding that the data was inaccurate', () => {
    const base = { sourceKind: SourceKind.CASE_MANAGEMENT, fields: caseFields, corrections: [{ field: 'employer', value: 'Acme', reason: 'r' }] };
    expect(errorOf(() => planRectification(base)).code).toBe('INACCURACY_NOT_ESTABLISHED');
    expect(errorOf(() => planRectification({ ...base, finding: { ...finding, inaccurate: false } })).code).toBe('INACCURACY_NOT_ESTABLISHED');
    expect(errorOf(() => planRectification({ ...base, finding: { ...finding, reason: ' ' } })).code).toBe('REASON_REQUIRED');
  });

  it('each correction needs a reason; a field cannot take two values; an empty list is refused', () => {
    const fields = caseFields;
    const k = SourceKind.CASE_MANAGEMENT;
    expect(errorOf(() => validateCorrections({ sourceKind: k, fields, corrections: [] })).code).toBe('NO_CORRECTIONS');
    expect(errorOf(() => validateCorrections({ sourceKind: k, fields, corrections: [{ field: 'employer', value: 'A', reason: '' }] })).code).toBe(
      'REASON_REQUIRED',
    );
    const twice = [
      { field: 'employer', value: 'A', reason: 'r' },
      { field: 'employer', value: 'B', reason: 'r' },
    ];
    expect(errorOf(() => validateCorrections({ sourceKind: k, fields, corrections: twice })).code).toBe('CONFLICTING_CORRECTIONS');
  });
});
