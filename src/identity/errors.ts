import type { IdentifierType } from '../domain/vocabulary.js';
import { DomainError } from '../domain/errors.js';

/**
 * An identifier the gateway cannot use. `code` is stable for GraphQL error extensions;
 * the message names the identifier type but never echoes the value (no personal data in logs).
 */
export class InvalidIdentifierError extends DomainError {
  declare readonly code: 'INVALID_IDENTIFIER';

  constructor(
    readonly identifierType: IdentifierType | string,
    readonly reason: string,
  ) {
    super('INVALID_IDENTIFIER', `Invalid ${identifierType}: ${reason}`, { identifierType });
    this.name = 'InvalidIdentifierError';
  }
}

export function isInvalidIdentifierError(error: unknown): error is InvalidIdentifierError {
  return error instanceof InvalidIdentifierError;
}
