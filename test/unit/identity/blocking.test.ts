import { describe, expect, it } from 'vitest';
import type { Identifier } from '../../../connectors/contract.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { blockingKeysOf } from '../../../src/identity/blocking.js';

const person = (over: Partial<Record<T, string>> = {}): Identifier[] =>
  Object.entries({
    [T.GIVEN_NAME]: 'Isabelle',
    [T.FAMILY_NAME]: 'Mason',
    [T.DATE_OF_BIRTH]: '19811128',
    [T.POSTCODE]: '4881',
    [T.STREET_ADDRESS]: '54 Hoseason Street',
    [T.NATIONAL_ID]: '2185997',
    ...over,
  }).map(([type, value]) => ({ type: type as T, value }));

const shared = (a: Identifier[], b: Identifier[]) => blockingKeysOf(a).filter((k) => blockingKeysOf(b).includes(k));

describe('blocking keys', () => {
  it('the query side and the index side compute the same keys from differently written values', () => {
    const a = blockingKeysOf(person());
    const b = blockingKeysOf(person({ [T.DATE_OF_BIRTH]: '1981-11-28', [T.FAMILY_NAME]: ' MASON ', [T.STREET_ADDRESS]: '54 hoseason st' }));
    expect(b.sort()).toEqual(a.sort());
  });

  it('a record with one corrupted identifier still shares keys with the query', () => {
    for (const over of [
      { [T.FAMILY_NAME]: 'Masonn' },
      { [T.GIVEN_NAME]: 'Izabelle' },
      { [T.DATE_OF_BIRTH]: '19811182' },
      { [T.POSTCODE]: '4818', [T.NATIONAL_ID]: '2185979' },
    ]) {
      expect(shared(person(), person(over)).length).toBeGreaterThan(0);
    }
  });

  it('a record whose names were replaced, with swapped id digits and a mistyped street, still meets the query by id or address', () => {
    const q = [
      { type: T.NATIONAL_ID, value: '4137787' },
      { type: T.STREET_ADDRESS, value: 'Studley Street' },
      { type: T.POSTCODE, value: '4869' },
    ];
    const byId = [
      { type: T.GIVEN_NAME, value: 'Jacob' },
      { type: T.NATIONAL_ID, value: '4137877' },
    ];
    const byAddress = [
      { type: T.GIVEN_NAME, value: 'Jacob' },
      { type: T.STREET_ADDRESS, value: 'Studley Steet' },
      { type: T.POSTCODE, value: '4869' },
    ];
    expect(shared(q, byId).map((k) => k.slice(0, 2))).toContain('NV');
    expect(shared(q, byAddress).map((k) => k.slice(0, 2))).toContain('PS');
    // The street by sound only within its postcode: the same street elsewhere is no candidate.
    expect(
      shared(q, [
        { type: T.STREET_ADDRESS, value: 'Studley Steet' },
        { type: T.POSTCODE, value: '2000' },
      ]),
    ).toEqual([]);
  });

  it('swapped given and family names and nicknames share the name key', () => {
    const q = [
      { type: T.GIVEN_NAME, value: 'William' },
      { type: T.FAMILY_NAME, value: 'Jones' },
    ];
    expect(
      shared(q, [
        { type: T.GIVEN_NAME, value: 'Jones' },
        { type: T.FAMILY_NAME, value: 'William' },
      ]).length,
    ).toBeGreaterThan(0);
    expect(shared(q, [{ type: T.FULL_NAME, value: 'Bill Jones' }]).length).toBeGreaterThan(0);
  });

  it('messy records share a key whenever two fields still agree approximately, whichever field is spoilt', () => {
    const crm = (over: Partial<Record<T, string | null>> = {}): Identifier[] =>
      Object.entries({
        [T.GIVEN_NAME]: 'Noah',
        [T.FAMILY_NAME]: 'Watson',
        [T.DATE_OF_BIRTH]: '1984-03-11',
        [T.EMAIL]: 'matthew78@ballard-mcdonald.net',
        [T.CITY]: 'Bolton',
        ...over,
      })
        .filter(([, v]) => v !== null)
        .map(([type, value]) => ({ type: type as T, value: value! }));
    const q = crm();
    for (const over of [
      // Names swapped and a typo on top; date of birth shifted; city mistyped: e-mail and a name agree.
      { [T.GIVEN_NAME]: 'Watsno', [T.FAMILY_NAME]: 'Noah', [T.DATE_OF_BIRTH]: '1984-05-02', [T.CITY]: 'Bolno' },
      // E-mail mistyped with its domain mangled, names blank: date of birth and city agree.
      { [T.GIVEN_NAME]: null, [T.FAMILY_NAME]: null, [T.EMAIL]: 'matthea78@bwllar-mcdonald.net' },
      // Day and month transposed, e-mail blank, city spoilt: date and a name agree.
      { [T.DATE_OF_BIRTH]: '1984-11-03', [T.EMAIL]: null, [T.CITY]: 'tolon', [T.GIVEN_NAME]: null },
      // An e-mail one edit off and a name: nothing else agrees.
      { [T.FAMILY_NAME]: null, [T.DATE_OF_BIRTH]: '1990-01-01', [T.CITY]: 'Leeds', [T.EMAIL]: 'mathew78@ballard-mcdonald.net' },
      // The @ lost, the date shifted, the names blank: e-mail and city agree.
      { [T.GIVEN_NAME]: null, [T.FAMILY_NAME]: null, [T.DATE_OF_BIRTH]: '1984-04-20', [T.EMAIL]: 'matthew78ballard-mcdonald.net' },
      // A name and the birth year: a date months off and a spoilt other name.
      { [T.FAMILY_NAME]: 'Wtason', [T.DATE_OF_BIRTH]: '1984-07-30', [T.EMAIL]: null, [T.CITY]: null },
    ]) {
      expect(shared(q, crm(over)).length, JSON.stringify(over)).toBeGreaterThan(0);
    }
  });

  it('different people share no key', () => {
    const other = person({
      [T.GIVEN_NAME]: 'Harley',
      [T.FAMILY_NAME]: 'Mccarthy',
      [T.DATE_OF_BIRTH]: '19080419',
      [T.POSTCODE]: '3165',
      [T.STREET_ADDRESS]: '177 Pridham Street',
      [T.NATIONAL_ID]: '6089216',
    });
    expect(shared(person(), other)).toEqual([]);
  });

  it('keys are opaque: no identifier value appears in them', () => {
    const keys = blockingKeysOf([...person(), { type: T.EMAIL, value: 'isabelle@example.com' }]);
    expect(keys.length).toBeGreaterThan(5);
    for (const k of keys) {
      expect(k).toMatch(/^[A-Z]{2}:[A-Za-z0-9_-]{16}$/);
      expect(k.toLowerCase()).not.toContain('mason');
    }
  });

  it('is tolerant: unusable values are ignored, a given name alone gives no key', () => {
    expect(
      blockingKeysOf([
        { type: T.EMAIL, value: 'nope' },
        { type: T.DATE_OF_BIRTH, value: '' },
      ]),
    ).toEqual([]);
    expect(blockingKeysOf([{ type: T.GIVEN_NAME, value: 'John' }])).toEqual([]);
    expect(
      blockingKeysOf([
        { type: T.EMAIL, value: 'a@b.co' },
        { type: T.EMAIL, value: 'bad' },
      ]),
    ).toEqual(blockingKeysOf([{ type: T.EMAIL, value: 'a@b.co' }]));
  });
});
