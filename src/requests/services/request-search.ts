// Finding requests by an identifier of the person. The identifier is normalised as at
// submission and hashed with every blind-index key (entries written before a key
// rotation are found too); only these keyed hashes reach SQL, never the clear value,
// and the sealed identifiers are never opened.
import type { Identifier } from '../../../connectors/contract.js';
import type { RequestListFilter } from './request-queries.js';
import type { RequestSecrets } from './request-secrets.js';
import { withPhoneCountry } from '../../identity/index.js';
import type { CountryCode } from 'libphonenumber-js';

export interface RequestSearchFilter extends Omit<RequestListFilter, 'blindIndex'> {
  /** One identifier as the handler typed it; INVALID_IDENTIFIER when it cannot be normalised. */
  identifier?: Identifier | null;
}

/**
 * The list filter SQL reads: the identifier replaced by its blind-index entries. A phone
 * number without a +prefix is read in its own `country`, else in `phoneCountry`.
 */
export function listFilterOf(filter: RequestSearchFilter, secrets: RequestSecrets, phoneCountry: CountryCode): RequestListFilter {
  const { identifier, ...rest } = filter;
  if (!identifier) return rest;
  return { ...rest, blindIndex: secrets.blindIndex(withPhoneCountry([identifier], phoneCountry), true) };
}
