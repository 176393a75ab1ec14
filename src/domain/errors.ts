import type { ErrorCode } from './error-codes.js';

/**
 * An error a user caused or can act on, with a stable code (one of ERROR_CODES). The GraphQL layer shows
 * its code and message; every other error is masked as an internal error, so no
 * stack trace or internal message (SQL, hostnames) ever reaches a client.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
