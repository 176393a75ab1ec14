import { DomainError } from '../domain/errors.js';

// Coded errors of authentication and authorisation. The server maps `code` to the GraphQL
// error code and HTTP status; messages are safe to show (no secrets, no personal data).

export type AuthErrorCode =
  /** No credentials, or credentials that are malformed, unknown, revoked or expired (HTTP 401). */
  | 'UNAUTHENTICATED'
  /** Valid credentials without the permission or controller scope needed (HTTP 403). */
  | 'FORBIDDEN'
  /** Too many requests for this key; see retryAfterSeconds (HTTP 429). */
  | 'RATE_LIMITED'
  /** Input to a key-management operation is invalid (HTTP 400). */
  | 'BAD_USER_INPUT'
  /** The key to revoke does not exist (HTTP 404). */
  | 'NOT_FOUND'
  /** Bootstrap key conflicts with a stored key of the same id (startup config error). */
  | 'CONFIG_ERROR';

export class AuthError extends DomainError {
  override readonly name = 'AuthError';
  declare readonly code: AuthErrorCode;
  constructor(
    code: AuthErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(code, message, retryAfterSeconds ? { retryAfterSeconds } : {});
  }
}

export function unauthenticated(message = 'valid credentials are required'): AuthError {
  return new AuthError('UNAUTHENTICATED', message);
}

export function forbidden(message = 'not allowed'): AuthError {
  return new AuthError('FORBIDDEN', message);
}
