// Reference numbers (membership, patient, candidate, badge, employee, learner, certificate)
// and national ids: uppercase, without the spaces, dashes, dots and slashes people type.
// Dashes of every kind: a spreadsheet or a word processor turns "-" into "–" or a
// non-breaking hyphen, and the number is the same (R10: refused, it passed the guard).
import type { IdentifierType } from '../../domain/vocabulary.js';
import { InvalidIdentifierError } from '../errors.js';

export function normaliseReference(type: IdentifierType, raw: string): string {
  const value = raw
    .trim()
    .toUpperCase()
    .replace(/[\s\p{Pd}\u2212./_]+/gu, '');
  if (!value) throw new InvalidIdentifierError(type, 'empty');
  if (!/^[A-Z0-9]+$/.test(value)) throw new InvalidIdentifierError(type, 'only letters and digits are allowed');
  if (value.length > 64) throw new InvalidIdentifierError(type, 'too long');
  return value;
}
