import { describe, expect, it } from 'vitest';
import { IdentifierType } from '../../../src/domain/vocabulary.js';
import { normaliseQueryIdentifiers } from '../../../src/identity/normalise/index.js';
import { tokenPurpose, tokensOf, tokensOfPerson } from '../../../src/tombstones/tombstone-tokens.js';

const person = normaliseQueryIdentifiers([
  { type: IdentifierType.EMAIL, value: 'Anna.Meier@Example.org' },
  { type: IdentifierType.PHONE, value: '+41 79 123 45 67' },
  { type: IdentifierType.FULL_NAME, value: 'Bill Meier' },
  { type: IdentifierType.DATE_OF_BIRTH, value: '1980-03-14' },
]);
const byType = (t: IdentifierType) => person.find((i) => i.type === t)!;

describe('tombstone tokens (R10, R11)', () => {
  it('R10: every direct identifier becomes a token of its own kind, with its normalised value', () => {
    const direct: Array<[IdentifierType, string]> = [
      [IdentifierType.EMAIL, 'EMAIL'],
      [IdentifierType.PHONE, 'PHONE'],
      [IdentifierType.NATIONAL_ID, 'NATIONAL_ID'],
      [IdentifierType.MEMBERSHIP_NUMBER, 'MEMBERSHIP_NUMBER'],
      [IdentifierType.PATIENT_ID, 'PATIENT_ID'],
      [IdentifierType.CANDIDATE_ID, 'CANDIDATE_ID'],
      [IdentifierType.EMPLOYEE_ID, 'EMPLOYEE_ID'],
      [IdentifierType.LEARNER_ID, 'LEARNER_ID'],
      [IdentifierType.BADGE_ID, 'BADGE_ID'],
    ];
    for (const [type, kind] of direct) {
      expect(tokensOf({ type, value: 'v-1' }, [])).toEqual([{ kind, value: 'v-1' }]);
    }
    expect(tokensOf(byType(IdentifierType.EMAIL), person)).toEqual([{ kind: 'EMAIL', value: 'anna.meier@example.org' }]);
  });

  it('R11: a name alone is never a token; a name with the date of birth is, nicknames resolved', () => {
    const nameOnly = person.filter((i) => i.type === IdentifierType.FULL_NAME);
    expect(tokensOf(byType(IdentifierType.FULL_NAME), nameOnly)).toEqual([]);
    expect(tokensOf(byType(IdentifierType.FULL_NAME), person)).toEqual([{ kind: 'NAME_DOB', value: 'william|meier|1980-03-14' }]);
    // The date of birth leads to the same token as the name.
    expect(tokensOf(byType(IdentifierType.DATE_OF_BIRTH), person)).toEqual([{ kind: 'NAME_DOB', value: 'william|meier|1980-03-14' }]);
  });

  it('R11: separate given and family names pair with every date of birth', () => {
    const ids = normaliseQueryIdentifiers([
      { type: IdentifierType.GIVEN_NAME, value: 'Anna' },
      { type: IdentifierType.FAMILY_NAME, value: 'Meier' },
      { type: IdentifierType.DATE_OF_BIRTH, value: '1980-03-14' },
      { type: IdentifierType.DATE_OF_BIRTH, value: '1980-04-13' },
    ]);
    const values = (t: IdentifierType) =>
      tokensOf(
        ids.find((i) => i.type === t)!,
        ids,
      )
        .map((x) => x.value)
        .sort();
    const expected = ['anna|meier|1980-03-14', 'anna|meier|1980-04-13'];
    expect(values(IdentifierType.GIVEN_NAME)).toEqual(expected);
    expect(values(IdentifierType.FAMILY_NAME)).toEqual(expected);
  });

  it('R11: a full name without both parts gives no name token', () => {
    const dob = byType(IdentifierType.DATE_OF_BIRTH);
    const single = { type: IdentifierType.FULL_NAME, value: 'madonna', given: 'madonna' };
    expect(tokensOf(dob, [single, dob])).toEqual([]);
    const familyOnly = { type: IdentifierType.FULL_NAME, value: 'meier', family: 'meier' };
    expect(tokensOf(dob, [familyOnly, dob])).toEqual([]);
  });

  it('R11: a given name without a resolved form is used as given', () => {
    const dob = byType(IdentifierType.DATE_OF_BIRTH);
    const given = { type: IdentifierType.GIVEN_NAME, value: 'zora' };
    const family = { type: IdentifierType.FAMILY_NAME, value: 'meier' };
    expect(tokensOf(given, [given, family, dob])).toEqual([{ kind: 'NAME_DOB', value: 'zora|meier|1980-03-14' }]);
  });

  it('an identifier that is neither direct nor a name (an address) gives no token', () => {
    const address = { type: IdentifierType.STREET_ADDRESS, value: 'bahnhofstrasse 1 8001 zurich' };
    expect(tokensOf(address, [address, byType(IdentifierType.DATE_OF_BIRTH), byType(IdentifierType.FULL_NAME)])).toEqual([]);
  });

  it('R10: an erasure writes each token of the person once', () => {
    const tokens = tokensOfPerson(person);
    expect(tokens).toEqual([
      { kind: 'EMAIL', value: 'anna.meier@example.org' },
      { kind: 'PHONE', value: byType(IdentifierType.PHONE).value },
      { kind: 'NAME_DOB', value: 'william|meier|1980-03-14' },
    ]);
  });

  it('each kind hashes under its own purpose, so an email never matches a phone', () => {
    expect(tokenPurpose('EMAIL')).toBe('tombstone:EMAIL');
    expect(tokenPurpose('PHONE')).not.toBe(tokenPurpose('EMAIL'));
  });
});
