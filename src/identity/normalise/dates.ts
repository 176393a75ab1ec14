// Dates of birth in common written forms, to ISO YYYY-MM-DD.
import { IdentifierType } from '../../domain/vocabulary.js';
import { InvalidIdentifierError } from '../errors.js';

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** Day-first (most of the world) or month-first (US) for ambiguous numeric dates. */
export type DateOrder = 'DMY' | 'MDY';

function monthOf(word: string): number | undefined {
  return MONTHS[word.toLowerCase().slice(0, word.toLowerCase().startsWith('sept') ? 4 : 3)];
}

function fail(reason: string): never {
  throw new InvalidIdentifierError(IdentifierType.DATE_OF_BIRTH, reason);
}

function iso(y: number, m: number, d: number, today: Date): string {
  if (m < 1 || m > 12) fail('month out of range');
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d < 1 || d > days) fail('day out of range');
  if (y < 1850) fail('year out of range');
  const value = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (value > today.toISOString().slice(0, 10)) fail('date of birth in the future');
  return value;
}

export function normaliseDateOfBirth(raw: string, order: DateOrder = 'DMY', today = new Date()): string {
  // Dashes of every kind are "-" ("1984–03–07" from a spreadsheet is the same date).
  const s = raw
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[\p{Pd}\u2212]/gu, '-');
  let m: RegExpMatchArray | null;
  if ((m = s.match(/^(\d{4})(\d{2})(\d{2})$/))) return iso(+m[1]!, +m[2]!, +m[3]!, today); // YYYYMMDD
  if ((m = s.match(/^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/))) return iso(+m[1]!, +m[2]!, +m[3]!, today);
  if ((m = s.match(/^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/))) {
    const a = +m[1]!;
    const b = +m[2]!;
    // An impossible month settles the order; otherwise the configured order decides.
    const dayFirst = a > 12 ? true : b > 12 ? false : order === 'DMY';
    return dayFirst ? iso(+m[3]!, b, a, today) : iso(+m[3]!, a, b, today);
  }
  // "3 March 1980", "3rd Mar. 1980", "March 3, 1980"
  if ((m = s.match(/^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+)\.?,? (\d{4})$/i))) {
    const month = monthOf(m[2]!);
    if (month) return iso(+m[3]!, month, +m[1]!, today);
  }
  if ((m = s.match(/^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/i))) {
    const month = monthOf(m[1]!);
    if (month) return iso(+m[3]!, month, +m[2]!, today);
  }
  return fail('unrecognised date format');
}
