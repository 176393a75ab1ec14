import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { InvalidIdentifierError } from '../../../src/identity/errors.js';
import { legacyNormalForm, normaliseIdentifier, normaliseQueryIdentifiers, normaliseRecordIdentifiers } from '../../../src/identity/normalise/index.js';

const n = (type: T, value: string, options = {}) => normaliseIdentifier({ type, value }, options);

function codedError(type: T | string, value: string): InvalidIdentifierError {
  try {
    normaliseIdentifier({ type: type as T, value });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidIdentifierError);
    return error as InvalidIdentifierError;
  }
  throw new Error(`expected ${type} "${value}" to be rejected`);
}

describe('names', () => {
  it('folds case, accents, titles and punctuation', () => {
    expect(n(T.FULL_NAME, 'Dr. José  García-López')).toMatchObject({ value: 'jose garcia lopez', given: 'jose', family: 'garcia lopez' });
    expect(n(T.FULL_NAME, "Mrs Mary O'Brien Jr.")).toMatchObject({ value: 'mary obrien', given: 'mary', family: 'obrien' });
    expect(n(T.FAMILY_NAME, 'MÜLLER').value).toBe('muller');
  });

  it('reads "Family, Given" order and family-name particles', () => {
    expect(n(T.FULL_NAME, 'SMITH, John Paul')).toMatchObject({ value: 'john paul smith', given: 'john', family: 'smith' });
    expect(n(T.FULL_NAME, 'Ludwig van Beethoven')).toMatchObject({ given: 'ludwig', family: 'van beethoven' });
  });

  it('maps common nicknames to a canonical given name and keeps the value', () => {
    expect(n(T.GIVEN_NAME, 'Bill')).toMatchObject({ value: 'bill', canonical: 'william' });
    expect(n(T.FULL_NAME, 'Kate Smith').canonical).toBe('katherine');
    expect(n(T.GIVEN_NAME, 'Zebedee').canonical).toBe('zebedee');
  });

  it('gives the same phonetic code to names that sound alike', () => {
    expect(n(T.FAMILY_NAME, 'Smith').phonetic).toContain('SM0');
    expect(n(T.FAMILY_NAME, 'Smyth').phonetic![0]).toBe(n(T.FAMILY_NAME, 'Smith').phonetic![0]);
  });

  it('is idempotent: normalising a normalised name changes nothing', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), (raw) => {
        let first;
        try {
          first = n(T.FULL_NAME, raw);
        } catch {
          return true;
        }
        const again = n(T.FULL_NAME, first.value);
        return again.value === first.value;
      }),
    );
  });
});

describe('contact details', () => {
  it('puts back the @ an address at a large provider lost, and nothing else', () => {
    expect(normaliseIdentifier({ type: T.EMAIL, value: 'jane.doe.gmail.com' }).value).toBe('jane.doe@gmail.com');
    expect(normaliseIdentifier({ type: T.EMAIL, value: 'janedoegmail.com' }).value).toBe('janedoe@gmail.com');
    expect(() => normaliseIdentifier({ type: T.EMAIL, value: 'jane.doe.acme-corp.net' })).toThrow(InvalidIdentifierError);
  });

  it('lowercases emails and keeps dots and tags', () => {
    expect(n(T.EMAIL, ' John.Smith+dsr@Example.COM ').value).toBe('john.smith+dsr@example.com');
  });

  it('writes phones as E.164 with a configurable default country', () => {
    expect(n(T.PHONE, '020 7946 0958').value).toBe('+442079460958');
    expect(n(T.PHONE, '+1 (415) 555-2671').value).toBe('+14155552671');
    expect(n(T.PHONE, '0044 20 7946 0958').value).toBe('+442079460958');
    expect(n(T.PHONE, '(02) 9374 4000', { defaultCountry: 'AU' }).value).toBe('+61293744000');
  });
});

describe('dates of birth', () => {
  it.each([
    ['19560409', '1956-04-09'],
    ['1956-04-09', '1956-04-09'],
    ['09/04/1956', '1956-04-09'],
    ['9.4.1956', '1956-04-09'],
    ['9 April 1956', '1956-04-09'],
    ['9th Apr 1956', '1956-04-09'],
    ['April 9, 1956', '1956-04-09'],
    ['04/13/1956', '1956-04-13'],
    ['1956-04-09T00:00:00Z', '1956-04-09'],
  ])('reads %s as %s', (raw, iso) => {
    expect(n(T.DATE_OF_BIRTH, raw).value).toBe(iso);
  });

  it('reads ambiguous numeric dates in the configured order', () => {
    expect(n(T.DATE_OF_BIRTH, '03/04/1980', { dateOrder: 'MDY' }).value).toBe('1980-03-04');
    expect(n(T.DATE_OF_BIRTH, '03/04/1980').value).toBe('1980-04-03');
  });
});

describe('ids, postcodes and addresses', () => {
  it('uppercases ids and strips spaces and dashes', () => {
    expect(n(T.MEMBERSHIP_NUMBER, 'ab-123 456').value).toBe('AB123456');
    expect(n(T.NATIONAL_ID, 'qq 12 34 56 c').value).toBe('QQ123456C');
    expect(n(T.BADGE_ID, 'b-0042').value).toBe('B0042');
  });

  it('normalises postcodes and expands street abbreviations', () => {
    expect(n(T.POSTCODE, 'sw1a 1aa').value).toBe('SW1A1AA');
    expect(n(T.POSTCODE, '0800').value).toBe('0800');
    expect(n(T.STREET_ADDRESS, '12 Main St.').value).toBe('12 main street');
    expect(n(T.STREET_ADDRESS, '7 Wallaby Pl').value).toBe(n(T.STREET_ADDRESS, '7 wallaby place').value);
    expect(n(T.STREET_ADDRESS, '12 St Kilda Rd').value).toBe('12 saint kilda road');
    expect(n(T.CITY, 'Mt. Gambier').value).toBe('mount gambier');
  });
});

describe('bad input', () => {
  it.each([
    [T.EMAIL, 'not-an-email'],
    [T.EMAIL, '   '],
    [T.PHONE, 'call me'],
    [T.PHONE, '12'],
    [T.DATE_OF_BIRTH, '31/02/1980'],
    [T.DATE_OF_BIRTH, '2990-01-01'],
    [T.DATE_OF_BIRTH, 'yesterday'],
    [T.GIVEN_NAME, 'R2D2'],
    [T.FULL_NAME, '!!!'],
    [T.BADGE_ID, '#!'],
    [T.POSTCODE, '??'],
    [T.STREET_ADDRESS, '12'],
  ])('%s "%s" is a coded INVALID_IDENTIFIER error naming the type', (type, value) => {
    const error = codedError(type, value);
    expect(error.code).toBe('INVALID_IDENTIFIER');
    expect(error.identifierType).toBe(type);
    expect(error.message).toContain(type);
  });

  it('an unknown identifier type is a coded error, not a crash', () => {
    expect(codedError('SHOE_SIZE', '42').code).toBe('INVALID_IDENTIFIER');
  });

  it('a query with one bad identifier is rejected as a whole', () => {
    expect(() =>
      normaliseQueryIdentifiers([
        { type: T.GIVEN_NAME, value: 'Ann' },
        { type: T.EMAIL, value: 'x' },
      ]),
    ).toThrow(InvalidIdentifierError);
  });

  it('record identifiers are normalised tolerantly: bad and blank values dropped, duplicates merged', () => {
    const out = normaliseRecordIdentifiers([
      { type: T.EMAIL, value: 'x' },
      { type: T.DATE_OF_BIRTH, value: '' },
      { type: T.DATE_OF_BIRTH, value: '19800230' },
      { type: T.FAMILY_NAME, value: 'Smith' },
      { type: T.FAMILY_NAME, value: ' SMITH ' },
      { type: 'BOGUS' as T, value: 'x' },
      null as never,
    ]);
    expect(out).toEqual([{ type: T.FAMILY_NAME, value: 'smith', phonetic: ['SM0', 'XMT'] }]);
  });
});

// Tombstones and blind indexes stored before values were put in one Unicode form hold the
// hash of the form the value had then: look-ups need that form to find them (R10).
describe('the normal form before the Unicode step (upgrades)', () => {
  it('is the form a value had then, when it differs from the form now', () => {
    expect(legacyNormalForm({ type: T.EMAIL, value: 'Ine\u0301s@Example.org' })).toEqual({ type: T.EMAIL, value: 'ine\u0301s@example.org' });
    expect(legacyNormalForm({ type: T.EMAIL, value: 'ines\u200b@example.org' })).toEqual({ type: T.EMAIL, value: 'ines\u200b@example.org' });
    expect(legacyNormalForm({ type: T.FULL_NAME, value: 'Ana\u00adMaria Duarte' })).toMatchObject({ given: 'ana', family: 'duarte' });
    expect(n(T.EMAIL, 'Ine\u0301s@Example.org')).toEqual({
      type: T.EMAIL,
      value: 'in\u00e9s@example.org',
      legacyForms: [{ type: T.EMAIL, value: 'ine\u0301s@example.org' }],
    });
  });

  it("is the mangled form a source's address was kept in when it could not be read then", () => {
    expect(legacyNormalForm({ type: T.EMAIL, value: 'ines\uff20duarte.example.com' })).toEqual({ type: T.EMAIL, value: 'ines\uff20duarte.example.com' });
  });

  it("a source's value the Unicode step makes unreadable is kept as it was read then", () => {
    expect(() => n(T.EMAIL, 'ana\uff20duarte@example.com')).toThrow(InvalidIdentifierError);
    expect(normaliseRecordIdentifiers([{ type: T.EMAIL, value: 'Ana\uff20Duarte@example.com' }])).toEqual([
      { type: T.EMAIL, value: 'ana\uff20duarte@example.com' },
    ]);
  });

  it('is nothing when the form did not change or the value was refused then', () => {
    expect(legacyNormalForm({ type: T.EMAIL, value: 'ines@example.org' })).toBeNull();
    expect(legacyNormalForm({ type: T.FULL_NAME, value: 'Jose\u0301 Garci\u0301a' })).toBeNull();
    expect(legacyNormalForm({ type: T.NATIONAL_ID, value: 'ＱＱ１２３４５６Ｃ' })).toBeNull();
    expect(n(T.FAMILY_NAME, 'Müller')).not.toHaveProperty('legacyForms');
  });

  it('two ways of writing one value keep both earlier forms', () => {
    const [one, ...rest] = normaliseQueryIdentifiers([
      { type: T.EMAIL, value: 'in\u00e9s@example.org' },
      { type: T.EMAIL, value: 'ine\u0301s@example.org' },
      { type: T.EMAIL, value: 'in\u00e9s\u200b@example.org' },
    ]);
    expect(rest).toEqual([]);
    expect(one!.legacyForms!.map((f) => f.value)).toEqual(['ine\u0301s@example.org', 'in\u00e9s\u200b@example.org']);
  });
});
