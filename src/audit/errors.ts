// Coded errors of the audit log.
export type AuditErrorCode =
  /** A record() call with a malformed action, actor, target or outcome (a programming error). */
  | 'INVALID_AUDIT_ENTRY'
  /** A list() call with a bad cursor, page size or time range (user input). */
  | 'BAD_USER_INPUT';

export class AuditError extends Error {
  override readonly name = 'AuditError';
  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(message);
  }
}
