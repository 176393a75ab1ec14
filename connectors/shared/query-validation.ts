// Checks the shape of discovery queries before they reach SQL: a malformed query is a
// coded INVALID_IDENTIFIER error, never a crash or a driver error.
import { ConnectorError, type DiscoveryQuery } from '../contract.js';
import { IdentifierType } from '../../src/domain/vocabulary.js';

const TYPES = new Set<string>(Object.values(IdentifierType));

export function validateQueries(queries: unknown): DiscoveryQuery[] {
  if (!Array.isArray(queries)) throw new ConnectorError('INVALID_IDENTIFIER', 'queries must be an array');
  queries.forEach((q, i) => {
    const query = q as Partial<DiscoveryQuery> | null;
    if (!query || !Array.isArray(query.identifiers) || !Array.isArray(query.blockingKeys)) {
      throw new ConnectorError('INVALID_IDENTIFIER', `query ${i} needs identifiers[] and blockingKeys[]`);
    }
    for (const id of query.identifiers) {
      if (!id || typeof id.value !== 'string' || !TYPES.has(String(id.type))) {
        throw new ConnectorError('INVALID_IDENTIFIER', `query ${i} holds an identifier of unknown type or without a value`);
      }
    }
    if (query.blockingKeys.some((k) => typeof k !== 'string')) {
      throw new ConnectorError('INVALID_IDENTIFIER', `query ${i} holds a blocking key that is not a string`);
    }
  });
  return queries as DiscoveryQuery[];
}

/** Flattens a batch into parallel arrays (key, query index) for one `unnest` lookup. */
export function keyBatch(queries: readonly DiscoveryQuery[]): { keys: string[]; indexes: number[] } {
  const keys: string[] = [];
  const indexes: number[] = [];
  queries.forEach((q, i) => {
    for (const key of new Set(q.blockingKeys)) {
      if (key.length === 0) continue;
      keys.push(key);
      indexes.push(i);
    }
  });
  return { keys, indexes };
}
