// Emails and phone numbers.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { IdentifierType } from '../../domain/vocabulary.js';
import { InvalidIdentifierError } from '../errors.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;

/**
 * The address alone, lowercased and trimmed, as mail headers and lists write it too:
 * "Jane Doe <jane@x.org>", "<jane@x.org>", quoted or in brackets, followed by "," or ";".
 * Read as written, the same address hashed apart and an erased person passed the
 * recreation guard (R10). Dots and "+tags" are kept: only some providers ignore them, and
 * treating two real mailboxes as one is worse than missing a variant (the model still
 * compares local parts fuzzily).
 */
export function normaliseEmail(raw: string): string {
  return normaliseEmailAsWritten(addressAlone(raw));
}

/** "Name <a@x.org>", "<a@x.org>", "(a@x.org)", "'a@x.org'", "a@x.org;" -> "a@x.org"; anything else unchanged. */
function addressAlone(raw: string): string {
  let value = raw.trim().replace(/[\s,;]+$/, '');
  const named = /^[^<>]*<([^<>]+)>$/.exec(value);
  if (named) value = named[1]!.trim();
  for (const [open, close] of WRAPPERS) {
    if (value.length > 2 && value.startsWith(open) && value.endsWith(close)) value = value.slice(1, -1).trim();
  }
  return value;
}

const WRAPPERS = [
  ['(', ')'],
  ['[', ']'],
  ['"', '"'],
  ["'", "'"],
] as const;

/**
 * What the releases before addressAlone made of an address: lowercased and trimmed as
 * written, wrappers kept. Only for finding keyed hashes stored then (legacyNormalForm).
 */
export function normaliseEmailAsWritten(raw: string): string {
  const value = repairedEmail(
    raw
      .trim()
      .replace(/^mailto:/i, '')
      .toLowerCase(),
  );
  if (!EMAIL.test(value) || value.includes('..')) {
    throw new InvalidIdentifierError(IdentifierType.EMAIL, 'not an email address');
  }
  return value;
}

/**
 * The country national-format numbers are read in when nothing else says: GB, as every
 * number was read before a source or a caller could name its own (stored hashes are of that reading).
 */
export const DEFAULT_PHONE_COUNTRY: CountryCode = 'GB';

/** An ISO 3166 alpha-2 code the phone library has numbering rules for ("FR", "GB"; upper case only). */
export function isPhoneCountry(code: unknown): code is CountryCode {
  return typeof code === 'string' && /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
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

// Large mail providers: an address at one of them that lost its "@" (or got a dot in its
// place) on a web form can be put back together unambiguously.
const PROVIDERS = [
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'hotmail.com',
  'hotmail.co.uk',
  'hotmail.fr',
  'outlook.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'orange.fr',
  'free.fr',
  'wanadoo.fr',
  'laposte.net',
  'libero.it',
  'btinternet.com',
  'protonmail.com',
  'proton.me',
].sort((a, b) => b.length - a.length);

/** "jane.doe.gmail.com" or "janedoegmail.com" -> "jane.doe@gmail.com"; anything else unchanged. */
export function repairedEmail(value: string): string {
  if (value.includes('@')) return value;
  for (const provider of PROVIDERS) {
    if (!value.endsWith(provider)) continue;
    const local = value.slice(0, -provider.length).replace(/\.$/, '');
    if (/^[^\s@.][^\s@]*$/.test(local)) return `${local}@${provider}`;
  }
  return value;
}

/**
 * A source's address that lost its "@" and cannot be repaired ("jo.smith.acme-corp.net"):
 * not usable as an address, still evidence when compared with the well-formed one.
 */
export function mangledEmail(raw: string): string | null {
  const value = raw.trim().toLowerCase();
  return /^[a-z0-9][^\s@]{2,}\.[a-z]{2,}$/.test(value) ? value : null;
}

/** An address without "@" and dots: "jo.smith@x.com" and "jo.smithx.com" agree. */
export function emailSkeleton(email: string): string {
  return email.replace(/[@.]/g, '');
}

/** The local part of an e-mail address ("" when there is none). */
export function localPart(email: string): string {
  const at = email.lastIndexOf('@');
  return at > 0 ? email.slice(0, at) : '';
}
