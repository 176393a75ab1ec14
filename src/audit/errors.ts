// Coded errors of the audit log.
// A bad list() cursor, page size or time range is the caller's: a DomainError BAD_USER_INPUT.
export type AuditErrorCode =
  /** A record() call with a malformed action, actor, target or outcome (a programming error). */
  'INVALID_AUDIT_ENTRY';

export class AuditError extends Error {
  override readonly name = 'AuditError';
  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(message);
  }
}
