// Finding requests by an identifier of the person. The identifier is normalised as at
// submission and hashed with every blind-index key (entries written before a key
// rotation are found too); only these keyed hashes reach SQL, never the clear value,
// and the sealed identifiers are never opened.
import type { Identifier } from '../../../connectors/contract.js';
import type { RequestListFilter } from './request-queries.js';
import type { RequestSecrets } from './request-secrets.js';
import { isInvalidIdentifierError, withPhoneCountry } from '../../identity/index.js';
import type { CountryCode } from 'libphonenumber-js';
import { IdentifierType } from '../../domain/vocabulary.js';

export interface RequestSearchFilter extends Omit<RequestListFilter, 'blindIndex'> {
  /** One identifier as the handler typed it; INVALID_IDENTIFIER when it cannot be normalised. */
  identifier?: Identifier | null;
}

/**
 * The list filter SQL reads: the identifier replaced by its blind-index entries. A phone
 * number without a +prefix is read in its own `country`, else in each of `phoneCountries`
 * (the deployment's default, then each it ran with before: a request keeps the reading of the
 * default it was submitted under); INVALID_IDENTIFIER only when none of them reads it.
 */
export function listFilterOf(
  filter: RequestSearchFilter,
  secrets: RequestSecrets,
  phoneCountries: readonly [CountryCode, ...CountryCode[]],
): RequestListFilter {
  const { identifier, ...rest } = filter;
  if (!identifier) return rest;
  const { entries, firstError } = entriesIn(identifier, secrets, phoneCountries);
  if (entries.length === 0 && firstError) throw firstError;
  return { ...rest, blindIndex: entries };
}

/**
 * The blind-index entries (every key) a request submitted under one of `earlierDefaults`
 * would hold for these identifiers: each phone number without a +prefix and no `country` of
 * its own read in each of them (a reading that is not possible is left out). Duplicate
 * detection looks for them beside the current reading's.
 */
export function earlierDefaultEntries(identifiers: readonly Identifier[], secrets: RequestSecrets, earlierDefaults: readonly CountryCode[]): string[] {
  if (earlierDefaults.length === 0) return [];
  const national = identifiers.filter((id) => id.type === IdentifierType.PHONE && (id.country === undefined || id.country === null));
  return [...new Set(national.flatMap((id) => entriesIn(id, secrets, earlierDefaults).entries))];
}

/** An identifier's entries read in each country, and the first reading refused. */
function entriesIn(identifier: Identifier, secrets: RequestSecrets, countries: readonly CountryCode[]): { entries: string[]; firstError: unknown } {
  const entries = new Set<string>();
  let firstError: unknown = null;
  for (const country of countries) {
    try {
      for (const entry of secrets.blindIndex(withPhoneCountry([identifier], country), true)) entries.add(entry);
    } catch (error) {
      if (!isInvalidIdentifierError(error)) throw error;
      firstError ??= error;
    }
  }
  return { entries: [...entries], firstError };
}
