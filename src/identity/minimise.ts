// Data minimisation per source: a source is sent only the identifier types it declares it
// can be searched by, and only the blocking keys built from those types. A source that
// holds no dates of birth is never sent one, in clear or inside a key.
import type { DiscoveryQuery } from '../../connectors/contract.js';
import { IdentifierType as T } from '../domain/vocabulary.js';
import { isReferenceType } from './normalise/index.js';

const NAME = [T.GIVEN_NAME, T.FAMILY_NAME, T.FULL_NAME];
const REFERENCES = Object.values(T).filter((t) => isReferenceType(t));

/**
 * The identifier types each blocking-key prefix is built from (src/identity/blocking.ts):
 * a key is sent only when the source declares, for every group, at least one of its
 * types. Reference keys hash the type with the value, so they cannot be told apart: one
 * declared reference type lets all of them through. A prefix missing here is never sent.
 */
export const KEY_NEEDS: Readonly<Record<string, readonly (readonly T[])[]>> = {
  EM: [[T.EMAIL]],
  ES: [[T.EMAIL]],
  EL: [[T.EMAIL]],
  ED: [[T.EMAIL]],
  PH: [[T.PHONE]],
  NI: [[T.NATIONAL_ID]],
  NV: [[T.NATIONAL_ID]],
  RF: [REFERENCES],
  DN: [[T.DATE_OF_BIRTH], NAME],
  DP: [[T.DATE_OF_BIRTH], [T.POSTCODE]],
  DC: [[T.DATE_OF_BIRTH], [T.CITY]],
  DK: [[T.DATE_OF_BIRTH], [T.CITY]],
  GF: [NAME],
  GT: [NAME],
  PF: [[T.POSTCODE], NAME],
  PG: [[T.POSTCODE], NAME],
  CN: [[T.CITY], NAME],
  NY: [NAME, [T.DATE_OF_BIRTH]],
  SA: [[T.STREET_ADDRESS]],
  PS: [[T.POSTCODE], [T.STREET_ADDRESS]],
};

/** The part of a query a source declaring `searchableBy` may receive. */
export function minimiseQuery(query: DiscoveryQuery, searchableBy: readonly T[]): DiscoveryQuery {
  const declared = new Set(searchableBy);
  const keyAllowed = (key: string) => {
    const needs = KEY_NEEDS[key.slice(0, key.indexOf(':'))];
    return needs !== undefined && needs.every((group) => group.some((t) => declared.has(t)));
  };
  return {
    identifiers: query.identifiers.filter((i) => declared.has(i.type)),
    blockingKeys: query.blockingKeys.filter(keyAllowed),
  };
}

/** True when nothing is left to ask (the source is then not called for it). */
export function isEmptyQuery(query: DiscoveryQuery): boolean {
  return query.identifiers.length === 0 && query.blockingKeys.length === 0;
}
