// Blocking keys: the indexed strings a record must share with a query to be a candidate.
// Sources index the keys of their records (computed with this same function when a
// record is written); discovery sends the keys of the query. Changing this function
// means re-indexing the sources' key tables.
import { IdentifierType } from '../domain/vocabulary.js';
import type { Identifier } from '../../connectors/contract.js';

// PROVISIONAL: the identity module replaces this with normalised, phonetic keys.
function simple(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9@.+]/g, '');
}

export function blockingKeysOf(identifiers: readonly Identifier[]): string[] {
  const keys = new Set<string>();
  for (const { type, value } of identifiers) {
    const v = simple(value);
    if (!v) continue;
    if (type === IdentifierType.GIVEN_NAME || type === IdentifierType.CITY || type === IdentifierType.STREET_ADDRESS) {
      continue; // too common alone to block on
    }
    keys.add(`${type}:${v}`);
  }
  return [...keys];
}
