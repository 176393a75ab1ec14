// Emails and phone numbers.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { IdentifierType } from '../../domain/vocabulary.js';
import { InvalidIdentifierError } from '../errors.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;

/**
 * Lowercase and trim. Dots and "+tags" are kept: only some providers ignore them, and
 * treating two real mailboxes as one is worse than missing a variant (the model still
 * compares local parts fuzzily).
 */
export function normaliseEmail(raw: string): string {
  const value = raw.trim().replace(/^mailto:/i, '').toLowerCase();
  if (!EMAIL.test(value) || value.includes('..')) {
    throw new InvalidIdentifierError(IdentifierType.EMAIL, 'not an email address');
  }
  return value;
}

/** E.164, e.g. "+442079460958". Numbers without a country prefix use `defaultCountry`. */
export function normalisePhone(raw: string, defaultCountry?: CountryCode): string {
  const trimmed = raw.trim().replace(/^00(?=\d)/, '+');
  if (!/\d/.test(trimmed) || /[a-z]{2,}/i.test(trimmed.replace(/\b(ext|x)\b/gi, ''))) {
    throw new InvalidIdentifierError(IdentifierType.PHONE, 'not a phone number');
  }
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  // isPossible (length rules) rather than isValid (allocated ranges): test and new ranges pass.
  if (!parsed || !parsed.isPossible()) {
    throw new InvalidIdentifierError(
      IdentifierType.PHONE,
      trimmed.startsWith('+') || defaultCountry ? 'not a possible phone number' : 'needs a country prefix',
    );
  }
  return parsed.number;
}
