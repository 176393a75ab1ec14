// Blocking keys: the indexed strings a record must share with a query to be a candidate.
// Sources index the keys of their records (computed with this same function when a
// record is written); discovery sends the keys of the query. Changing this function
// means re-indexing the sources' key tables, so KEY_SCHEME_VERSION says which scheme a
// key table holds.
//
// Recall comes from many small, different keys: a typo in one identifier spoils only the
// keys built on it. Names enter as phonetic codes (of the canonical given name, so
// "Bill" and "William" share keys); the name pair is order-free so swapped given and
// family names still meet. Keys are hashed: key tables and logs never hold the values.
import { createHash } from 'node:crypto';
import type { Identifier } from '../../connectors/contract.js';
import type { NormaliseOptions } from './normalise/index.js';
import { profileOfRaw, type Profile } from './matching/profile.js';
import { phoneticCodes } from './normalise/names.js';

export const KEY_SCHEME_VERSION = 2;

// Caps the cartesian products when a profile carries several values per field.
const MAX_VALUES = 4;

function hashed(prefix: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 16);
  return `${prefix}:${digest}`;
}

function first<T>(values: T[]): T[] {
  return values.slice(0, MAX_VALUES);
}

/** Keys of an already built profile (the resolver uses this to avoid normalising twice). */
export function blockingKeysOfProfile(p: Profile): string[] {
  const keys = new Set<string>();
  const add = (prefix: string, ...parts: string[]) => {
    if (parts.every((x) => x.length > 0)) keys.add(hashed(prefix, ...parts));
  };
  for (const v of first(p.email)) add('EM', v);
  for (const v of first(p.phone)) add('PH', v);
  for (const v of first(p.nationalId)) add('NI', v);
  for (const v of first(p.references)) add('RF', v);

  const given = [...new Set(first(p.given).map((g) => phoneticCodes(g.canonical)[0]))];
  const family = [...new Set(first(p.family).map((f) => f.phonetic[0]))];
  const years = [...new Set(first(p.dob).map((d) => d.slice(0, 4)))];
  for (const dob of first(p.dob)) {
    for (const f of family) add('DF', dob, f);
    for (const g of given) add('DG', dob, g);
    for (const pc of first(p.postcode)) add('DP', dob, pc);
  }
  for (const g of given) for (const f of family) add('GF', ...[g, f].sort());
  for (const pc of first(p.postcode)) {
    for (const f of family) add('PF', pc, f);
    for (const g of given) add('PG', pc, g);
  }
  for (const f of first(p.family)) for (const y of years) add('FY', f.value, y);
  for (const s of first(p.street)) add('SA', s);
  return [...keys];
}

/** Keys of raw identifiers (normalised here; unusable values are ignored, never thrown). */
export function blockingKeysOf(identifiers: readonly Identifier[], options?: NormaliseOptions): string[] {
  return blockingKeysOfProfile(profileOfRaw(identifiers, options));
}
