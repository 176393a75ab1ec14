import { getCountries } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { PHONE_COUNTRIES, identifierInput } from '../../../src/console/src/components/identifiers.js';

// The console offers a phone number's country from its own copy of the list the API checks
// `country` against: the copy must be that list, so every choice is accepted and none is missing.
describe("the console's phone countries", () => {
  it("are exactly the countries the API reads a national number in (libphonenumber's)", () => {
    expect([...PHONE_COUNTRIES].sort()).toEqual([...getCountries()].sort());
  });

  it('a country goes with a phone number only, and only when one was chosen (empty: the deployment default)', () => {
    expect(identifierInput({ type: 'PHONE', value: ' 07 11 22 33 44 ', country: 'FR' })).toEqual({ type: 'PHONE', value: '07 11 22 33 44', country: 'FR' });
    expect(identifierInput({ type: 'PHONE', value: '07 11 22 33 44' })).toEqual({ type: 'PHONE', value: '07 11 22 33 44' });
    expect(identifierInput({ type: 'EMAIL', value: 'a@example.org', country: 'FR' })).toEqual({ type: 'EMAIL', value: 'a@example.org' });
  });
});
