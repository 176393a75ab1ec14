import { describe, expect, it } from 'vitest';
import type { FieldChange, FieldDescription } from '../../../connectors/contract.js';
import { DataCategory, RecordAction, SourceKind } from '../../../src/domain/vocabulary.js';
import { RequestRuleError } from '../../../src/requests/errors.js';
import { planRectification, recordInaccuracyFinding, validateCorrections } from '../../../src/requests/rectification.js';

// The handler reads these messages when a correction is refused: each problem names its field.
const fields: FieldDescription[] = [
  { recordType: 'case', field: 'employer', categories: [DataCategory.EMPLOYMENT], special: false, correctable: true },
  { recordType: 'case', field: 'notes', categories: [DataCategory.HEALTH], special: false, correctable: false },
  { recordType: 'contact', field: 'notes', categories: [DataCategory.HEALTH], special: true, correctable: true },
  { recordType: 'case', field: 'callRecording', categories: [DataCategory.CALL_RECORDING], special: false, correctable: false },
];
const at = new Date('2025-05-01T10:00:00Z');

function refusal(corrections: FieldChange[]): { code: string; message: string; problems: unknown } {
  try {
    validateCorrections({ sourceKind: SourceKind.CASE_MANAGEMENT, fields, corrections });
  } catch (e) {
    if (!(e instanceof RequestRuleError)) throw e;
    return { code: e.code, message: e.message, problems: (e.details as { problems?: unknown } | undefined)?.problems };
  }
  throw new Error('expected a refusal');
}

describe('rectification rules (R14)', () => {
  it('R14: a refused correction names its field and problem in the message', () => {
    expect(refusal([{ field: ' employer ', value: 'x', reason: ' ' }])).toMatchObject({
      code: 'REASON_REQUIRED',
      message: 'The correction of "employer" needs a reason',
    });
    expect(refusal([{ field: 'employer', value: 'x', reason: undefined as unknown as string }]).code).toBe('REASON_REQUIRED');
    expect(
      refusal([
        { field: 'employer', value: 'a', reason: 'r' },
        { field: 'employer', value: 'b', reason: 'r' },
      ]).message,
    ).toBe('"employer" is asked to take two different values');
    expect(refusal([{ field: 'salary', value: 'x', reason: 'r' }]).message).toBe('The source holds no field "salary"');
    expect(refusal([{ field: 'callRecording', value: 'x', reason: 'r' }]).message).toBe('The source cannot correct "callRecording"');
    expect(refusal([]).message).toBe('A rectification needs at least one correction');
  });

  it('R14: the same value asked twice is one correction; a field without a name is unknown', () => {
    const plan = validateCorrections({
      sourceKind: SourceKind.CASE_MANAGEMENT,
      fields,
      corrections: [
        { field: 'employer', value: 'Acme', reason: ' letter ' },
        { field: 'employer', value: 'Acme', reason: 'letter' },
      ],
    });
    expect(plan.changes).toEqual([{ field: 'employer', value: 'Acme', reason: 'letter', mode: RecordAction.CORRECT, special: false }]);
    expect(refusal([{ field: undefined as unknown as string, value: 'x', reason: 'r' }])).toMatchObject({
      code: 'UNKNOWN_FIELD',
      problems: [{ field: '', code: 'UNKNOWN_FIELD' }],
    });
  });

  it('R14: a field is special when any record type describing it is special', () => {
    const plan = validateCorrections({ sourceKind: SourceKind.CASE_MANAGEMENT, fields, corrections: [{ field: 'employer', value: 'y', reason: 'r' }] });
    expect(plan.changes[0]!.special).toBe(false);
    // 'notes' is special in one record type and not in the other.
    const notes = validateCorrections({ sourceKind: SourceKind.CASE_MANAGEMENT, fields, corrections: [{ field: 'notes', value: 'x', reason: 'r' }] });
    expect(notes.changes[0]!.special).toBe(true);
  });

  it('R14: a finding on accuracy needs a reason, the handler who made it and a valid time; it is stored trimmed', () => {
    expect(recordInaccuracyFinding({ inaccurate: true, reason: ' letter ', actor: ' dpo ', at })).toEqual({
      inaccurate: true,
      reason: 'letter',
      actor: 'dpo',
      at,
    });
    expect(() => recordInaccuracyFinding({ inaccurate: true, reason: 'letter', actor: ' ', at })).toThrow(
      'A finding on accuracy needs the handler who made it',
    );
    expect(() => recordInaccuracyFinding({ inaccurate: true, reason: 'letter', actor: undefined as unknown as string, at })).toThrow(RequestRuleError);
    expect(() => recordInaccuracyFinding({ inaccurate: true, reason: ' ', actor: 'dpo', at })).toThrow(/A finding on accuracy/);
    expect(() => recordInaccuracyFinding({ inaccurate: true, reason: 'letter', actor: 'dpo', at: new Date('nope') })).toThrow(/The finding time/);
  });

  it('R14: nothing is corrected without a finding, or when the handler found the data accurate (the message says which)', () => {
    const input = { sourceKind: SourceKind.CASE_MANAGEMENT, fields, corrections: [{ field: 'employer', value: 'Acme', reason: 'r' }] };
    expect(() => planRectification(input)).toThrow('A handler must record that the data was found inaccurate before it is corrected');
    expect(() => planRectification({ ...input, finding: { inaccurate: false, reason: 'checked', actor: 'dpo', at } })).toThrow(
      'The handler found the data accurate: nothing is corrected',
    );
  });
});
