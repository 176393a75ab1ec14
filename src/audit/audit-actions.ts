// Every action name the gateway records: AuditLog.record takes these (and the refusal of a
// GraphQL root field, `graphql.<field>`) and nothing else, so the list is complete, the log
// can be filtered reliably and the console has a label for each (src/console/.../audit-labels.ts).
export const AuditAction = {
  DISCOVERY_RUN: 'discovery.run',
  REQUEST_SUBMIT: 'request.submit',
  /** A search of the requests by an identifier of the person. */
  REQUEST_SEARCH: 'request.search',
  REQUEST_VERIFY_IDENTITY: 'request.verify-identity',
  /** R3: the acknowledgement was sent to the person. */
  REQUEST_ACKNOWLEDGE: 'request.acknowledge',
  REQUEST_HOLD: 'request.hold',
  REQUEST_RESUME: 'request.resume',
  REQUEST_CANCEL: 'request.cancel',
  REQUEST_REJECT: 'request.reject',
  REQUEST_CONTROLLER_INSTRUCTION: 'request.controller-instruction',
  REQUEST_CONFIRM_MATCHES: 'request.confirm-matches',
  REQUEST_REJECT_MATCHES: 'request.reject-matches',
  REQUEST_OVERRIDE: 'request.override',
  /** R14: the handler's finding on whether the data the person contests is inaccurate. */
  REQUEST_INACCURACY_FINDING: 'request.inaccuracy-finding',
  REQUEST_EXPORT: 'request.export',
  REQUEST_EXECUTE: 'request.execute',
  /** A new one-time download link for an access package (or a package returned to a controller). */
  REQUEST_PACKAGE_LINK: 'request.package-link',
  /** Every task done and verified: the request is answered. */
  REQUEST_COMPLETE: 'request.complete',
  REQUEST_COMPLETE_PARTIALLY: 'request.complete-partially',
  /** The check after execution found records that should be gone (their tasks reopened). */
  REQUEST_VERIFICATION_FAILED: 'request.verification-failed',
  REQUEST_EXTEND_DEADLINE: 'request.extend-deadline',
  /** R5: the handler records that the extension notice was sent to the person. */
  REQUEST_EXTENSION_NOTICE_SENT: 'request.extension-notice-sent',
  REQUEST_RETRY_FAILED_TASKS: 'request.retry-failed-tasks',
  /** Tasks the queues no longer held (Redis flushed or restarted empty, a job given up), queued again from the task table. */
  REQUEST_REQUEUE_STRANDED: 'request.requeue-stranded',
  /** Lost tasks of a rejected or cancelled request, failed from the task table instead of queued again (R2). */
  REQUEST_FAIL_STRANDED: 'request.fail-stranded',
  REQUEST_PROCEED_WITHOUT_SOURCES: 'request.proceed-without-sources',
  /** The person's answer on keeping certificate numbers verifiable (R9). */
  REQUEST_CERTIFICATE_AGREEMENT: 'request.certificate-agreement',
  REQUEST_PACKAGE_DESTROYED: 'request.package-destroyed',
  /** A handler revoked a package (the person's, or one returned to a controller): its archive destroyed, its link dead. */
  REQUEST_PACKAGE_REVOKED: 'request.package-revoked',
  REQUEST_IDENTIFIERS_DESTROYED: 'request.identifiers-destroyed',
  /** The deadline scan found requests past their due date. */
  REQUEST_OVERDUE: 'request.overdue',
  TASK_EXECUTE: 'task.execute',
  /** R9: a retention run previewed, approved (by a handler or, for a source so configured, by the scheduler), cancelled, superseded, closed. */
  RETENTION_PREPARE: 'retention.prepare',
  RETENTION_APPROVE: 'retention.approve',
  RETENTION_CANCEL: 'retention.cancel',
  /** A preview never approved, replaced by a newer preview of the same sources. */
  RETENTION_SUPERSEDE: 'retention.supersede',
  RETENTION_CLOSE: 'retention.close',
  /** A run's tasks the queues no longer held, queued again from the task table. */
  RETENTION_REQUEUE_STRANDED: 'retention.requeue-stranded',
  TOMBSTONE_WRITE: 'tombstone.write',
  /** A rejected or cancelled request's own tombstones withdrawn (a count only). */
  TOMBSTONE_WITHDRAW: 'tombstone.withdraw',
  /**
   * A rejected or cancelled request's tombstones kept: a task of it erased a record, or was at
   * the source when the request was refused (counts only); withdrawn later if that one erased nothing.
   */
  TOMBSTONE_KEPT: 'tombstone.kept',
  TOMBSTONE_CHECK: 'tombstone.check',
  TOMBSTONE_SWEEP: 'tombstone.sweep',
  TOMBSTONE_RECREATION_FOUND: 'tombstone.recreation-found',
  SOURCE_REGISTER: 'source.register',
  SOURCE_UPDATE: 'source.update',
  SOURCE_APPROVE: 'source.approve',
  SOURCE_DISABLE: 'source.disable',
  SOURCE_ENABLE: 'source.enable',
  SOURCE_REMOVE: 'source.remove',
  /** An active remote source described itself otherwise than approved: back to approval (ids and a code only). */
  SOURCE_DESCRIPTION_CHANGED: 'source.description-changed',
  KEY_CREATE: 'key.create',
  KEY_REVOKE: 'key.revoke',
  KEY_BOOTSTRAP: 'key.bootstrap',
  AUDIT_READ: 'audit.read',
  AUDIT_VERIFY: 'audit.verify',
} as const;

export type KnownAuditAction = (typeof AuditAction)[keyof typeof AuditAction];

/** A refused GraphQL root field is recorded as `graphql.<field>` (outcome DENIED). */
export const REFUSED_OPERATION_PREFIX = 'graphql.';

/** What AuditLog.record takes as an action. */
export type AuditActionName = KnownAuditAction | `${typeof REFUSED_OPERATION_PREFIX}${string}`;

// Segments start lower-case; later letters may be upper-case so refusals can name the
// GraphQL operation as it is spelt (graphql.submitRequest).
export const ACTION_PATTERN = /^[a-z][A-Za-z0-9_-]*(\.[a-z][A-Za-z0-9_-]*)*$/;

export enum AuditOutcome {
  SUCCESS = 'SUCCESS',
  /** Refused by authorisation or validation before anything changed. */
  DENIED = 'DENIED',
  /** Attempted and failed. */
  FAILED = 'FAILED',
}
