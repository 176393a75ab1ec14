import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../src/domain/error-codes.js';

// Every failure a user can cause reaches them as a GraphQLError with a stable
// `extensions.code` from ERROR_CODES; anything else is masked as INTERNAL_SERVER_ERROR.

export function codedError(code: ErrorCode, message: string, details?: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details } });
}

/** A call refused by its key's rate limit inside a resolver, answered as at the door: HTTP 429 with Retry-After. */
export function rateLimitedError(retryAfterSeconds: number): GraphQLError {
  return codedError('RATE_LIMITED', `rate limit exceeded; retry after ${retryAfterSeconds} s`, {
    retryAfterSeconds,
    http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
  });
}
