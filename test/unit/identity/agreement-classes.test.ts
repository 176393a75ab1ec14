import { describe, expect, it } from 'vitest';
import type { Identifier } from '../../../connectors/contract.js';
import { IdentifierType as T, MatchBand } from '../../../src/domain/vocabulary.js';
import { agreementClasses, identifiersAgreeingApproximately } from '../../../src/identity/evaluation/agreement-classes.js';
import { profileOfRaw } from '../../../src/identity/matching/profile.js';

const p = (...ids: [T, string][]) => profileOfRaw(ids.map(([type, value]): Identifier => ({ type, value })));

describe('true pairs by identifiers agreeing approximately', () => {
  const noah = p([T.GIVEN_NAME, 'Noah'], [T.FAMILY_NAME, 'Watson'], [T.DATE_OF_BIRTH, '1980-04-02'], [T.EMAIL, 'noah.watson@example.com'], [T.CITY, 'Bolton']);

  it('counts each identifier once, at an agree or partial level, and never a blank or disagreeing one', () => {
    // Names swapped (one identifier however many name fields), e-mail one letter off, city mistyped.
    const messy = p([T.GIVEN_NAME, 'Watson'], [T.FAMILY_NAME, 'Noah'], [T.EMAIL, 'noah.watsom@example.com'], [T.CITY, 'Bolotn']);
    expect(identifiersAgreeingApproximately(noah, messy)).toBe(3);
    // A birth date months off is a partial agreement: it counts.
    expect(identifiersAgreeingApproximately(noah, p([T.FAMILY_NAME, 'Watson'], [T.DATE_OF_BIRTH, '1980-09-15']))).toBe(2);
    const other = p([T.GIVEN_NAME, 'Karen'], [T.FAMILY_NAME, 'Liu'], [T.DATE_OF_BIRTH, '1951-11-30'], [T.EMAIL, 'kliu@elsewhere.org'], [T.CITY, 'Leeds']);
    expect(identifiersAgreeingApproximately(noah, other)).toBe(0);
  });

  it('splits recall by class: blocking (keys meet), MATCH+REVIEW and MATCH', () => {
    const nameAndDate = p([T.GIVEN_NAME, 'Noah'], [T.FAMILY_NAME, 'Watson'], [T.DATE_OF_BIRTH, '1980-04-02']);
    const nameOnly = p([T.GIVEN_NAME, 'Noah'], [T.FAMILY_NAME, 'Watson'], [T.CITY, 'Sydney']);
    const classes = agreementClasses([
      { query: noah, record: noah, band: MatchBand.MATCH },
      { query: noah, record: nameAndDate, band: MatchBand.REVIEW },
      { query: noah, record: nameOnly, band: null },
    ]);
    expect(classes).toEqual([
      { label: '0-1', truePairs: 1, blockingRecall: 1, reviewRecall: 0, matchRecall: 0 },
      { label: '2', truePairs: 1, blockingRecall: 1, reviewRecall: 1, matchRecall: 0 },
      { label: '3+', truePairs: 1, blockingRecall: 1, reviewRecall: 1, matchRecall: 1 },
    ]);
    // A pair whose keys never meet is a blocking miss in its class.
    const stranger = p([T.GIVEN_NAME, 'Karen'], [T.FAMILY_NAME, 'Liu'], [T.EMAIL, 'kliu@example.com']);
    expect(agreementClasses([{ query: noah, record: stranger, band: null }])[0]).toMatchObject({ truePairs: 1, blockingRecall: 0 });
  });
});
