import type { IdentifierType } from '../domain/vocabulary.js';

/**
 * An identifier the gateway cannot use. `code` is stable for GraphQL error extensions;
 * the message names the identifier type but never echoes the value (no personal data in logs).
 */
export class InvalidIdentifierError extends Error {
  readonly code = 'INVALID_IDENTIFIER' as const;

  constructor(
    readonly identifierType: IdentifierType | string,
    readonly reason: string,
  ) {
    super(`Invalid ${identifierType}: ${reason}`);
    this.name = 'InvalidIdentifierError';
  }
}

export function isInvalidIdentifierError(error: unknown): error is InvalidIdentifierError {
  return error instanceof InvalidIdentifierError;
}
