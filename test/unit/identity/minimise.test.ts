// Data minimisation per source: a query cut to the identifier types a source declares.
import { describe, expect, it } from 'vitest';
import { blockingKeysOf } from '../../../src/identity/blocking.js';
import { KEY_NEEDS, minimiseQuery } from '../../../src/identity/minimise.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';

const PERSON = [
  { type: T.GIVEN_NAME, value: 'Ada' },
  { type: T.FAMILY_NAME, value: 'Lovelace' },
  { type: T.DATE_OF_BIRTH, value: '1985-12-10' },
  { type: T.EMAIL, value: 'ada@example.org' },
  { type: T.PHONE, value: '+442079460000' },
  { type: T.POSTCODE, value: 'SW1A 1AA' },
  { type: T.STREET_ADDRESS, value: '12 Downing Street' },
  { type: T.NATIONAL_ID, value: 'QQ123456C' },
  { type: T.MEMBERSHIP_NUMBER, value: 'M-0042' },
];
const query = { identifiers: PERSON, blockingKeys: blockingKeysOf(PERSON) };
const prefixes = (keys: string[]) => [...new Set(keys.map((k) => k.slice(0, k.indexOf(':'))))].sort();

describe('minimiseQuery', () => {
  it('knows every kind of blocking key the gateway builds (a new kind must say what it is built from)', () => {
    expect(prefixes(query.blockingKeys).filter((p) => !(p in KEY_NEEDS))).toEqual([]);
  });

  it('sends a source only its declared types and the keys built from them alone', () => {
    const emailOnly = minimiseQuery(query, [T.EMAIL]);
    expect(emailOnly.identifiers).toEqual([{ type: T.EMAIL, value: 'ada@example.org' }]);
    expect(prefixes(emailOnly.blockingKeys)).toEqual(['EL', 'EM', 'ES']);

    const names = minimiseQuery(query, [T.FULL_NAME, T.GIVEN_NAME, T.FAMILY_NAME, T.POSTCODE]);
    expect(names.identifiers.map((i) => i.type).sort()).toEqual([T.FAMILY_NAME, T.GIVEN_NAME, T.POSTCODE]);
    // No key holding the date of birth, however it is combined.
    expect(prefixes(names.blockingKeys)).toEqual(['GF', 'GT', 'PF', 'PG']);

    expect(minimiseQuery(query, [T.BADGE_ID])).toEqual({ identifiers: [], blockingKeys: query.blockingKeys.filter((k) => k.startsWith('RF:')) });
    expect(minimiseQuery(query, [])).toEqual({ identifiers: [], blockingKeys: [] });
  });
});
