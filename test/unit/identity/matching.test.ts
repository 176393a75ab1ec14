import { describe, expect, it } from 'vitest';
import type { Identifier } from '../../../connectors/contract.js';
import { IdentifierType as T, MatchBand } from '../../../src/domain/vocabulary.js';
import { COMPARISONS } from '../../../src/identity/matching/comparisons.js';
import { createMatchModel, scorePair } from '../../../src/identity/matching/model.js';
import { checkParameters, defaultParameters } from '../../../src/identity/matching/parameters.js';
import { profileOfRaw } from '../../../src/identity/matching/profile.js';

const p = (...ids: [T, string][]) => profileOfRaw(ids.map(([type, value]): Identifier => ({ type, value })));

function level(field: string, a: [T, string][], b: [T, string][]): string {
  const c = COMPARISONS.find((x) => x.field === field)!;
  const out = c.compare(p(...a), p(...b));
  return out ? c.levels[out.level]!.label : 'null';
}

describe('comparison levels', () => {
  it('names: exact, nickname, Jaro-Winkler bands, phonetic, reversed, else', () => {
    const g = (a: string, b: string) => level('givenName', [[T.GIVEN_NAME, a]], [[T.GIVEN_NAME, b]]);
    expect(g('isabelle', 'Isabelle')).toBe('exact');
    expect(g('Bill', 'William')).toBe('nickname');
    expect(g('isabelle', 'isabele')).toBe('jaro-winkler >= 0.92');
    expect(g('john', 'james')).toBe('else');
    const f = (a: string, b: string) => level('familyName', [[T.FAMILY_NAME, a]], [[T.FAMILY_NAME, b]]);
    expect(f('catherine', 'kathryn')).toBe('phonetic');
    expect(f('hardy', 'harding')).toBe('jaro-winkler >= 0.80');
    expect(f('mason', 'masters')).toBe('else');
    expect(
      level(
        'givenName',
        [
          [T.GIVEN_NAME, 'jones'],
          [T.FAMILY_NAME, 'william'],
        ],
        [[T.FULL_NAME, 'william jones']],
      ),
    ).toBe('names reversed');
    expect(f('smith', '')).toBe('null');
  });

  it('dates: exact, one typo, day and month transposed, within a month, within a year, else', () => {
    const d = (a: string, b: string) => level('dateOfBirth', [[T.DATE_OF_BIRTH, a]], [[T.DATE_OF_BIRTH, b]]);
    expect(d('1981-11-28', '28/11/1981')).toBe('exact');
    expect(d('1981-11-28', '1981-11-23')).toBe('one typo');
    expect(d('1981-11-28', '1918-11-28')).toBe('one typo');
    expect(d('1981-03-04', '1981-04-03')).toBe('day and month transposed');
    expect(d('1981-03-04', '1981-03-27')).toBe('within a month');
    expect(d('1981-12-20', '1982-01-09')).toBe('within a month');
    expect(d('1981-03-04', '1981-09-27')).toBe('within a year');
    expect(d('1981-11-04', '1982-06-27')).toBe('within a year');
    expect(d('1981-03-04', '1975-09-27')).toBe('else');
  });

  it('ids compare only with the same type; emails by local part', () => {
    expect(level('reference', [[T.MEMBERSHIP_NUMBER, 'M1']], [[T.BADGE_ID, 'M1']])).toBe('null');
    expect(level('reference', [[T.MEMBERSHIP_NUMBER, 'M1']], [[T.MEMBERSHIP_NUMBER, 'm-1']])).toBe('exact');
    expect(level('reference', [[T.MEMBERSHIP_NUMBER, 'M1']], [[T.MEMBERSHIP_NUMBER, 'M2']])).toBe('else');
    expect(level('email', [[T.EMAIL, 'ann@a.com']], [[T.EMAIL, 'ann@b.org']])).toBe('same local part');
    expect(level('nationalId', [[T.NATIONAL_ID, '2185997']], [[T.NATIONAL_ID, '2185979']])).toBe('one typo');
  });

  it('e-mails: a typo is within two edits, another initial before a shared surname is not', () => {
    const e = (a: [T, string][], b: [T, string][]) => level('email', a, b);
    const nathan: [T, string][] = [
      [T.GIVEN_NAME, 'Nathan'],
      [T.FAMILY_NAME, 'Morrison'],
      [T.EMAIL, 'nmorrison@outlook.com'],
    ];
    expect(
      e(nathan, [
        [T.GIVEN_NAME, 'Nathan'],
        [T.FAMILY_NAME, 'Morrison'],
        [T.EMAIL, 'nmorrisn@outlook.com'],
      ]),
    ).toBe('within two edits');
    expect(
      e(nathan, [
        [T.GIVEN_NAME, 'Morrison'],
        [T.FAMILY_NAME, 'Chelsea'],
        [T.EMAIL, 'cmorrison@outlook.com'],
      ]),
    ).not.toBe('within two edits');
    // The surname without an initial, and a typo of it on the other side.
    expect(
      e(
        [
          [T.FAMILY_NAME, 'White'],
          [T.EMAIL, 'whicte@gmail.com'],
        ],
        [
          [T.GIVEN_NAME, 'White'],
          [T.EMAIL, 'cwhite@gmail.com'],
        ],
      ),
    ).not.toBe('within two edits');
    // Given name and the family initial: "chelseam" and "chelsean".
    expect(
      e(
        [
          [T.GIVEN_NAME, 'Chelsea'],
          [T.EMAIL, 'chelseam@aol.com'],
        ],
        [
          [T.GIVEN_NAME, 'Chelsea'],
          [T.EMAIL, 'chelsean@aol.com'],
        ],
      ),
    ).not.toBe('within two edits');
    // A typo that drops a name's first letter is still a typo when the rest is no name.
    expect(
      e(
        [
          [T.GIVEN_NAME, 'Mitchell'],
          [T.FAMILY_NAME, 'Green'],
          [T.EMAIL, 'mitchell.green@icloud.com'],
        ],
        [
          [T.GIVEN_NAME, 'Mitchell'],
          [T.EMAIL, 'itchell.green@icloud.com'],
        ],
      ),
    ).toBe('within two edits');
  });

  it('with several values per side the best level wins', () => {
    expect(
      level(
        'email',
        [
          [T.EMAIL, 'old@x.com'],
          [T.EMAIL, 'new@y.com'],
        ],
        [[T.EMAIL, 'new@y.com']],
      ),
    ).toBe('exact');
  });
});

describe('match weights and bands', () => {
  const model = createMatchModel({
    termFrequencies: {
      familyName: { total: 1000, counts: { smith: 100, zylberstein: 1 } },
      givenName: { total: 1000, counts: { john: 50 } },
    },
  });
  const john = (family: string, dob?: string) => p([T.GIVEN_NAME, 'John'], [T.FAMILY_NAME, family], ...(dob ? [[T.DATE_OF_BIRTH, dob] as [T, string]] : []));

  it('a rare surname agreeing counts for more than a common one (term-frequency adjustment)', () => {
    const common = scorePair(model, john('Smith'), john('Smith'));
    const rare = scorePair(model, john('Zylberstein'), john('Zylberstein'));
    const w = (s: typeof common) => s.explanation.fields.find((f) => f.field === 'familyName')!;
    expect(w(rare).weight).toBeGreaterThan(w(common).weight);
    expect(w(rare).tfAdjustment).toBeGreaterThan(0);
    expect(w(common).tfAdjustment).toBeLessThan(0);
  });

  it('a name alone never qualifies as MATCH, however rare', () => {
    const s = scorePair(model, john('Zylberstein'), john('Zylberstein'));
    expect(s.explanation.agreeingIdentifiers).toEqual(['NAME']);
    expect(s.band).not.toBe(MatchBand.MATCH);
  });

  it('MATCH needs two independent agreeing identifiers: name and date of birth', () => {
    const s = scorePair(model, john('Smith', '1970-01-02'), john('Smith', '02/01/1970'));
    expect(s.explanation.agreeingIdentifiers.sort()).toEqual(['DOB', 'NAME']);
    expect(s.band).toBe(MatchBand.MATCH);
  });

  it('a high probability from one identifier is REVIEW, not MATCH', () => {
    // An exact national id alone weighs more than the match threshold needs.
    const s = scorePair(model, p([T.NATIONAL_ID, '1234567']), p([T.NATIONAL_ID, '1234567']));
    expect(s.probability).toBeGreaterThan(model.thresholds.match);
    expect(s.band).toBe(MatchBand.REVIEW);
  });

  it('a disagreeing date of birth lowers the score and does not count as agreement', () => {
    const same = scorePair(model, john('Smith', '1970-01-02'), john('Smith', '1970-01-02'));
    const other = scorePair(model, john('Smith', '1970-01-02'), john('Smith', '1955-07-30'));
    expect(other.probability).toBeLessThan(same.probability);
    expect(other.explanation.agreeingIdentifiers).toEqual(['NAME']);
    expect(other.band).not.toBe(MatchBand.MATCH);
  });

  it('thresholds are configurable', () => {
    const pair = [john('Smith', '1970-01-02'), john('Smith', '1970-01-02')] as const;
    const strict = createMatchModel({ thresholds: { match: 0.999999999, review: 0.5 } });
    const s = scorePair(strict, ...pair);
    expect(s.probability).toBeLessThan(0.999999999);
    expect(s.band).toBe(MatchBand.REVIEW);
    expect(() => createMatchModel({ thresholds: { match: 0.5, review: 0.9 } })).toThrow(RangeError);
  });

  it('the explanation adds up: prior plus field weights is the total, and gives the probability', () => {
    const s = scorePair(model, john('Smith', '1970-01-02'), john('Smyth', '1970-01-20'));
    const e = s.explanation;
    const sum = e.priorWeight + e.fields.reduce((a, f) => a + f.weight, 0);
    expect(e.totalWeight).toBeCloseTo(sum, 10);
    expect(s.probability).toBeCloseTo(1 / (1 + 2 ** -e.totalWeight), 12);
    const family = e.fields.find((f) => f.field === 'familyName')!;
    expect(family).toMatchObject({ queryValue: 'smith', recordValue: 'smyth', level: 'phonetic' });
    expect(family.weight).toBeCloseTo(Math.log2(family.m! / family.u!), 10);
    expect(e.fields.find((f) => f.field === 'email')).toMatchObject({ level: 'null', weight: 0 });
    expect(e.parametersVersion).toBe(defaultParameters().version);
  });
});

describe('messy data', () => {
  const model = createMatchModel();

  it("names written in each other's column are the columns-reversed level, also with a typo or a blank", () => {
    const q: [T, string][] = [
      [T.GIVEN_NAME, 'Noah'],
      [T.FAMILY_NAME, 'Watson'],
    ];
    expect(
      level('givenName', q, [
        [T.GIVEN_NAME, 'Watson'],
        [T.FAMILY_NAME, 'Noah'],
      ]),
    ).toBe('names reversed');
    expect(
      level('familyName', q, [
        [T.GIVEN_NAME, 'Watsno'],
        [T.FAMILY_NAME, 'Noah'],
      ]),
    ).toBe('names reversed');
    // The record left its given name blank and wrote the given name as family name.
    expect(level('givenName', q, [[T.FAMILY_NAME, 'Noah']])).toBe('names reversed');
    expect(level('familyName', q, [[T.FAMILY_NAME, 'Noah']])).toBe('null');
  });

  it('e-mail levels: exact, lost @, local part, two edits, same domain, else', () => {
    const e = (a: string, b: string) => level('email', [[T.EMAIL, a]], [[T.EMAIL, b]]);
    expect(e('matthew78@ballard-mcdonald.net', 'Matthew78@ballard-mcdonald.net')).toBe('exact');
    expect(e('matthew78@ballard-mcdonald.net', 'matthew78ballard-mcdonald.net')).toBe('same but for punctuation');
    expect(e('matthew78@ballard-mcdonald.net', 'matthew78.ballard-mcdonald.net')).toBe('same but for punctuation');
    expect(e('matthew78@ballard-mcdonald.net', 'matthew78@bwllar-mcdonald.net')).toBe('same local part');
    expect(e('matthew78@ballard-mcdonald.net', 'matthea78@bwllard-mcdonald.net')).toBe('within two edits');
    expect(e('matthew78@gmail.com', 'ann.smith@gmail.com')).toBe('same domain');
    expect(e('matthew78@gmail.com', 'ann.smith@yahoo.com')).toBe('else');
    // A lost @ at a large provider is put back on both sides.
    expect(e('matthew78@gmail.com', 'matthew78.gmail.com')).toBe('exact');
  });

  it('cities with typos and transposed letters still agree', () => {
    const c = (a: string, b: string) => level('city', [[T.CITY, a]], [[T.CITY, b]]);
    expect(c('Bolton', 'bolton')).toBe('exact');
    expect(c('Bolton', 'Bolotn')).toBe('jaro-winkler >= 0.88');
    expect(c('Bolton', 'tolon')).toBe('jaro-winkler >= 0.70');
  });

  it('a mistyped name, a shifted birth date and a mistyped e-mail still make MATCH (two identifiers agree)', () => {
    const s = scorePair(
      model,
      p([T.GIVEN_NAME, 'Noah'], [T.FAMILY_NAME, 'Watson'], [T.DATE_OF_BIRTH, '1984-01-11'], [T.EMAIL, 'noah.watson84@gmail.com']),
      p([T.GIVEN_NAME, 'Watson'], [T.FAMILY_NAME, 'Noha'], [T.DATE_OF_BIRTH, '1984-01-29'], [T.EMAIL, 'noah.watsn84@gmail.com']),
    );
    expect(s.band).toBe(MatchBand.MATCH);
    expect(s.explanation.agreeingIdentifiers).toEqual(expect.arrayContaining(['NAME', 'EMAIL']));
  });

  it('two people of one household at one address are REVIEW at most, with a probability below 0.9', () => {
    // Spouses: same surname, street, postcode and city; their own given name, e-mail and phone
    // (and birth date, when the records hold one).
    const address: [T, string][] = [
      [T.FAMILY_NAME, 'Lowe'],
      [T.STREET_ADDRESS, '12 Hoseason Street'],
      [T.POSTCODE, 'SW1A 1AA'],
      [T.CITY, 'London'],
    ];
    const joe: [T, string][] = [[T.GIVEN_NAME, 'Joe'], ...address, [T.EMAIL, 'joe.lowe@example.com'], [T.PHONE, '+447700900123']];
    const sarah: [T, string][] = [[T.GIVEN_NAME, 'Sarah'], ...address, [T.EMAIL, 'sarah.l@example.org'], [T.PHONE, '+447700900456']];
    const pairs = [
      [p(...joe), p(...sarah)],
      [p(...joe, [T.DATE_OF_BIRTH, '1984-01-11']), p(...sarah, [T.DATE_OF_BIRTH, '1986-07-30'])],
    ];
    for (const [a, b] of pairs) {
      for (const [q, r] of [
        [a!, b!],
        [b!, a!],
      ]) {
        const s = scorePair(model, q, r);
        expect(s.band).not.toBe(MatchBand.MATCH);
        expect(s.probability).toBeLessThan(0.9);
        // The address is one piece of evidence: postcode and city add nothing once the street agreed.
        const bars = s.explanation.fields.filter((f) => f.group === 'ADDRESS' && f.weight !== 0);
        expect(bars.map((f) => f.field)).toEqual(['street']);
      }
    }
  });
});

describe('two-identifier rule on contradicting records', () => {
  const model = createMatchModel();

  it('two of a family sharing one e-mail address and a surname, born decades apart in other cities, are no MATCH', () => {
    // One record holds the surname alone; the other wrote its names in swapped columns.
    const joshua = p([T.FAMILY_NAME, 'Belperio'], [T.DATE_OF_BIRTH, '1906-10-28'], [T.EMAIL, 'jbelperio@yahoo.com'], [T.CITY, 'Maryborough']);
    const jack = p(
      [T.GIVEN_NAME, 'Belperio'],
      [T.FAMILY_NAME, 'Jakc'],
      [T.DATE_OF_BIRTH, '1982-08-27'],
      [T.EMAIL, 'jbelperio@yahoo.com'],
      [T.CITY, 'Mcleans Ridges'],
    );
    for (const [q, r] of [
      [joshua, jack],
      [jack, joshua],
    ]) {
      const s = scorePair(model, q!, r!);
      expect(s.explanation.agreeingIdentifiers).toEqual(expect.arrayContaining(['NAME', 'EMAIL']));
      expect(s.probability).toBeGreaterThan(model.thresholds.match);
      expect(s.band).toBe(MatchBand.REVIEW);
    }
    // The same pair with the birth date agreeing is one person.
    const again = p([T.GIVEN_NAME, 'Belperio'], [T.DATE_OF_BIRTH, '1906-10-28'], [T.EMAIL, 'jbelperio@yahoo.com'], [T.CITY, 'Mcleans Ridges']);
    expect(scorePair(model, joshua, again).band).toBe(MatchBand.MATCH);
  });

  it('the same street and postcode under another city name (a suburb for its town) is one address; the same street in another town is not', () => {
    const q = p(
      [T.GIVEN_NAME, 'Blake'],
      [T.FAMILY_NAME, 'Moody'],
      [T.NATIONAL_ID, '4137787'],
      [T.STREET_ADDRESS, '3 Studley Street'],
      [T.POSTCODE, '4869'],
      [T.CITY, 'Riverwood'],
    );
    const typo = p(
      [T.GIVEN_NAME, 'Jacob'],
      [T.FAMILY_NAME, 'Moody'],
      [T.NATIONAL_ID, '4137787'],
      [T.STREET_ADDRESS, '3 Studley Street'],
      [T.POSTCODE, '4869'],
      [T.CITY, 'Kingsthorpe'],
    );
    expect(level('city', [[T.CITY, 'Riverwood']], [[T.CITY, 'Kingsthorpe']])).toBe('else');
    const s = scorePair(model, q, typo);
    expect(s.explanation.agreeingIdentifiers).toEqual(expect.arrayContaining(['NATIONAL_ID', 'ADDRESS']));
    expect(s.band).toBe(MatchBand.MATCH);
    const elsewhere = p([T.STREET_ADDRESS, '3 Studley Street'], [T.POSTCODE, '2000'], [T.CITY, 'Sydney']);
    expect(scorePair(model, q, elsewhere).explanation.agreeingIdentifiers).not.toContain('ADDRESS');
  });
});

describe('a family name that changed', () => {
  const model = createMatchModel();
  const lily = p([T.GIVEN_NAME, 'Lily'], [T.FAMILY_NAME, 'Petersen'], [T.DATE_OF_BIRTH, '1962-03-26'], [T.CITY, 'Melville']);

  it('the same given name and date of birth under another family name, in the same town, is one person (a change of name)', () => {
    const married = p([T.GIVEN_NAME, 'Lily'], [T.FAMILY_NAME, 'Mizon'], [T.DATE_OF_BIRTH, '1962-03-26'], [T.CITY, 'Melvlile']);
    expect(level('familyName', [[T.FAMILY_NAME, 'Petersen']], [[T.FAMILY_NAME, 'Mizon']])).toBe('else');
    const s = scorePair(model, lily, married);
    expect(s.explanation.agreeingIdentifiers).toEqual(['NAME', 'DOB']);
    expect(s.band).toBe(MatchBand.MATCH);
  });

  it('another given name under the same family name and date of birth is a sibling (a twin), never a MATCH', () => {
    const twin = p([T.GIVEN_NAME, 'Rose'], [T.FAMILY_NAME, 'Petersen'], [T.DATE_OF_BIRTH, '1962-03-26'], [T.CITY, 'Melville']);
    const s = scorePair(model, lily, twin);
    expect(s.explanation.agreeingIdentifiers).not.toContain('NAME');
    expect(s.band).not.toBe(MatchBand.MATCH);
  });

  it('a given name under another family name agrees only beside the date of birth: an e-mail made of the given name is not enough', () => {
    // Two Nicholases who once held the same address at a provider, no birth date known.
    const raynor = p([T.GIVEN_NAME, 'Nicholas'], [T.FAMILY_NAME, 'Raynor'], [T.EMAIL, 'nicholas41@old.example.com']);
    const little = p([T.GIVEN_NAME, 'Nicholas'], [T.FAMILY_NAME, 'Little'], [T.EMAIL, 'nicholas41@old.example.com']);
    const s = scorePair(model, raynor, little);
    expect(s.probability).toBeGreaterThan(model.thresholds.match);
    expect(s.explanation.agreeingIdentifiers).toEqual(['EMAIL']);
    expect(s.band).toBe(MatchBand.REVIEW);
  });

  it('another family name counts against the pair: with the town disagreeing too, the same given name and date of birth stay in REVIEW', () => {
    // Two Benjamins of one birth date, e-mails a few letters apart, in other towns.
    const white = p(
      [T.GIVEN_NAME, 'Benjamin'],
      [T.FAMILY_NAME, 'White'],
      [T.DATE_OF_BIRTH, '1926-09-11'],
      [T.EMAIL, 'benjamih90@hotmail.com'],
      [T.CITY, 'Minchinbury'],
    );
    const lowe = p(
      [T.GIVEN_NAME, 'Benjamin'],
      [T.FAMILY_NAME, 'Lowe'],
      [T.DATE_OF_BIRTH, '1926-09-11'],
      [T.EMAIL, 'benjamin14@hotmail.com'],
      [T.CITY, 'Wanneroo'],
    );
    const s = scorePair(model, white, lowe);
    expect(s.probability).toBeGreaterThan(model.thresholds.match);
    expect(s.explanation.agreeingIdentifiers).toEqual(['NAME', 'DOB']);
    expect(s.band).toBe(MatchBand.REVIEW);
  });
});

describe('surname and address of one household', () => {
  it('a surname shared at one street counts only when the given names agree too', () => {
    const at = (given: string): [T, string][] => [
      [T.GIVEN_NAME, given],
      [T.FAMILY_NAME, 'Lowe'],
      [T.STREET_ADDRESS, '68 Mount Street'],
    ];
    expect(level('familyName', at('Joe'), at('Samuel'))).toBe('agrees, street agrees');
    expect(level('familyName', at('Joe'), at('Joe'))).toBe('exact');
    // Elsewhere a shared surname is evidence as before.
    expect(
      level('familyName', at('Joe'), [
        [T.GIVEN_NAME, 'Samuel'],
        [T.FAMILY_NAME, 'Lowe'],
        [T.STREET_ADDRESS, '3 Hill Road'],
      ]),
    ).toBe('exact');
  });
});

describe('parameters file', () => {
  it('the shipped parameters are versioned and list every level the code defines', () => {
    const params = defaultParameters();
    expect(params.version).toBe('3');
    for (const c of COMPARISONS) expect(params.comparisons[c.field]!.levels.map((l) => l.label)).toEqual(c.levels.map((l) => l.label));
  });

  it('parameters whose levels drift from the code are refused', () => {
    const params = structuredClone(defaultParameters());
    params.comparisons.givenName!.levels.reverse();
    expect(() => checkParameters(params)).toThrow(/givenName/);
  });
});

describe('redaction', () => {
  it('hides the values of fields the caller may not see and keeps the weights', async () => {
    const { redactExplanation, REDACTED } = await import('../../../src/identity/matching/redaction.js');
    const model = createMatchModel();
    const s = scorePair(model, p([T.FAMILY_NAME, 'Smith'], [T.DATE_OF_BIRTH, '1970-01-02']), p([T.FAMILY_NAME, 'Smith'], [T.DATE_OF_BIRTH, '1970-01-02']));
    const r = redactExplanation(s.explanation, (g) => g !== 'DOB');
    const dob = r.fields.find((f) => f.field === 'dateOfBirth')!;
    expect(dob).toMatchObject({ queryValue: REDACTED, recordValue: REDACTED, level: 'exact' });
    expect(dob.weight).toBe(s.explanation.fields.find((f) => f.field === 'dateOfBirth')!.weight);
    expect(r.fields.find((f) => f.field === 'familyName')!.queryValue).toBe('smith');
    expect(r.fields.find((f) => f.field === 'email')!.queryValue).toBeNull();
  });
});
