// One entry point per identifier: strict for what a person types (bad input is a coded
// error), tolerant for what sources hold (unusable values are dropped, never thrown).
import type { CountryCode } from 'libphonenumber-js';
import { LRUCache } from 'lru-cache';
import type { Identifier } from '../../../connectors/contract.js';
import { IdentifierType } from '../../domain/vocabulary.js';
import { InvalidIdentifierError } from '../errors.js';
import { normaliseCity, normalisePostcode, normaliseStreetAddress } from './address.js';
import { DEFAULT_PHONE_COUNTRY, isPhoneCountry, mangledEmail, normaliseEmail, normaliseEmailAsWritten, normalisePhone } from './contact.js';
import { normaliseDateOfBirth, type DateOrder } from './dates.js';
import { normaliseReference } from './ids.js';
import { canonicalGiven, normaliseFamilyName, normaliseFullName, normaliseGivenName, phoneticCodes } from './names.js';

export interface NormaliseOptions {
  /**
   * ISO 3166 country for phone numbers written without a +prefix: where the number was
   * written (the source's phone country, the caller's). An identifier's own `country` wins
   * over it. Default GB (DEFAULT_PHONE_COUNTRY).
   */
  defaultCountry?: CountryCode;
  /** How to read ambiguous numeric dates like 03/04/1980. Default DMY. */
  dateOrder?: DateOrder;
}

export interface NormalisedIdentifier extends Identifier {
  /** GIVEN_NAME / FAMILY_NAME / FULL_NAME: Double Metaphone [primary, alternate] of the name. */
  phonetic?: [string, string];
  /** GIVEN_NAME / FULL_NAME: first given name with nicknames resolved ("bill" -> "william"). */
  canonical?: string;
  /** FULL_NAME: its parts, so a full name compares with separate given / family names. */
  given?: string;
  family?: string;
  /**
   * The forms earlier releases' normalisation gave this value, when they differ (see
   * legacyNormalForm and earlierForms). Only for finding keyed hashes stored before the
   * upgrade (tombstones, blind indexes); never written, matched or shown.
   */
  legacyForms?: readonly NormalisedIdentifier[];
}

const REFERENCE_TYPES = new Set<IdentifierType>([
  IdentifierType.NATIONAL_ID,
  IdentifierType.MEMBERSHIP_NUMBER,
  IdentifierType.PATIENT_ID,
  IdentifierType.CANDIDATE_ID,
  IdentifierType.EMPLOYEE_ID,
  IdentifierType.LEARNER_ID,
  IdentifierType.BADGE_ID,
  IdentifierType.CERTIFICATE_NUMBER,
]);

export function isReferenceType(type: IdentifierType): boolean {
  return REFERENCE_TYPES.has(type);
}

/** Normalises one identifier; throws InvalidIdentifierError (code INVALID_IDENTIFIER) on bad input. */
export function normaliseIdentifier(id: Identifier, options: NormaliseOptions = {}): NormalisedIdentifier {
  const type = id?.type;
  if (!type || !Object.values(IdentifierType).includes(type)) {
    throw new InvalidIdentifierError(String(type ?? 'UNKNOWN'), 'unknown identifier type');
  }
  if (typeof id.value !== 'string' || id.value.trim() === '') throw new InvalidIdentifierError(type, 'empty');
  if (id.value.length > 512) throw new InvalidIdentifierError(type, 'too long');
  const read = readingOptions(id, options);
  const current = normalisedAs(type, unicodeCleaned(id.value), read);
  const earlier = earlierForms(id, read, current);
  return earlier.length > 0 ? { ...current, legacyForms: earlier } : current;
}

/**
 * Every form earlier releases gave a value, when it differs from `current`: before the
 * Unicode step (legacyNormalForm), and an e-mail address read as written, wrappers and all
 * ("<jane@x.org>", "jane@x.org;"), before the address was taken alone (normaliseEmail).
 */
function earlierForms(id: Identifier, options: NormaliseOptions, current: NormalisedIdentifier): NormalisedIdentifier[] {
  const forms: NormalisedIdentifier[] = [];
  const beforeUnicode = legacyNormalForm(id, options, current);
  if (beforeUnicode) forms.push(beforeUnicode);
  if (id.type === IdentifierType.EMAIL) {
    const asWritten = emailAsWritten(unicodeCleaned(id.value));
    if (asWritten && asWritten !== current.value && !forms.some((f) => f.value === asWritten)) forms.push({ type: id.type, value: asWritten });
  }
  return forms;
}

function emailAsWritten(raw: string): string | null {
  try {
    return normaliseEmailAsWritten(raw);
  } catch {
    return null;
  }
}

/**
 * The options one identifier is read with: its own `country` (a phone number's, named by
 * whoever wrote it down) over the caller's default. `country` is read for a phone number
 * written without its +prefix only: on any other identifier, and on a number that names its
 * country by its prefix, it says nothing and is not read (a request keeps it for phone numbers
 * only, withPhoneCountry), so a value that does not need it is never refused for it. An
 * unknown country on a national number is bad input; its case does not matter ("fr" is FR).
 */
function readingOptions(id: Identifier, options: NormaliseOptions): NormaliseOptions {
  if (id.country === undefined || id.country === null) return options;
  if (id.type !== IdentifierType.PHONE || /^\s*(\+|00\d)/.test(id.value)) return options;
  // Written in any case ("fr"), as DSR_DEFAULT_PHONE_COUNTRY may be.
  const country = phoneCountryCode(id.country);
  if (!isPhoneCountry(country)) throw new InvalidIdentifierError(id.type, 'country: not an ISO 3166 alpha-2 code with phone numbering (e.g. FR)');
  return country === options.defaultCountry ? options : { ...options, defaultCountry: country };
}

/**
 * The normalisation proper, of a value already put in one Unicode form (or not, for
 * legacyNormalForm). `asWritten`: an e-mail address as the releases before the address was
 * taken alone read it (legacyNormalForm: the release before the Unicode step was one).
 */
function normalisedAs(type: IdentifierType, raw: string, options: NormaliseOptions, asWritten = false): NormalisedIdentifier {
  switch (type) {
    case IdentifierType.GIVEN_NAME: {
      const value = normaliseGivenName(raw);
      return { type, value, phonetic: phoneticCodes(value), canonical: canonicalGiven(value) };
    }
    case IdentifierType.FAMILY_NAME: {
      const value = normaliseFamilyName(raw);
      return { type, value, phonetic: phoneticCodes(value) };
    }
    case IdentifierType.FULL_NAME: {
      const name = normaliseFullName(raw);
      const result: NormalisedIdentifier = { type, value: name.full, phonetic: phoneticCodes(name.full) };
      if (name.given) {
        result.given = name.given;
        result.canonical = canonicalGiven(name.given);
      }
      if (name.family) result.family = name.family;
      return result;
    }
    case IdentifierType.DATE_OF_BIRTH:
      return { type, value: normaliseDateOfBirth(raw, options.dateOrder) };
    case IdentifierType.EMAIL:
      return { type, value: asWritten ? normaliseEmailAsWritten(raw) : normaliseEmail(raw) };
    case IdentifierType.PHONE:
      return { type, value: normalisePhone(raw, options.defaultCountry ?? DEFAULT_PHONE_COUNTRY) };
    case IdentifierType.STREET_ADDRESS:
      return { type, value: normaliseStreetAddress(raw) };
    case IdentifierType.CITY:
      return { type, value: normaliseCity(raw) };
    case IdentifierType.POSTCODE:
      return { type, value: normalisePostcode(raw) };
    default:
      if (isReferenceType(type)) return { type, value: normaliseReference(type, raw) };
      throw new InvalidIdentifierError(type, 'unsupported identifier type');
  }
}

/**
 * One Unicode form for every value: composed (NFKC: "e" + combining accent is "é", full-width
 * "ＡＢ１" is "AB1") and without invisible format characters (zero-width spaces and joiners,
 * soft hyphens, byte-order marks) that copy and paste leaves behind. Without it the same
 * address typed two ways would hash apart, and an erased person would pass the guard (R10).
 */
function unicodeCleaned(value: string): string {
  // Printable ASCII (the common case) has nothing to compose or remove.
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  return value.normalize('NFKC').replace(/\p{Cf}/gu, '');
}

/**
 * What the previous release made of a value: the same normalisation without the Unicode
 * step above, and for an e-mail it could not read, the mangled form a source's record was
 * kept in. Null when that is what the value normalises to now, or nothing.
 *
 * Why it exists: tombstones and blind indexes are keyed hashes of normalised values and hold
 * no clear data, so those stored before the Unicode step cannot be recomputed. A value whose
 * form changed (a decomposed accent, a zero-width space) would no longer meet its tombstone
 * and an erased person could come back with the next feed (R10). Look-ups hash this form
 * too; new hashes use the current form only.
 * When it can go: once no tombstone or request blind index older than the Unicode step is
 * kept (erased_at / received_at before the upgrade that brought it; docs/security.md).
 */
export function legacyNormalForm(id: Identifier, options: NormaliseOptions = {}, current?: NormalisedIdentifier): NormalisedIdentifier | null {
  if (typeof id?.value !== 'string' || id.value.trim() === '' || id.value.length > 512) return null;
  if (unicodeCleaned(id.value) === id.value) return null;
  if (!current) {
    try {
      options = readingOptions(id, options);
    } catch {
      return null;
    }
  }
  let legacy: NormalisedIdentifier | null;
  try {
    legacy = normalisedAs(id.type, id.value, options, true);
  } catch {
    // Unreadable then: a person's request was refused, a source's address kept mangled.
    const mangled = id.type === IdentifierType.EMAIL ? mangledEmail(id.value) : null;
    legacy = mangled ? { type: id.type, value: mangled } : null;
  }
  if (!legacy) return null;
  const now = current ?? currentForm(id, options);
  return now && sameForm(legacy, now) ? null : legacy;
}

function currentForm(id: Identifier, options: NormaliseOptions): NormalisedIdentifier | null {
  try {
    return normalisedAs(id.type, unicodeCleaned(id.value), options);
  } catch {
    return null;
  }
}

/** Same value and name parts: the tombstone and blind-index inputs are equal. */
function sameForm(a: NormalisedIdentifier, b: NormalisedIdentifier): boolean {
  return a.value === b.value && a.given === b.given && a.family === b.family && a.canonical === b.canonical;
}

/**
 * The identifiers as given, each phone number with the country it was written in: its own
 * `country` when the caller named one, else `country` (where the caller is). Kept with the
 * number, it is read the same way however much later (a request's blind index at intake, its
 * tombstones at execution), whatever the deployment's default has become meanwhile.
 */
export function withPhoneCountry(ids: readonly Identifier[], country: CountryCode): Identifier[] {
  return ids.map(({ type, value, country: own }) =>
    type === IdentifierType.PHONE ? { type, value, country: own === undefined || own === null ? country : phoneCountryCode(own) } : { type, value },
  );
}

/** A country code as given on an identifier, in capitals ("fr" is FR); a value that is not a string is kept as it is (and refused when read). */
function phoneCountryCode<T>(country: T): T | string {
  return typeof country === 'string' ? country.trim().toUpperCase() : country;
}

/** Normalises every identifier or throws the first problem (for what a person typed). */
export function normaliseQueryIdentifiers(ids: readonly Identifier[], options: NormaliseOptions = {}): NormalisedIdentifier[] {
  return dedupeIdentifiers(ids.map((id) => normaliseIdentifier(id, options)));
}

/**
 * Tolerant: what a source holds may be blank or malformed; such values are dropped so
 * one bad cell never hides the rest of the record. Duplicates are removed.
 */
export function normaliseRecordIdentifiers(raw: readonly Identifier[], options: NormaliseOptions = {}): NormalisedIdentifier[] {
  const out: NormalisedIdentifier[] = [];
  for (const id of raw ?? []) {
    const normalised = rememberedNormalisation(id, options);
    // Unusable (null) is dropped on purpose: a malformed cell in a source is not the caller's error.
    if (normalised) out.push(normalised);
  }
  return dedupeIdentifiers(out);
}

/**
 * What source values normalise to, remembered: the same names, dates and ids come back
 * in answer after answer (every search of a surname fetches its namesakes), and phone
 * parsing and phonetic codes are the costly part of scoring. Bounded; frozen, because
 * every caller shares the object.
 */
const remembered = new LRUCache<string, NormalisedIdentifier | 'unusable'>({ max: 50_000 });

function rememberedNormalisation(id: Identifier, options: NormaliseOptions): NormalisedIdentifier | null {
  if (typeof id?.value !== 'string' || typeof id.type !== 'string') return null;
  const key = `${id.type}\u0000${id.country ?? options.defaultCountry ?? ''}\u0000${options.dateOrder ?? ''}\u0000${id.value}`;
  let hit = remembered.get(key);
  if (hit === undefined) {
    try {
      hit = Object.freeze(normaliseIdentifier(id, options));
    } catch {
      // A value the Unicode step makes unreadable ("a＠b@x.org" gets two "@") is kept as the
      // previous release read it: its tombstone, if any, is of that form.
      const earlier = legacyNormalForm(id, options);
      const mangled = id.type === IdentifierType.EMAIL ? mangledEmail(id.value) : null;
      hit = earlier ? Object.freeze(earlier) : mangled ? Object.freeze({ type: id.type, value: mangled }) : 'unusable';
    }
    remembered.set(key, hit);
  }
  return hit === 'unusable' ? null : hit;
}

/**
 * One identifier per value. Two ways of writing it that meet in one value may have had
 * different earlier forms: the one kept carries them all, so either still finds its tombstone.
 */
export function dedupeIdentifiers(ids: NormalisedIdentifier[]): NormalisedIdentifier[] {
  const kept = new Map<string, NormalisedIdentifier>();
  for (const id of ids) {
    const key = `${id.type}\u0000${id.value}`;
    const first = kept.get(key);
    if (!first) kept.set(key, id);
    else if (id.legacyForms?.length) kept.set(key, { ...first, legacyForms: [...(first.legacyForms ?? []), ...id.legacyForms] });
  }
  return [...kept.values()];
}

export { InvalidIdentifierError } from '../errors.js';
export { DEFAULT_PHONE_COUNTRY, isPhoneCountry } from './contact.js';
export type { DateOrder } from './dates.js';
