import { describe, expect, it } from 'vitest';
import { typedReasonOf } from './refusal.js';
import { normaliseCity, normalisePostcode, normaliseStreetAddress } from '../../../src/identity/normalise/address.js';

const reasonOf = typedReasonOf;

describe('postcodes', () => {
  it('uppercases and drops spaces and dashes', () => {
    expect(normalisePostcode(' sw1a-1aa ')).toBe('SW1A1AA');
    expect(normalisePostcode('2119')).toBe('2119');
    expect(normalisePostcode('A1')).toBe('A1');
    expect(normalisePostcode('1234567890')).toBe('1234567890');
  });

  it('refuses what cannot be a postcode: no digit, too short, too long, other signs', () => {
    for (const raw of ['ABCD', '1', '12345678901', 'SW1A#1AA']) expect(reasonOf(() => normalisePostcode(raw))).toBe('POSTCODE: not a postcode');
  });
});

describe('street addresses', () => {
  it('expands abbreviations; St after the number or first is a saint, elsewhere a street', () => {
    expect(normaliseStreetAddress('12 High St.')).toBe('12 high street');
    expect(normaliseStreetAddress('12 St')).toBe('12 street');
    expect(normaliseStreetAddress('12 St Kilda Rd')).toBe('12 saint kilda road');
    expect(normaliseStreetAddress('St Mary Ave')).toBe('saint mary avenue');
    expect(normaliseStreetAddress('Main St Apt 4')).toBe('main street apartment 4');
    expect(normaliseStreetAddress('Flat 2, 12 Main St')).toBe('flat 2 12 main street');
  });

  it('expands a single-letter compass point only at the end', () => {
    expect(normaliseStreetAddress('12 Main St N')).toBe('12 main street north');
    expect(normaliseStreetAddress('12 N Main St')).toBe('12 n main street');
  });

  it('refuses an address without a street name', () => {
    expect(reasonOf(() => normaliseStreetAddress('12 - 14'))).toBe('STREET_ADDRESS: an address needs a street name');
  });
});

describe('cities', () => {
  it('folds and expands Saint and Mount', () => {
    expect(normaliseCity('St Albans')).toBe('saint albans');
    expect(normaliseCity('Ste-Foy')).toBe('saint foy');
    expect(normaliseCity('Mt Isa')).toBe('mount isa');
    expect(normaliseCity('São Paulo')).toBe('sao paulo');
  });

  it('refuses digits and empty names', () => {
    expect(reasonOf(() => normaliseCity('Paris 75'))).toBe('CITY: a city name cannot contain digits');
    expect(reasonOf(() => normaliseCity(' !! '))).toBe('CITY: empty');
  });
});
