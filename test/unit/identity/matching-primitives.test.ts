// The small pieces the comparison levels and explanations stand on: edit distances, the
// phonetic agreement of names in either code, hiding compared values (R12) and the check
// that refuses parameters which do not fit the comparisons.
import { describe, expect, it } from 'vitest';
import { phoneticMatch, withinEdits, withinOneEdit } from '../../../src/identity/matching/similarity.js';
import { REDACTED, redactExplanation } from '../../../src/identity/matching/redaction.js';
import { checkParameters, defaultParameters } from '../../../src/identity/matching/parameters.js';
import type { FieldComparison, MatchExplanation } from '../../../src/identity/matching/model.js';

describe('edit distances', () => {
  it('one edit: a substitution, an insertion, a deletion or an adjacent transposition; not two', () => {
    expect(withinOneEdit('mason', 'mason')).toBe(true);
    expect(withinOneEdit('mason', 'masin')).toBe(true);
    expect(withinOneEdit('mason', 'masonn')).toBe(true);
    expect(withinOneEdit('mason', 'mson')).toBe(true);
    expect(withinOneEdit('mason', 'maosn')).toBe(true);
    expect(withinOneEdit('mason', 'nasom')).toBe(false);
    expect(withinOneEdit('mason', 'masonnn')).toBe(false);
    expect(withinOneEdit('ab', 'abcd')).toBe(false);
  });

  it('n edits: the length difference alone can rule a pair out, and exactly n edits are within', () => {
    expect(withinEdits('bolton', 'bolno', 2)).toBe(true);
    expect(withinEdits('bolton', 'tolon', 2)).toBe(true);
    expect(withinEdits('bolton', 'bolt', 2)).toBe(true);
    expect(withinEdits('bolton', 'bol', 2)).toBe(false);
    expect(withinEdits('bolton', 'xxlton', 1)).toBe(false);
    expect(withinEdits('abc', 'abcd', 1)).toBe(true);
    expect(withinEdits('abc', 'abcde', 1)).toBe(false);
  });
});

describe('phonetic agreement', () => {
  it('either code of one side equal to either code of the other agrees; empty codes never do', () => {
    expect(phoneticMatch(['SM0', 'XMT'], ['SM0', 'XMT'])).toBe(true);
    expect(phoneticMatch(['SM0', 'XMT'], ['XMT', 'ZZZ'])).toBe(true);
    expect(phoneticMatch(['ZZZ', 'SM0'], ['SM0', 'YYY'])).toBe(true);
    expect(phoneticMatch(['ZZZ', 'SM0'], ['YYY', 'SM0'])).toBe(true);
    expect(phoneticMatch(['SM0', ''], ['YYY', 'SM0'])).toBe(true);
    expect(phoneticMatch(['SM0', 'XMT'], ['JNS', 'ANS'])).toBe(false);
    expect(phoneticMatch(['', ''], ['', ''])).toBe(false);
    expect(phoneticMatch(['', 'XMT'], ['', 'JNS'])).toBe(false);
  });
});

describe('redacted explanations (R12)', () => {
  const field = (over: Partial<FieldComparison>): FieldComparison => ({
    field: 'dateOfBirth',
    group: 'DOB',
    level: 'exact',
    kind: 'agree',
    queryValue: '1981-11-28',
    recordValue: '1981-11-28',
    m: 0.9,
    u: 0.01,
    weight: 6.5,
    tfAdjustment: 0,
    ...over,
  });
  const explanation = (fields: FieldComparison[]): MatchExplanation => ({
    parametersVersion: 'v2',
    priorWeight: -10,
    fields,
    totalWeight: 3,
    probability: 0.9,
    agreeingIdentifiers: ['DOB'],
  });

  it('withholds the compared values of a group the caller may not see, keeping levels and weights', () => {
    const out = redactExplanation(
      explanation([field({}), field({ field: 'email', group: 'EMAIL', queryValue: 'a@b.c', recordValue: 'a@b.c' })]),
      (g) => g !== 'DOB',
    );
    expect(out.fields[0]).toEqual({ ...field({}), queryValue: REDACTED, recordValue: REDACTED });
    expect(out.fields[1]!.queryValue).toBe('a@b.c');
    expect(REDACTED).toBe('[redacted]');
    expect(out.totalWeight).toBe(3);
  });

  it('a side that had no value stays empty (nothing to hide, and absence is not a value)', () => {
    const out = redactExplanation(
      explanation([field({ queryValue: null }), field({ recordValue: null }), field({ queryValue: null, recordValue: null })]),
      () => false,
    );
    expect(out.fields.map((f) => [f.queryValue, f.recordValue])).toEqual([
      [null, REDACTED],
      [REDACTED, null],
      [null, null],
    ]);
  });
});

describe('parameters are checked against the comparisons', () => {
  const valid = () => structuredClone(defaultParameters()) as ReturnType<typeof defaultParameters>;

  it('the shipped parameters pass, and the check is done once', () => {
    expect(checkParameters(valid()).version).toBe(defaultParameters().version);
    expect(defaultParameters()).toBe(defaultParameters());
  });

  it('a review threshold above the match threshold is refused; equal thresholds are allowed', () => {
    const p = valid();
    p.thresholds = { match: 0.5, review: 0.6 };
    expect(() => checkParameters(p)).toThrow('review threshold above match threshold');
    p.thresholds = { match: 0.5, review: 0.5 };
    expect(() => checkParameters(p)).not.toThrow();
  });

  it('a comparison without levels, or with other levels than the model compares, is refused by name', () => {
    const field = Object.keys(valid().comparisons)[0]!;
    const missing = valid();
    delete missing.comparisons[field];
    expect(() => checkParameters(missing)).toThrow(`no levels for ${field}`);
    const renamed = valid();
    renamed.comparisons[field]!.levels[0]!.label = 'something else';
    expect(() => checkParameters(renamed)).toThrow(new RegExp(`${field} levels something else`));
    const reordered = valid();
    reordered.comparisons[field]!.levels.reverse();
    expect(() => checkParameters(reordered)).toThrow(`${field} levels`);
  });
});
