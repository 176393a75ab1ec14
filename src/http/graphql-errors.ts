import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isDomainError } from '../domain/errors.js';

const INTERNAL: GraphQLFormattedError['extensions'] = { code: 'INTERNAL_SERVER_ERROR' };

/**
 * Shapes every error a client sees: domain errors and deliberate GraphQL errors keep
 * their code and message; anything else (a bug, a driver error with SQL or host names)
 * becomes a bare INTERNAL_SERVER_ERROR. No stack traces ever leave the process.
 */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
  onInternal: (error: unknown) => void,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isDomainError(original)) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { ...original.details, code: original.code },
    };
  }
  const code = formatted.extensions?.code;
  const deliberate =
    typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR' && (original instanceof GraphQLError || original === error);
  if (deliberate) {
    const { stacktrace: _dropped, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  onInternal(original);
  return { message: 'Internal error', locations: formatted.locations, path: formatted.path, extensions: INTERNAL };
}
