import { GraphQLError } from 'graphql';

/**
 * Every failure a user can cause reaches them as a GraphQLError with a stable
 * `extensions.code`; anything else is masked as INTERNAL_SERVER_ERROR (see formatError).
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'INVALID_IDENTIFIER'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_TRANSITION'
  | 'RATE_LIMITED'
  | (string & {});

export function codedError(code: ErrorCode, message: string, details?: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details } });
}

