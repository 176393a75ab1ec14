import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../src/domain/error-codes.js';

// Every failure a user can cause reaches them as a GraphQLError with a stable
// `extensions.code` from ERROR_CODES; anything else is masked as INTERNAL_SERVER_ERROR.

export function codedError(code: ErrorCode, message: string, details?: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details } });
}
