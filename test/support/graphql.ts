// Typed GraphQL documents for tests: gql.tada reads the printed schema (schema/schema.graphql,
// through the introspection `npm run console:types` generates), so a test's query is checked
// against the schema by `npm run typecheck`, and its result and variables are typed without
// hand-written interfaces that could drift from the schema.
import { initGraphQLTada, type TadaDocumentNode } from 'gql.tada';
import { print } from 'graphql';
import type { introspection } from '../../src/console/src/graphql-env.js';

export const gql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; JSON: unknown; ID: string };
  disableMasking: true;
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';

/** A document as the wire carries it: the query text of a typed document, or a plain string. */
export type Operation<R, V> = TadaDocumentNode<R, V> | string;

export function operationText(operation: Operation<unknown, unknown>): string {
  return typeof operation === 'string' ? operation : print(operation);
}
