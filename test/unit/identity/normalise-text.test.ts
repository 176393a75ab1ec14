import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError } from '../../../src/identity/errors.js';
import { IdentifierType } from '../../../src/domain/vocabulary.js';
import { normaliseReference } from '../../../src/identity/normalise/ids.js';
import { foldText, wordsOf } from '../../../src/identity/normalise/text.js';

describe('text folding', () => {
  it('lowercases and strips accents', () => {
    expect(foldText('ÉCOLE Zoë')).toBe('ecole zoe');
    expect(foldText('ABC')).toBe('abc');
  });

  it('writes German and Nordic letters and ligatures in ASCII', () => {
    expect(foldText('Straße')).toBe('strasse');
    expect(foldText('ßÆ')).toBe('ssae');
    expect(foldText('Æsir æ')).toBe('aesir ae');
    expect(foldText('Øystein ø')).toBe('oystein o');
    expect(foldText('Œuvre œ')).toBe('oeuvre oe');
    expect(foldText('Łódź ł')).toBe('lodz l');
    expect(foldText('Đorđe')).toBe('dorde');
    expect(foldText('ﬁle')).toBe('file');
  });

  it('splits words at punctuation; apostrophes join', () => {
    expect(wordsOf(" O'Brien-Smith ")).toEqual(['obrien', 'smith']);
    expect(wordsOf('D’Arcy `Jo`')).toEqual(['darcy', 'jo']);
    expect(wordsOf(' -- ')).toEqual([]);
    expect(wordsOf('a1 b2')).toEqual(['a1', 'b2']);
  });
});

describe('reference numbers', () => {
  const ref = (raw: string) => normaliseReference(IdentifierType.PATIENT_ID, raw);
  const reasonOf = (raw: string) => {
    try {
      ref(raw);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidIdentifierError);
      return (e as InvalidIdentifierError).reason;
    }
    throw new Error('expected a refusal');
  };

  it('uppercases and drops the spaces, dashes, dots, slashes and underscores people type', () => {
    expect(ref(' ab-12.34/56_7 ')).toBe('AB1234567');
  });

  it('refuses empty, other signs and more than 64 characters', () => {
    expect(reasonOf(' - / ')).toBe('empty');
    expect(reasonOf('AB#12')).toBe('only letters and digits are allowed');
    expect(ref('A'.repeat(64))).toBe('A'.repeat(64));
    expect(reasonOf('A'.repeat(65))).toBe('too long');
  });
});
