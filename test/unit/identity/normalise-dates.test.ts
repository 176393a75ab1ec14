import { describe, expect, it } from 'vitest';
import { refusalOf } from './refusal.js';
import { normaliseDateOfBirth } from '../../../src/identity/normalise/dates.js';

// Dates of birth as people write them, to ISO; a refusal names why (never the value).
const today = new Date('2020-05-01T12:00:00Z');
const dob = (raw: string, order: 'DMY' | 'MDY' = 'DMY') => normaliseDateOfBirth(raw, order, today);

function reasonOf(raw: string): string {
  const refusal = refusalOf(() => dob(raw));
  expect(refusal.identifierType).toBe('DATE_OF_BIRTH');
  return refusal.reason;
}

describe('dates of birth', () => {
  it('reads ISO-like dates with any separator, padding month and day, ignoring a time', () => {
    expect(dob('1980-4-9')).toBe('1980-04-09');
    expect(dob('1980/04/09')).toBe('1980-04-09');
    expect(dob('1980.04.09')).toBe('1980-04-09');
    expect(dob('1980-04-09 10:30')).toBe('1980-04-09');
    expect(dob('19800409')).toBe('1980-04-09');
    // R10: typographic dashes a spreadsheet puts in (en dash, non-breaking hyphen, minus sign).
    expect(dob('1980\u201304\u201309')).toBe('1980-04-09');
    expect(dob('09\u201104\u20111980')).toBe('1980-04-09');
    expect(dob('09\u221204\u22121980')).toBe('1980-04-09');
  });

  it('reads numeric day and month in the configured order unless one of them cannot be a month', () => {
    expect(dob('03/04/1980')).toBe('1980-04-03');
    expect(dob('03/04/1980', 'MDY')).toBe('1980-03-04');
    expect(dob('13/04/1980', 'MDY')).toBe('1980-04-13');
    expect(dob('04/13/1980', 'DMY')).toBe('1980-04-13');
    expect(dob('12/11/1980')).toBe('1980-11-12');
    // 12 can be a month: the configured order still decides.
    expect(dob('05/12/1980')).toBe('1980-12-05');
    expect(dob('12/05/1980', 'MDY')).toBe('1980-12-05');
    expect(dob('11/12/1980', 'MDY')).toBe('1980-11-12');
    expect(normaliseDateOfBirth('03/04/1980', undefined, today)).toBe('1980-04-03');
  });

  it('reads month names, abbreviated or in full, day first or month first', () => {
    expect(dob(' 3   March  1980 ')).toBe('1980-03-03');
    expect(dob('3rd Mar. 1980')).toBe('1980-03-03');
    expect(dob('21st DEC, 1980')).toBe('1980-12-21');
    expect(dob('Sept 3, 1980')).toBe('1980-09-03');
    expect(dob('SEPTEMBER 3 1980')).toBe('1980-09-03');
    expect(dob('sep 22nd 1980')).toBe('1980-09-22');
    expect(dob('Dec. 25th, 1980')).toBe('1980-12-25');
  });

  it('refuses impossible months and days, leap days included', () => {
    expect(reasonOf('1980-13-01')).toBe('month out of range');
    expect(reasonOf('1980-00-10')).toBe('month out of range');
    expect(reasonOf('1980-01-00')).toBe('day out of range');
    expect(reasonOf('1980-04-31')).toBe('day out of range');
    expect(dob('1980-04-30')).toBe('1980-04-30');
    expect(dob('2000-02-29')).toBe('2000-02-29');
    expect(reasonOf('1900-02-29')).toBe('day out of range');
    expect(reasonOf('19800230')).toBe('day out of range');
  });

  it('refuses years before 1850 and dates after today; today itself is a date of birth', () => {
    expect(reasonOf('1849-12-31')).toBe('year out of range');
    expect(dob('1850-01-01')).toBe('1850-01-01');
    expect(reasonOf('2020-05-02')).toBe('date of birth in the future');
    expect(dob('2020-05-01')).toBe('2020-05-01');
    expect(() => normaliseDateOfBirth('2990-01-01')).toThrow('Invalid DATE_OF_BIRTH: date of birth in the future');
  });

  it('refuses what it cannot read, unknown month words included', () => {
    expect(reasonOf('3 Foo 1980')).toBe('unrecognised date format');
    expect(reasonOf('Foo 3, 1980')).toBe('unrecognised date format');
    expect(reasonOf('1980')).toBe('unrecognised date format');
    expect(reasonOf('x1980-04-09')).toBe('unrecognised date format');
    expect(reasonOf('03/04/1980x')).toBe('unrecognised date format');
    for (const raw of ['x03/04/1980', 'x19800409', '198004091', '1980-04-09x', 'x3 March 1980', '3 March 1980x', '-March 3, 1980', 'March 3, 1980x']) {
      expect(reasonOf(raw)).toBe('unrecognised date format');
    }
  });
});
