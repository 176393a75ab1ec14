import { describe, expect, it } from 'vitest';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { InvalidIdentifierError } from '../../../src/identity/errors.js';
import { isReferenceType, normaliseIdentifier, normaliseQueryIdentifiers, normaliseRecordIdentifiers } from '../../../src/identity/normalise/index.js';

// One entry point per identifier: strict for what a person types, tolerant for what sources hold.
function refusal(type: string, value: unknown): string {
  try {
    normaliseIdentifier({ type: type as T, value: value as string });
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidIdentifierError);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('one identifier', () => {
  it('refuses an unknown or missing type, an empty value and an overlong one', () => {
    expect(refusal('SHOE_SIZE', '42')).toBe('Invalid SHOE_SIZE: unknown identifier type');
    expect(refusal(undefined as unknown as string, 'x')).toBe('Invalid UNKNOWN: unknown identifier type');
    expect(() => normaliseIdentifier(null as never)).toThrow('Invalid UNKNOWN: unknown identifier type');
    expect(refusal(T.EMAIL, '  ')).toBe('Invalid EMAIL: empty');
    expect(refusal(T.EMAIL, 42)).toBe('Invalid EMAIL: empty');
    expect(refusal(T.GIVEN_NAME, 'a'.repeat(513))).toBe('Invalid GIVEN_NAME: too long');
    expect(normaliseIdentifier({ type: T.GIVEN_NAME, value: 'a'.repeat(512) }).value).toHaveLength(512);
  });

  it('names carry their phonetic code; given names their canonical form; full names their parts', () => {
    expect(normaliseIdentifier({ type: T.GIVEN_NAME, value: 'Bill' })).toEqual({
      type: T.GIVEN_NAME,
      value: 'bill',
      phonetic: ['PL', 'PL'],
      canonical: 'william',
    });
    expect(normaliseIdentifier({ type: T.FAMILY_NAME, value: 'Smith' })).toEqual({ type: T.FAMILY_NAME, value: 'smith', phonetic: ['SM0', 'XMT'] });
    expect(normaliseIdentifier({ type: T.FULL_NAME, value: 'Bill Smith' })).toEqual({
      type: T.FULL_NAME,
      value: 'bill smith',
      phonetic: ['PLSM', 'PLSM'],
      given: 'bill',
      canonical: 'william',
      family: 'smith',
    });
    expect(normaliseIdentifier({ type: T.FULL_NAME, value: 'Smith,' })).toEqual({
      type: T.FULL_NAME,
      value: 'smith',
      phonetic: ['SM0', 'XMT'],
      family: 'smith',
    });
    expect(normaliseIdentifier({ type: T.FULL_NAME, value: 'Madonna' })).not.toHaveProperty('family');
  });

  it('dates, contact details and addresses go to their normaliser, with the configured options', () => {
    const n = (type: T, value: string, options = {}) => normaliseIdentifier({ type, value }, options);
    expect(n(T.DATE_OF_BIRTH, '03/04/1980', { dateOrder: 'MDY' })).toEqual({ type: T.DATE_OF_BIRTH, value: '1980-03-04' });
    expect(n(T.EMAIL, 'Ann@Example.org')).toEqual({ type: T.EMAIL, value: 'ann@example.org' });
    expect(n(T.PHONE, '020 7946 0958')).toEqual({ type: T.PHONE, value: '+442079460958' });
    expect(n(T.PHONE, '(02) 9374 4000', { defaultCountry: 'AU' })).toEqual({ type: T.PHONE, value: '+61293744000' });
    expect(n(T.STREET_ADDRESS, '12 Main St')).toEqual({ type: T.STREET_ADDRESS, value: '12 main street' });
    expect(n(T.CITY, 'Mt Isa')).toEqual({ type: T.CITY, value: 'mount isa' });
    expect(n(T.POSTCODE, 'sw1a 1aa')).toEqual({ type: T.POSTCODE, value: 'SW1A1AA' });
  });

  it('every reference type is a reference number; others are not', () => {
    const refs = [T.NATIONAL_ID, T.MEMBERSHIP_NUMBER, T.PATIENT_ID, T.CANDIDATE_ID, T.EMPLOYEE_ID, T.LEARNER_ID, T.BADGE_ID, T.CERTIFICATE_NUMBER];
    for (const type of refs) {
      expect(isReferenceType(type)).toBe(true);
      expect(normaliseIdentifier({ type, value: 'ab-12' })).toEqual({ type, value: 'AB12' });
      // R10: any dash is a dash (en dash, em dash, non-breaking hyphen, minus sign).
      for (const dash of ['\u2013', '\u2014', '\u2011', '\u2212']) expect(normaliseIdentifier({ type, value: `ab${dash}12` })).toEqual({ type, value: 'AB12' });
    }
    for (const type of Object.values(T).filter((t) => !refs.includes(t))) expect(isReferenceType(type)).toBe(false);
  });
});

describe('identifiers of a query and of a record', () => {
  it('a query: every identifier normalised, duplicates merged, same value of two types kept', () => {
    expect(
      normaliseQueryIdentifiers(
        [
          { type: T.MEMBERSHIP_NUMBER, value: 'ab 12' },
          { type: T.MEMBERSHIP_NUMBER, value: 'AB-12' },
          { type: T.PATIENT_ID, value: 'AB12' },
        ],
        {},
      ),
    ).toEqual([
      { type: T.MEMBERSHIP_NUMBER, value: 'AB12' },
      { type: T.PATIENT_ID, value: 'AB12' },
    ]);
  });

  it('a record: an address that lost its @ is kept as evidence; other bad values and non-strings dropped', () => {
    expect(
      normaliseRecordIdentifiers([
        { type: T.EMAIL, value: 'Jo.Smith.Acme-Corp.net' },
        { type: T.PHONE, value: 'jo.smith.acme-corp.net' },
        { type: T.EMAIL, value: 42 as unknown as string },
        { type: 7 as unknown as T, value: 'x' },
      ]),
    ).toEqual([{ type: T.EMAIL, value: 'jo.smith.acme-corp.net' }]);
    expect(normaliseRecordIdentifiers(null as never)).toEqual([]);
  });

  it("a record's values are remembered per option: the same number reads differently in another country", () => {
    const local = { type: T.PHONE, value: '(02) 9374 4001' };
    expect(normaliseRecordIdentifiers([local], { defaultCountry: 'GB' })).toEqual([{ type: T.PHONE, value: '+44293744001' }]);
    expect(normaliseRecordIdentifiers([local], { defaultCountry: 'AU' })).toEqual([{ type: T.PHONE, value: '+61293744001' }]);
    const date = { type: T.DATE_OF_BIRTH, value: '05/06/1981' };
    expect(normaliseRecordIdentifiers([date], { dateOrder: 'DMY' })[0]!.value).toBe('1981-06-05');
    expect(normaliseRecordIdentifiers([date], { dateOrder: 'MDY' })[0]!.value).toBe('1981-05-06');
    expect(normaliseRecordIdentifiers([date])[0]!.value).toBe('1981-06-05');
  });

  it('a remembered value is shared, so it cannot be changed by one caller', () => {
    const [first] = normaliseRecordIdentifiers([{ type: T.GIVEN_NAME, value: 'Remembered' }]);
    expect(Object.isFrozen(first)).toBe(true);
    expect(normaliseRecordIdentifiers([{ type: T.GIVEN_NAME, value: 'Remembered' }])[0]).toBe(first);
    const [mangled] = normaliseRecordIdentifiers([{ type: T.EMAIL, value: 'kept.as.evidence.net' }]);
    expect(Object.isFrozen(mangled)).toBe(true);
  });
});
