// Where a phone number was written decides how a national-format number is read: the
// identifier's own country, else the caller's (a source's phone country, the deployment's
// default), else GB, as every number was read before either could be named.
import { describe, expect, it } from 'vitest';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import {
  DEFAULT_PHONE_COUNTRY,
  isPhoneCountry,
  legacyNormalForm,
  normaliseIdentifier,
  normaliseQueryIdentifiers,
  normaliseRecordIdentifiers,
  withPhoneCountry,
} from '../../../src/identity/normalise/index.js';
import { blockingKeysOf } from '../../../src/identity/blocking.js';
import { loadConfig, ConfigError } from '../../../src/config/config.js';
import { parseSourceConfig } from '../../../connectors/source-config.js';

const FRENCH_MOBILE = '06 12 34 56 78';

describe('R10: a national-format phone number is read in the country it was written in', () => {
  it("reads the caller's default country, and GB when the caller names none", () => {
    expect(normaliseIdentifier({ type: T.PHONE, value: FRENCH_MOBILE }, { defaultCountry: 'FR' }).value).toBe('+33612345678');
    expect(normaliseIdentifier({ type: T.PHONE, value: FRENCH_MOBILE }).value).toBe('+44612345678');
    expect(DEFAULT_PHONE_COUNTRY).toBe('GB');
  });

  it("an identifier's own country wins over the caller's default, and does nothing to a +prefixed number", () => {
    expect(normaliseIdentifier({ type: T.PHONE, value: FRENCH_MOBILE, country: 'FR' }, { defaultCountry: 'GB' }).value).toBe('+33612345678');
    expect(normaliseIdentifier({ type: T.PHONE, value: FRENCH_MOBILE, country: 'FR' }).value).toBe('+33612345678');
    expect(normaliseIdentifier({ type: T.PHONE, value: '+44 20 7946 0958', country: 'FR' }).value).toBe('+442079460958');
    expect(normaliseQueryIdentifiers([{ type: T.PHONE, value: '030 1234567', country: 'DE' }], { defaultCountry: 'FR' })[0]!.value).toBe('+49301234567');
  });

  it('reads a country in any case ("fr" is FR), as DSR_DEFAULT_PHONE_COUNTRY does, and a request keeps it in capitals', () => {
    expect(normaliseIdentifier({ type: T.PHONE, value: FRENCH_MOBILE, country: 'fr' }, { defaultCountry: 'GB' }).value).toBe('+33612345678');
    expect(normaliseIdentifier({ type: T.PHONE, value: '030 1234567', country: ' de ' }).value).toBe('+49301234567');
    expect(normaliseRecordIdentifiers([{ type: T.PHONE, value: FRENCH_MOBILE, country: 'fr' }], { defaultCountry: 'GB' })[0]!.value).toBe('+33612345678');
    expect(withPhoneCountry([{ type: T.PHONE, value: FRENCH_MOBILE, country: 'fr' }], 'GB')).toEqual([{ type: T.PHONE, value: FRENCH_MOBILE, country: 'FR' }]);
  });

  it('refuses an unknown country as bad input (INVALID_IDENTIFIER), and a record drops only that value', () => {
    for (const country of ['XX', 'FRA', 'uk', '']) {
      expect(() => normaliseIdentifier({ type: T.PHONE, value: FRENCH_MOBILE, country })).toThrow(/country: not an ISO 3166 alpha-2 code/);
    }
    try {
      normaliseIdentifier({ type: T.PHONE, value: FRENCH_MOBILE, country: 'XX' });
    } catch (error) {
      expect((error as { code?: string }).code).toBe('INVALID_IDENTIFIER');
    }
    expect(
      normaliseRecordIdentifiers([
        { type: T.PHONE, value: FRENCH_MOBILE, country: 'XX' },
        { type: T.EMAIL, value: 'a@example.org' },
      ]),
    ).toEqual([{ type: T.EMAIL, value: 'a@example.org' }]);
  });

  it('reads no country where none is needed: another identifier type, a +prefixed number (a record keeps them)', () => {
    expect(normaliseIdentifier({ type: T.EMAIL, value: 'A@Example.org', country: 'UK' }).value).toBe('a@example.org');
    expect(normaliseIdentifier({ type: T.PHONE, value: '+33 6 12 34 56 78', country: 'UK' }).value).toBe('+33612345678');
    expect(normaliseIdentifier({ type: T.PHONE, value: '0033 6 12 34 56 78', country: 'XX' }).value).toBe('+33612345678');
    expect(
      normaliseRecordIdentifiers([
        { type: T.EMAIL, value: 'b@example.org', country: 'UK' },
        { type: T.PHONE, value: '+33 6 12 34 56 78', country: 'UK' },
      ]),
    ).toEqual([
      { type: T.EMAIL, value: 'b@example.org' },
      { type: T.PHONE, value: '+33612345678' },
    ]);
  });

  it("a record's numbers are remembered per country: the same cell in a French and a British record reads apart", () => {
    const cell = { type: T.PHONE, value: FRENCH_MOBILE };
    expect(normaliseRecordIdentifiers([cell], { defaultCountry: 'FR' })[0]!.value).toBe('+33612345678');
    expect(normaliseRecordIdentifiers([cell], { defaultCountry: 'GB' })[0]!.value).toBe('+44612345678');
    expect(normaliseRecordIdentifiers([{ ...cell, country: 'FR' }], { defaultCountry: 'GB' })[0]!.value).toBe('+33612345678');
    expect(normaliseRecordIdentifiers([cell], { defaultCountry: 'GB' })[0]!.value).toBe('+44612345678');
  });

  it('a number with invisible characters pasted in is read in its own country too', () => {
    expect(normaliseIdentifier({ type: T.PHONE, value: '06\u200b12 34 56 78', country: 'FR' }).value).toBe('+33612345678');
    expect(legacyNormalForm({ type: T.PHONE, value: '06 12 34 56 78', country: 'XX' })).toBeNull();
  });

  it('blocking keys follow the reading: a French source keyed in FR meets a query of the +33 number', () => {
    const query = blockingKeysOf([{ type: T.PHONE, value: '+33 6 12 34 56 78' }]);
    expect(blockingKeysOf([{ type: T.PHONE, value: FRENCH_MOBILE }], { defaultCountry: 'FR' })).toEqual(query);
    expect(blockingKeysOf([{ type: T.PHONE, value: FRENCH_MOBILE }])).not.toEqual(query);
  });

  it("withPhoneCountry stamps the caller's country on phone numbers that name none, and on nothing else", () => {
    expect(
      withPhoneCountry(
        [
          { type: T.PHONE, value: FRENCH_MOBILE },
          { type: T.PHONE, value: '030 1234567', country: 'DE' },
          { type: T.EMAIL, value: 'a@example.org', country: 'FR' },
        ],
        'FR',
      ),
    ).toEqual([
      { type: T.PHONE, value: FRENCH_MOBILE, country: 'FR' },
      { type: T.PHONE, value: '030 1234567', country: 'DE' },
      { type: T.EMAIL, value: 'a@example.org' },
    ]);
  });

  it('knows a country by its ISO 3166 alpha-2 code in capitals', () => {
    expect(['GB', 'FR', 'DE', 'SG', 'AE', 'US'].every(isPhoneCountry)).toBe(true);
    expect(['gb', 'UK', 'XX', 'FRA', 7, null].some(isPhoneCountry)).toBe(false);
  });
});

describe('where the country comes from: the deployment and a source registration', () => {
  it('DSR_DEFAULT_PHONE_COUNTRY defaults to GB, takes a country in any case, and refuses anything else at start', () => {
    expect(loadConfig({}).DSR_DEFAULT_PHONE_COUNTRY).toBe('GB');
    expect(loadConfig({ DSR_DEFAULT_PHONE_COUNTRY: 'fr' }).DSR_DEFAULT_PHONE_COUNTRY).toBe('FR');
    for (const bad of ['UK', 'France', 'XX']) {
      let problem: ConfigError | null = null;
      try {
        loadConfig({ DSR_DEFAULT_PHONE_COUNTRY: bad });
      } catch (error) {
        problem = error as ConfigError;
      }
      expect(problem).toBeInstanceOf(ConfigError);
      expect(problem!.problems.map((p) => p.variable)).toEqual(['DSR_DEFAULT_PHONE_COUNTRY']);
    }
  });

  it("a registration's phoneCountry is optional and must be a country code in capitals (field named)", () => {
    const base = { name: 'Paris clinic', kind: 'OTHER', type: 'remote', connection: { baseUrl: 'https://clinic.example', secretEnv: 'DSR_SOURCE_SECRET_X' } };
    expect(parseSourceConfig(base).phoneCountry).toBeUndefined();
    expect(parseSourceConfig({ ...base, phoneCountry: 'FR' }).phoneCountry).toBe('FR');
    for (const bad of ['fr', 'XX', 'FRA', 33]) expect(() => parseSourceConfig({ ...base, phoneCountry: bad })).toThrow(/^phoneCountry: /);
  });
});
