// Finding requests by an identifier of the person. The identifier is normalised as at
// submission and hashed with every blind-index key (entries written before a key
// rotation are found too); only these keyed hashes reach SQL, never the clear value,
// and the sealed identifiers are never opened.
import type { Identifier } from '../../../connectors/contract.js';
import type { RequestListFilter } from './request-queries.js';
import type { RequestSecrets } from './request-secrets.js';

export interface RequestSearchFilter extends Omit<RequestListFilter, 'blindIndex'> {
  /** One identifier as the handler typed it; INVALID_IDENTIFIER when it cannot be normalised. */
  identifier?: Identifier | null;
}

/** The list filter SQL reads: the identifier replaced by its blind-index entries. */
export function listFilterOf(filter: RequestSearchFilter, secrets: RequestSecrets): RequestListFilter {
  const { identifier, ...rest } = filter;
  if (!identifier) return rest;
  return { ...rest, blindIndex: secrets.blindIndex([{ type: identifier.type, value: identifier.value }], true) };
}
