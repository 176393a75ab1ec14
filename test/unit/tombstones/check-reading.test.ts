// Which countries a tombstone check reads a national phone number in (docs/erasure.md, "Which
// country a phone number is read in"): the registry is a plain map here, the rule is pure.
import { describe, expect, it } from 'vitest';
import type { CountryCode } from 'libphonenumber-js';
import { EVERY_CONTROLLER, Role, type Principal } from '../../../src/auth/index.js';
import { checkReadingOf } from '../../../src/tombstones/tombstone-check.js';

const registry = (countries: Record<string, CountryCode[]>, defaultPhoneCountry: CountryCode, earlier: CountryCode[]) => ({
  defaultPhoneCountry,
  phoneCountriesOf: async (ids: Iterable<string>) => new Map([...ids].map((id) => [id, countries[id] ?? [defaultPhoneCountry]])),
  earlierDefaultPhoneCountries: async () => earlier,
});
const feed = (...sourceIds: string[]): Principal => ({ kind: 'api-key', id: 'k', roles: [Role.CONNECTOR], controllers: EVERY_CONTROLLER, sourceIds });

describe('the countries a check reads a national number in', () => {
  const sources = registry({ paris: ['FR'], berlin: ['DE', 'AT'], lyon: ['FR', 'BE'] }, 'IT', ['GB', 'ES']);

  it('a caller bound to no source: the default, then each default the deployment ran with before', async () => {
    expect(await checkReadingOf(feed(), sources)).toEqual({ defaultCountry: 'IT', otherCountries: ['GB', 'ES'] });
    expect(await checkReadingOf(feed(), registry({}, 'IT', []))).toEqual({ defaultCountry: 'IT' });
  });

  it('bound to sources of one current country: theirs and their earlier ones, not the defaults (a feed asks as its source writes)', async () => {
    expect(await checkReadingOf(feed('paris'), sources)).toEqual({ defaultCountry: 'FR' });
    expect(await checkReadingOf(feed('paris', 'lyon'), sources)).toEqual({ defaultCountry: 'FR', otherCountries: ['BE'] });
  });

  it('bound to sources whose current countries differ: the default, each of theirs, and each earlier default', async () => {
    expect(await checkReadingOf(feed('paris', 'berlin'), sources)).toEqual({ defaultCountry: 'IT', otherCountries: ['AT', 'DE', 'FR', 'GB', 'ES'] });
  });
});
