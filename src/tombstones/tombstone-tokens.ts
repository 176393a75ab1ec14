// Which normalised values of a person become tombstones (R10, R11): the identifiers a
// feed is likely to carry when it would recreate the person. Pure: no keys, no I/O.
import { IdentifierType } from '../domain/vocabulary.js';
import type { NormalisedIdentifier } from '../identity/normalise/index.js';

/** A value to hash. `kind` separates the hash purposes, so an email never matches a phone. */
export interface TombstoneToken {
  kind: TombstoneKind;
  value: string;
}

export type TombstoneKind =
  'EMAIL' | 'PHONE' | 'NATIONAL_ID' | 'MEMBERSHIP_NUMBER' | 'PATIENT_ID' | 'CANDIDATE_ID' | 'EMPLOYEE_ID' | 'LEARNER_ID' | 'BADGE_ID' | 'NAME_DOB';

const DIRECT: Partial<Record<IdentifierType, TombstoneKind>> = {
  [IdentifierType.EMAIL]: 'EMAIL',
  [IdentifierType.PHONE]: 'PHONE',
  [IdentifierType.NATIONAL_ID]: 'NATIONAL_ID',
  [IdentifierType.MEMBERSHIP_NUMBER]: 'MEMBERSHIP_NUMBER',
  [IdentifierType.PATIENT_ID]: 'PATIENT_ID',
  [IdentifierType.CANDIDATE_ID]: 'CANDIDATE_ID',
  [IdentifierType.EMPLOYEE_ID]: 'EMPLOYEE_ID',
  [IdentifierType.LEARNER_ID]: 'LEARNER_ID',
  [IdentifierType.BADGE_ID]: 'BADGE_ID',
};

/**
 * Tokens of one identifier within the identifiers of the same person. Names alone are
 * never tombstoned (too common): only a name together with the date of birth is.
 */
export function tokensOf(identifier: NormalisedIdentifier, samePerson: readonly NormalisedIdentifier[]): TombstoneToken[] {
  const direct = DIRECT[identifier.type];
  if (direct) return [{ kind: direct, value: identifier.value }];
  const nameLike =
    identifier.type === IdentifierType.FULL_NAME ||
    identifier.type === IdentifierType.GIVEN_NAME ||
    identifier.type === IdentifierType.FAMILY_NAME ||
    identifier.type === IdentifierType.DATE_OF_BIRTH;
  return nameLike ? nameDobTokens(samePerson) : [];
}

/** Every token of a person: what an approved erasure writes. */
export function tokensOfPerson(identifiers: readonly NormalisedIdentifier[]): TombstoneToken[] {
  const seen = new Map<string, TombstoneToken>();
  for (const id of identifiers) {
    for (const token of tokensOf(id, identifiers)) seen.set(`${token.kind}\u0000${token.value}`, token);
  }
  return [...seen.values()];
}

/**
 * What a check looks up for one identifier: its tokens now, and those its earlier normal
 * forms gave (legacyNormalForm), so a tombstone written before the normalisation changed
 * still matches. A name with a date of birth pairs every form of the person's values, as the
 * release that wrote the tombstone saw all of them in their earlier form.
 */
export function lookupTokensOf(identifier: NormalisedIdentifier, samePerson: readonly NormalisedIdentifier[]): TombstoneToken[] {
  const forms = [identifier, ...(identifier.legacyForms ?? [])];
  const earlier = samePerson.flatMap((id) => id.legacyForms ?? []);
  const everyForm = earlier.length > 0 ? [...samePerson, ...earlier] : samePerson;
  const seen = new Map<string, TombstoneToken>();
  for (const form of forms) for (const token of tokensOf(form, everyForm)) seen.set(`${token.kind}\u0000${token.value}`, token);
  return [...seen.values()];
}

/** "given|family|dob" for every name form the person is known by, nicknames resolved. */
function nameDobTokens(ids: readonly NormalisedIdentifier[]): TombstoneToken[] {
  const dobs = ids.filter((i) => i.type === IdentifierType.DATE_OF_BIRTH).map((i) => i.value);
  if (dobs.length === 0) return [];
  const givens = new Set<string>();
  const families = new Set<string>();
  for (const id of ids) {
    if (id.type === IdentifierType.GIVEN_NAME) givens.add(id.canonical ?? id.value);
    if (id.type === IdentifierType.FAMILY_NAME) families.add(id.value);
    if (id.type === IdentifierType.FULL_NAME && id.given && id.family) {
      givens.add(id.canonical ?? id.given);
      families.add(id.family);
    }
  }
  const tokens: TombstoneToken[] = [];
  for (const given of givens) for (const family of families) for (const dob of dobs) tokens.push({ kind: 'NAME_DOB', value: `${given}|${family}|${dob}` });
  return tokens;
}

export function tokenPurpose(kind: TombstoneKind): string {
  return `tombstone:${kind}`;
}
