// Postcodes, street addresses and cities.
import { IdentifierType } from '../../domain/vocabulary.js';
import { InvalidIdentifierError } from '../errors.js';
import { wordsOf } from './text.js';

// Street-type and common word abbreviations, expanded so "12 Main St." equals "12 main street".
const ABBREVIATIONS: Record<string, string> = {
  st: 'street',
  str: 'street',
  rd: 'road',
  ave: 'avenue',
  av: 'avenue',
  blvd: 'boulevard',
  ln: 'lane',
  dr: 'drive',
  drv: 'drive',
  ct: 'court',
  crt: 'court',
  pl: 'place',
  plc: 'place',
  sq: 'square',
  tce: 'terrace',
  ter: 'terrace',
  cres: 'crescent',
  cr: 'crescent',
  hwy: 'highway',
  pde: 'parade',
  cl: 'close',
  cct: 'circuit',
  gr: 'grove',
  gro: 'grove',
  pk: 'park',
  mt: 'mount',
  apt: 'apartment',
  flt: 'flat',
  ste: 'suite',
  bldg: 'building',
  fl: 'floor',
  n: 'north',
  s: 'south',
  e: 'east',
  w: 'west',
  nth: 'north',
  sth: 'south',
  rte: 'route',
  wy: 'way',
  esp: 'esplanade',
};

/** Uppercase, no spaces or dashes: "sw1a 1aa" -> "SW1A1AA", "2119" stays "2119". */
export function normalisePostcode(raw: string): string {
  const value = raw
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '');
  if (!/^[A-Z0-9]{2,10}$/.test(value) || !/\d/.test(value)) {
    throw new InvalidIdentifierError(IdentifierType.POSTCODE, 'not a postcode');
  }
  return value;
}

export function normaliseStreetAddress(raw: string): string {
  const words = wordsOf(raw);
  if (!words.some((w) => /[a-z]/.test(w))) {
    throw new InvalidIdentifierError(IdentifierType.STREET_ADDRESS, 'an address needs a street name');
  }
  return words
    .map((w, i) => {
      // "St" right after the house number names a saint ("12 St Kilda Road"); elsewhere a street.
      if (w === 'st' && i < words.length - 1 && (i === 0 || /^\d/.test(words[i - 1]!))) return 'saint';
      // Single-letter compass points only expand at the end ("Main St N"), not as initials.
      if (w.length === 1 && i !== words.length - 1) return w;
      return ABBREVIATIONS[w] ?? w;
    })
    .join(' ');
}

export function normaliseCity(raw: string): string {
  if (/\d/.test(raw)) throw new InvalidIdentifierError(IdentifierType.CITY, 'a city name cannot contain digits');
  const words = wordsOf(raw);
  if (words.length === 0) throw new InvalidIdentifierError(IdentifierType.CITY, 'empty');
  return words.map((w) => (w === 'st' || w === 'ste' ? 'saint' : w === 'mt' ? 'mount' : w)).join(' ');
}
