// Person names: case, accents, titles, punctuation, "Family, Given" order, nicknames and
// a phonetic code. Values come back as lowercase ASCII words joined by single spaces,
// so normalising a normalised name changes nothing (the query side and index side agree).
import doubleMetaphone from 'talisman/phonetics/double-metaphone.js';
import { IdentifierType } from '../../domain/vocabulary.js';
import { InvalidIdentifierError } from '../errors.js';
import { canonicalGivenName } from './nicknames.js';
import { foldText, wordsOf } from './text.js';

const TITLES = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'doctor',
  'prof',
  'professor',
  'sir',
  'dame',
  'lady',
  'lord',
  'rev',
  'revd',
  'reverend',
  'fr',
  'father',
  'sr',
  'sister',
  'madam',
  'mme',
  'mlle',
  'herr',
  'frau',
]);
const SUFFIXES = new Set(['jr', 'jnr', 'junior', 'snr', 'senior', 'ii', 'iii', 'iv', 'phd', 'md', 'esq', 'obe', 'mbe']);
// Lowercase particles that belong to the family name: "ludwig van beethoven".
const PARTICLES = new Set(['van', 'von', 'de', 'der', 'den', 'da', 'di', 'del', 'della', 'du', 'la', 'le', 'dos', 'das', 'ter', 'ten', 'bin', 'ibn', 'al']);

export interface NormalisedName {
  /** All name words in given-first order, e.g. "john paul smith". */
  full: string;
  given?: string;
  family?: string;
}

function cleanWords(raw: string): string[] {
  const words = wordsOf(raw);
  // Titles lead, suffixes trail; "sr" is ambiguous (Sister / Senior), so position decides.
  while (words.length > 1 && TITLES.has(words[0]!)) words.shift();
  while (words.length > 1 && SUFFIXES.has(words[words.length - 1]!)) words.pop();
  return words;
}

function nameWords(type: IdentifierType, raw: string): string[] {
  if (/\d/.test(raw)) throw new InvalidIdentifierError(type, 'a name cannot contain digits');
  const words = cleanWords(raw);
  if (words.length === 0) throw new InvalidIdentifierError(type, 'a name needs at least one letter');
  return words;
}

export function normaliseGivenName(raw: string): string {
  return nameWords(IdentifierType.GIVEN_NAME, raw).join(' ');
}

export function normaliseFamilyName(raw: string): string {
  return nameWords(IdentifierType.FAMILY_NAME, raw).join(' ');
}

/** "Dr John Paul Smith", "SMITH, John", "ludwig van beethoven" -> given / family split. */
export function normaliseFullName(raw: string): NormalisedName {
  const comma = raw.indexOf(',');
  let words: string[];
  let familyCount: number;
  if (comma >= 0) {
    // "Family, Given Middle": the part before the comma is the family name.
    if (/\d/.test(raw)) throw new InvalidIdentifierError(IdentifierType.FULL_NAME, 'a name cannot contain digits');
    const family = cleanWords(raw.slice(0, comma)).filter((w) => !TITLES.has(w));
    const given = cleanWords(raw.slice(comma + 1));
    if (family.length === 0 && given.length === 0) {
      throw new InvalidIdentifierError(IdentifierType.FULL_NAME, 'a name needs at least one letter');
    }
    words = [...given, ...family];
    familyCount = family.length;
  } else {
    words = nameWords(IdentifierType.FULL_NAME, raw);
    // A hyphenated last word is one family name: "José García-López".
    const lastRaw =
      raw
        .trim()
        .split(/\s+/)
        .filter((t) => !SUFFIXES.has(wordsOf(t).join('')))
        .at(-1) ?? '';
    const hyphenated = lastRaw.includes('-') ? wordsOf(lastRaw).length : 1;
    familyCount = words.length > 1 ? Math.min(hyphenated, words.length - 1) : 0;
    while (familyCount < words.length - 1 && PARTICLES.has(words[words.length - familyCount - 1]!)) familyCount++;
  }
  const givenWords = words.slice(0, words.length - familyCount);
  const familyWords = words.slice(words.length - familyCount);
  const result: NormalisedName = { full: words.join(' ') };
  if (givenWords.length > 0) result.given = givenWords[0]!;
  if (familyWords.length > 0) result.family = familyWords.join(' ');
  // A single word is taken as a given name only when nothing says otherwise.
  return result;
}

/** Double Metaphone codes [primary, alternate] of a normalised name, spaces ignored. */
export function phoneticCodes(name: string): [string, string] {
  const joined = foldText(name).replace(/[^a-z]/g, '');
  if (!joined) return ['', ''];
  return doubleMetaphone(joined);
}

/** Canonical form of the first given-name word: "bill" -> "william". */
export function canonicalGiven(name: string): string {
  const first = name.split(' ')[0] ?? name;
  return canonicalGivenName(first);
}
