import { describe, expect, it } from 'vitest';
import { typedReasonOf } from './refusal.js';
import { canonicalGiven, normaliseFamilyName, normaliseFullName, normaliseGivenName, phoneticCodes } from '../../../src/identity/normalise/names.js';

const reasonOf = typedReasonOf;

describe('name words', () => {
  it('drops leading titles and trailing suffixes, but never the only word', () => {
    expect(normaliseGivenName('Dr John')).toBe('john');
    expect(normaliseGivenName('Mary  Ann')).toBe('mary ann');
    expect(normaliseFamilyName('Van Der Berg')).toBe('van der berg');
    expect(normaliseFamilyName('Mr Smith Jr')).toBe('smith');
    expect(normaliseFamilyName('Prof. Dr. Smith PhD')).toBe('smith');
    expect(normaliseGivenName('Dr')).toBe('dr');
    expect(normaliseFamilyName('Junior')).toBe('junior');
  });

  it('refuses digits and names without a letter, naming the identifier type', () => {
    expect(reasonOf(() => normaliseFamilyName('Smith3'))).toBe('FAMILY_NAME: a name cannot contain digits');
    expect(reasonOf(() => normaliseGivenName('!!'))).toBe('GIVEN_NAME: a name needs at least one letter');
    expect(reasonOf(() => normaliseFullName('John 3'))).toBe('FULL_NAME: a name cannot contain digits');
    expect(reasonOf(() => normaliseFullName('Smith3, John'))).toBe('FULL_NAME: a name cannot contain digits');
    expect(reasonOf(() => normaliseFullName(' , '))).toBe('FULL_NAME: a name needs at least one letter');
  });
});

describe('full names', () => {
  it('"Family, Given": the part before the comma is the family name, titles dropped from both', () => {
    expect(normaliseFullName('Dr Smith, John Paul')).toEqual({ full: 'john paul smith', given: 'john', family: 'smith' });
    expect(normaliseFullName('Smith, Dr John')).toEqual({ full: 'john smith', given: 'john', family: 'smith' });
    expect(normaliseFullName('Dr, John')).toEqual({ full: 'john', given: 'john' });
    expect(normaliseFullName('Smith,')).toEqual({ full: 'smith', family: 'smith' });
    expect(normaliseFullName('Smith,')).not.toHaveProperty('given');
    // Nothing before the comma: no family name, all given.
    expect(normaliseFullName(', Smith John')).toEqual({ full: 'smith john', given: 'smith' });
  });

  it('a hyphenated last name is one family name, suffixes aside', () => {
    expect(normaliseFullName('Anna Maria Smith-Jones Jr')).toEqual({ full: 'anna maria smith jones', given: 'anna', family: 'smith jones' });
    expect(normaliseFullName('Anna Smith Jones')).toEqual({ full: 'anna smith jones', given: 'anna', family: 'jones' });
    expect(normaliseFullName(' Anna Smith-Jones ')).toEqual({ full: 'anna smith jones', given: 'anna', family: 'smith jones' });
    expect(normaliseFullName('Smith-Jones')).toEqual({ full: 'smith jones', given: 'smith', family: 'jones' });
  });

  it('family-name particles join the family name, but a name is never all family', () => {
    expect(normaliseFullName('Maria de la Cruz')).toEqual({ full: 'maria de la cruz', given: 'maria', family: 'de la cruz' });
    expect(normaliseFullName('Van Morrison')).toEqual({ full: 'van morrison', given: 'van', family: 'morrison' });
    expect(normaliseFullName('de la Cruz')).toEqual({ full: 'de la cruz', given: 'de', family: 'la cruz' });
  });

  it('a single word is a given name', () => {
    expect(normaliseFullName('Madonna')).toEqual({ full: 'madonna', given: 'madonna' });
  });
});

describe('phonetic codes and canonical given names', () => {
  it('codes the letters only; no letters, no code', () => {
    expect(phoneticCodes('')).toEqual(['', '']);
    expect(phoneticCodes(' - ')).toEqual(['', '']);
    expect(phoneticCodes('Smith')).toEqual(['SM0', 'XMT']);
    expect(phoneticCodes('van beethoven')).toEqual(phoneticCodes('vanbeethoven'));
  });

  it('resolves the first given name', () => {
    expect(canonicalGiven('bill smith')).toBe('william');
    expect(canonicalGiven('zebedee')).toBe('zebedee');
  });
});
