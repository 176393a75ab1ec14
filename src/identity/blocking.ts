// Blocking keys: the indexed strings a record must share with a query to be a candidate.
// Sources index the keys of their records (computed with this same function when a
// record is written); discovery sends the keys of the query. Changing this function
// means re-indexing the sources' key tables, so KEY_SCHEME_VERSION says which scheme a
// key table holds.
//
// Recall comes from many small, different keys: a typo in one identifier spoils only the
// keys built on it, and a pair whose two fields still agree approximately shares a key
// (docs/discovery.md lists the keys and which corruption each survives). Names enter as phonetic codes (of the canonical given name, so
// "Bill" and "William" share keys); the name pair is order-free so swapped given and
// family names still meet. Keys are hashed: key tables and logs never hold the values.
import { createHash } from 'node:crypto';
import type { Identifier } from '../../connectors/contract.js';
import type { NormaliseOptions } from './normalise/index.js';
import { profileOfRaw, type Profile } from './matching/profile.js';
import { emailSkeleton, localPart } from './normalise/contact.js';
import { phoneticCodes } from './normalise/names.js';

// 5: values are put in one Unicode form before normalising (NFKC, invisible format characters
// removed), so keys stored of a decomposed accent or a zero-width space are keyed again.
export const KEY_SCHEME_VERSION = 5;

// Caps the cartesian products when a profile carries several values per field.
const MAX_VALUES = 4;

function hashed(prefix: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 16);
  return `${prefix}:${digest}`;
}

function first<T>(values: T[]): T[] {
  return values.slice(0, MAX_VALUES);
}

/** Year plus month and day in either order: a transposed day and month keeps its keys. */
export function dobBlock(dob: string): string {
  const [y = '', m = '', d = ''] = dob.split('-');
  return m <= d ? `${y}-${m}-${d}` : `${y}-${d}-${m}`;
}

// National ids at least this long index their one-deletion variants too.
const MIN_ID_FOR_DELETIONS = 6;

/** Phonetic code of a street's name: its first word with letters, house number left out. */
function streetCode(street: string): string {
  const word = street.split(' ').find((w) => /^[a-z]{3,}/.test(w));
  return word ? phoneticCodes(word)[0] : '';
}

// Local parts at least this long also index their one-deletion variants (a typo in the
// address keeps a key); shorter ones would meet too many strangers' addresses.
const MIN_LOCAL_FOR_DELETIONS = 6;

/** The value itself and every variant with one character deleted (symmetric deletion). */
function deletionNeighbourhood(value: string): string[] {
  const out = new Set([value]);
  for (let i = 0; i < value.length; i++) out.add(value.slice(0, i) + value.slice(i + 1));
  return [...out];
}

/**
 * Name codes insensitive to which column a name sits in: the phonetic codes of every given
 * and family name (canonical given names too, so "Bill" meets "William").
 */
function nameCodes(p: Profile): string[] {
  const codes = new Set<string>();
  for (const g of first(p.given)) {
    codes.add(phoneticCodes(g.canonical)[0]);
    codes.add(g.phonetic[0]);
  }
  for (const f of first(p.family)) codes.add(f.phonetic[0]);
  codes.delete('');
  return [...codes];
}

/** Keys of an already built profile (the resolver uses this to avoid normalising twice). */
export function blockingKeysOfProfile(p: Profile): string[] {
  const keys = new Set<string>();
  const add = (prefix: string, ...parts: string[]) => {
    if (parts.every((x) => x.length > 0)) keys.add(hashed(prefix, ...parts));
  };
  for (const v of first(p.email)) {
    add('EM', v);
    // Without its punctuation: an address that lost its "@" (kept by sources as is) meets it.
    add('ES', emailSkeleton(v));
    const local = localPart(v);
    // A mangled domain keeps the local part; a typo in a long local part keeps one of its
    // deletion variants (two addresses one edit apart always share one).
    if (local.length >= 3) add('EL', local);
    if (local.length >= MIN_LOCAL_FOR_DELETIONS) for (const d of deletionNeighbourhood(local)) add('ED', d);
  }
  for (const v of first(p.phone)) add('PH', v);
  for (const v of first(p.nationalId)) {
    add('NI', v);
    // A typo or two swapped digits keeps one of the deletion variants (long ids only).
    if (v.length >= MIN_ID_FOR_DELETIONS) for (const d of deletionNeighbourhood(v)) add('NV', d);
  }
  for (const v of first(p.references)) add('RF', v);

  // Given-name codes (canonical) and family-name codes, for pairs that need the column.
  const given = [...new Set(first(p.given).map((g) => phoneticCodes(g.canonical)[0]))];
  const family = [...new Set(first(p.family).map((f) => f.phonetic[0]))];
  const names = nameCodes(p);
  const years = [...new Set(first(p.dob).map((d) => d.slice(0, 4)))];
  const cities = first(p.city);
  for (const dob of [...new Set(first(p.dob).map(dobBlock))]) {
    // Any name in either column with the date of birth: swapped names still meet.
    for (const n of names) add('DN', dob, n);
    for (const pc of first(p.postcode)) add('DP', dob, pc);
    for (const c of cities) {
      add('DC', dob, c);
      add('DK', dob, phoneticCodes(c)[0]);
    }
  }
  // The two names, order-free: by phonetic code, and by first three letters (a typo that
  // changes the phonetic code rarely touches both beginnings).
  for (const g of given) for (const f of family) add('GF', ...[g, f].sort());
  const starts = (xs: { value: string }[]) => [
    ...new Set(
      first(xs)
        .map((x) => x.value.replace(/[^a-z]/g, '').slice(0, 3))
        .filter((x) => x.length === 3),
    ),
  ];
  for (const g of starts(p.given)) for (const f of starts(p.family)) add('GT', ...[g, f].sort());
  for (const pc of first(p.postcode)) {
    for (const f of family) add('PF', pc, f);
    for (const g of given) add('PG', pc, g);
  }
  for (const c of cities) for (const n of names) add('CN', c, n);
  // Any name code with the birth year: a shifted date and one spoilt name still meet.
  for (const n of names) for (const y of years) add('NY', n, y);
  for (const s of first(p.street)) {
    add('SA', s);
    // The street's name by sound within the postcode: a mistyped street with names and
    // date spoilt still meets its record by address.
    for (const pc of first(p.postcode)) add('PS', pc, streetCode(s));
  }
  return [...keys];
}

/** Keys of raw identifiers (normalised here; unusable values are ignored, never thrown). */
export function blockingKeysOf(identifiers: readonly Identifier[], options?: NormaliseOptions): string[] {
  return blockingKeysOfProfile(profileOfRaw(identifiers, options));
}
