// Finding requests by an identifier of the person. The identifier is normalised as at
// submission and hashed with every blind-index key (entries written before a key
// rotation are found too); only these keyed hashes reach SQL, never the clear value,
// and the sealed identifiers are never opened.
import type { Identifier } from '../../../connectors/contract.js';
import type { RequestListFilter } from './request-queries.js';
import type { RequestSecrets } from './request-secrets.js';
import { isInvalidIdentifierError, withPhoneCountry } from '../../identity/index.js';
import type { CountryCode } from 'libphonenumber-js';

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
  const entries = new Set<string>();
  let firstError: unknown = null;
  for (const country of phoneCountries) {
    try {
      for (const entry of secrets.blindIndex(withPhoneCountry([identifier], country), true)) entries.add(entry);
    } catch (error) {
      if (!isInvalidIdentifierError(error)) throw error;
      firstError ??= error;
    }
  }
  if (entries.size === 0 && firstError) throw firstError;
  return { ...rest, blindIndex: [...entries] };
}
