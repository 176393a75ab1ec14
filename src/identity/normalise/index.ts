// One entry point per identifier: strict for what a person types (bad input is a coded
// error), tolerant for what sources hold (unusable values are dropped, never thrown).
import type { CountryCode } from 'libphonenumber-js';
import { LRUCache } from 'lru-cache';
import type { Identifier } from '../../../connectors/contract.js';
import { IdentifierType } from '../../domain/vocabulary.js';
import { InvalidIdentifierError } from '../errors.js';
import { normaliseCity, normalisePostcode, normaliseStreetAddress } from './address.js';
import { mangledEmail, normaliseEmail, normalisePhone } from './contact.js';
import { normaliseDateOfBirth, type DateOrder } from './dates.js';
import { normaliseReference } from './ids.js';
import { canonicalGiven, normaliseFamilyName, normaliseFullName, normaliseGivenName, phoneticCodes } from './names.js';

export interface NormaliseOptions {
  /** ISO 3166 country for phone numbers written without a +prefix. Default GB. */
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
  const raw = unicodeCleaned(id.value);
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
      return { type, value: normaliseEmail(raw) };
    case IdentifierType.PHONE:
      return { type, value: normalisePhone(raw, options.defaultCountry ?? 'GB') };
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

/** Normalises every identifier or throws the first problem (for what a person typed). */
export function normaliseQueryIdentifiers(ids: readonly Identifier[], options: NormaliseOptions = {}): NormalisedIdentifier[] {
  return dedupe(ids.map((id) => normaliseIdentifier(id, options)));
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
  return dedupe(out);
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
  const key = `${id.type}\u0000${options.defaultCountry ?? ''}\u0000${options.dateOrder ?? ''}\u0000${id.value}`;
  let hit = remembered.get(key);
  if (hit === undefined) {
    try {
      hit = Object.freeze(normaliseIdentifier(id, options));
    } catch {
      const mangled = id.type === IdentifierType.EMAIL ? mangledEmail(id.value) : null;
      hit = mangled ? Object.freeze({ type: id.type, value: mangled }) : 'unusable';
    }
    remembered.set(key, hit);
  }
  return hit === 'unusable' ? null : hit;
}

function dedupe(ids: NormalisedIdentifier[]): NormalisedIdentifier[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const key = `${id.type}\u0000${id.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export { InvalidIdentifierError } from '../errors.js';
export type { DateOrder } from './dates.js';
