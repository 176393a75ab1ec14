import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isDomainError } from '../domain/errors.js';
import { ConnectorError } from '../../connectors/contract.js';

const INTERNAL: GraphQLFormattedError['extensions'] = { code: 'INTERNAL_SERVER_ERROR' };

/** Errors a client caused or can act on, whatever module raised them, as code + safe details. */
function exposable(error: unknown): { code: string; message: string; details: Record<string, unknown> } | null {
  // Authentication, identifier and rule errors are all DomainErrors.
  if (isDomainError(error)) return { code: error.code, message: error.message, details: error.details };
  // A registration that does not validate names its field; other connector failures stay internal.
  if (error instanceof ConnectorError && (error.code === 'CONFIGURATION' || error.code === 'INVALID_IDENTIFIER')) {
    return { code: error.code === 'CONFIGURATION' ? 'INVALID_SOURCE_CONFIG' : error.code, message: error.message, details: {} };
  }
  return null;
}

// graphql-armor labels its refusals "Syntax Error: …" although the query parsed; say which limit it was.
const LIMITS: [RegExp, string][] = [
  [/^Syntax Error: (Query depth limit of \d+ exceeded.*)$/s, 'depth'],
  [/^Syntax Error: (Query Cost limit of \d+ exceeded.*)$/s, 'cost'],
  [/^Syntax Error: (Aliases limit of \d+ exceeded.*)$/s, 'aliases'],
  [/^Syntax Error: (Directives limit of \d+ exceeded.*)$/s, 'directives'],
];

function limitRefusal(message: string): { message: string; limit: string } | null {
  for (const [pattern, limit] of LIMITS) {
    const m = pattern.exec(message);
    if (m) return { message: m[1]!, limit };
  }
  return null;
}

/**
 * Apollo's request pipeline refuses a bad persisted-query extension (unsupported version,
 * a hash that does not match the query) with a code-less GraphQLError and HTTP 400: the
 * client's mistake, not an internal error.
 */
function isPipelineBadRequest(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError) || error.path || error.extensions?.code) return false;
  const http = error.extensions?.http as { status?: number } | undefined;
  return http?.status === 400;
}

/**
 * Shapes every error a client sees: coded errors keep their code and message; anything
 * else (a bug, a driver error with SQL or host names) becomes a bare
 * INTERNAL_SERVER_ERROR. No stack traces ever leave the process.
 */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
  onInternal: (error: unknown) => void,
  options: { hideSuggestions?: boolean } = {},
): GraphQLFormattedError {
  const shaped = shape(formatted, error, onInternal);
  return options.hideSuggestions ? { ...shaped, message: withoutSuggestions(shaped.message) } : shaped;
}

// graphql-js suggests names ("Did you mean the enum value \"EMAIL\"?") while coercing variables
// too, after validation, where graphql-armor's block does not reach; in production no schema
// name leaks through a typo, as with introspection off.
const SUGGESTION = / ?Did you mean [^?]*\?/g;

function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, ' [Suggestion hidden]?');
}

function shape(formatted: GraphQLFormattedError, error: unknown, onInternal: (error: unknown) => void): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const known = exposable(original);
  if (known) {
    return {
      message: known.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { ...known.details, code: known.code },
    };
  }
  const limit = original instanceof GraphQLError ? limitRefusal(original.message) : null;
  if (limit) return { message: limit.message, locations: formatted.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: limit.limit } };
  if (isPipelineBadRequest(original)) return { message: original.message, extensions: { code: 'BAD_REQUEST' } };
  const code = formatted.extensions?.code;
  const deliberate = typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR' && (original instanceof GraphQLError || original === error);
  if (deliberate) {
    const { stacktrace: _dropped, http: _http, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  onInternal(original);
  return { message: 'Internal error', locations: formatted.locations, path: formatted.path, extensions: INTERNAL };
}
