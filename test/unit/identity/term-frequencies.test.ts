import { describe, expect, it } from 'vitest';
import type { Identifier } from '../../../connectors/contract.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { profileOfRaw } from '../../../src/identity/matching/profile.js';
import { termFrequenciesOf } from '../../../src/identity/matching/term-frequencies.js';

const p = (...ids: [T, string][]) => profileOfRaw(ids.map(([type, value]): Identifier => ({ type, value })));

describe('term frequencies of the records being linked', () => {
  const profiles = [
    p([T.GIVEN_NAME, 'Jack'], [T.FAMILY_NAME, 'Smith']),
    p([T.GIVEN_NAME, 'JACK '], [T.FAMILY_NAME, 'Smith']),
    p([T.GIVEN_NAME, 'Noah'], [T.FAMILY_NAME, 'Smith']),
    p([T.FAMILY_NAME, 'Zylberstein']),
  ];

  it('counts normalised given and family names apart, commonest first, each total over every value seen', () => {
    const tf = termFrequenciesOf(profiles);
    expect(tf.givenName).toEqual({ total: 3, counts: { jack: 2, noah: 1 } });
    expect(tf.familyName).toEqual({ total: 4, counts: { smith: 3, zylberstein: 1 } });
    expect(Object.keys(tf.familyName!.counts)).toEqual(['smith', 'zylberstein']);
  });

  it('leaves out values seen fewer than minCount times, but keeps them in the total', () => {
    const tf = termFrequenciesOf(profiles, 2);
    expect(tf.givenName).toEqual({ total: 3, counts: { jack: 2 } });
    expect(tf.familyName).toEqual({ total: 4, counts: { smith: 3 } });
  });

  it('an empty set of records gives empty tables', () => {
    expect(termFrequenciesOf([])).toEqual({ givenName: { total: 0, counts: {} }, familyName: { total: 0, counts: {} } });
  });
});
