// Every error code a client can receive, one per meaning, with what it means. GraphQL
// answers carry it as `extensions.code`, HTTP routes as `error.code`. DomainError only
// takes a code from this list, and docs/errors.md lists the same codes (a test compares).
export const ERROR_CODES = {
  // Input
  BAD_USER_INPUT: 'an argument does not validate (the message names it)',
  BAD_REQUEST: 'the HTTP request itself is malformed (not JSON, a bad persisted-query extension)',
  PAYLOAD_TOO_LARGE: 'the request body is larger than HTTP_BODY_LIMIT',
  GRAPHQL_VALIDATION_FAILED: 'the operation does not fit the schema, or exceeds a depth, cost, alias or token limit (`limit` says which)',
  INVALID_IDENTIFIER: 'an identifier the gateway cannot use (`identifierType`; the value is never echoed)',
  TOO_MANY_IDENTIFIERS: 'more identifiers in one tombstone check than allowed',
  INVALID_DATE: 'a date that is not a valid instant',
  DATE_IN_FUTURE: 'a point in time to look back from (a recreation sweep since) that has not come yet',
  INVALID_DURATION: 'a retention period that is not an ISO 8601 date duration',
  INVALID_REPORT_PERIOD: 'a report period that ends before it starts, is longer than 3 years, or is not given as ISO 8601 dates',
  UNKNOWN_JURISDICTION: 'no holiday calendar for that jurisdiction code',

  // Access
  UNAUTHENTICATED: 'no credentials, or malformed, unknown, revoked or expired ones (HTTP 401)',
  FORBIDDEN: 'the credentials lack the permission or controller scope needed (HTTP 403)',
  RATE_LIMITED: 'too many calls; retry after `retryAfterSeconds` (HTTP 429)',
  CROSS_SITE_REFUSED: 'a browser request from another site, refused before any work',
  SPECIAL_CATEGORY_REQUIRED: 'R12: the access package holds special-category data the caller may not see',

  // Not found
  NOT_FOUND: "no API key with that id (in the caller's scope)",
  REQUEST_NOT_FOUND: 'no request with that id that the caller may see',
  RECORD_NOT_FOUND: "the request's discovery snapshot holds no such record",
  DECISION_NOT_FOUND: 'no decision for that record (a REVIEW record must be confirmed first)',
  SOURCE_NOT_FOUND: 'no source with that id',
  PACKAGE_NOT_FOUND: 'no access package behind that download link',
  RETENTION_RUN_NOT_FOUND: 'no retention run with that id',

  // Request lifecycle
  INVALID_TRANSITION: "the event is not allowed in the request's current state",
  CONCURRENT_UPDATE: 'someone else changed the request meanwhile; reload it and try again',
  RETENTION_RUN_NOT_PREVIEWED:
    'R9: only a run still in PREVIEWED can be approved or cancelled (`currentStatus` says where it is; `supersededBy`, the newer preview, when SUPERSEDED)',
  REASON_REQUIRED: 'hold, cancel, reject, partial completion, extension, override and revoking a package need a reason',
  ACTOR_REQUIRED: 'every transition and override names who did it',
  IDENTITY_NOT_VERIFIED: 'R2: nothing is released, corrected or erased before identity is verified',
  IDENTIFIERS_DESTROYED: "R11: the request's identifiers were destroyed when its erasure completed",
  EXTENSION_TOO_LATE: 'R5: an extension only before the first due date passes',
  EXTENSION_ALREADY_GRANTED: 'R5: one extension per request',
  EXTENSION_TOO_LONG: 'R5: at most two further months',
  NO_EXTENSION: 'R5: the deadline was not extended, so there is no extension notice to send',
  DISCOVERY_COMPLETE: 'every source was searched: nothing to search again or go without',
  DISCOVERY_INCOMPLETE: 'R1: some sources could not be searched; search them again or record going without them',
  MATCHES_PENDING_REVIEW: 'REVIEW records must be confirmed or rejected before execution',
  NOT_A_REVIEW_RECORD: 'only REVIEW records are confirmed or rejected',
  NO_CONTROLLED_RECORDS: 'no record of that source in the request is held for a controller (or for the controller named)',
  CONTROLLER_REQUIRED: 'the source holds records of several controllers for this request: name the controller whose instruction it is',
  EXECUTION_TIMEOUT: 'a source did not answer in time; nothing was released or written, call again',
  EXECUTION_NOT_STARTED: 'the request was approved but its tasks could not be queued; retry with retryFailedTasks',
  NO_FAILED_TASKS: 'the request has no failed task to retry and no removal left to verify',

  // Decisions and corrections
  INVALID_ACTION: 'an override to an action that does not exist, or that the source does not take (a CORRECT where records are annotated, R14)',
  CONTROLLER_INSTRUCTION_REQUIRED: "R6: an override cannot replace the controller's instruction",
  CONTROLLER_REFUSED: 'R6: the controller refused; nothing but RETAIN until it instructs otherwise',
  CONTROLLER_CHANGED:
    "R6: a request's task on a record its source now holds for a controller that gave no instruction for that request and source; the task fails for good and the record stays as it is",
  LEGAL_HOLD: 'R8: no erasing action on a record under statutory retention',
  RETENTION_CHANGED: "R9: a retention run's task on a record its source's retention, as it is when the task runs, still keeps",
  RESTRICTED:
    "R1, R9: a retention run's task on a record an answered restriction request restricted; the task fails and the record stays while the restriction stands",
  OPEN_REQUEST:
    'R8, R9: another request still open holds the record (its RETAIN: a legal hold such as litigation, or its wait for a controller); an erasing task fails and the record stays until that request closes',
  REQUEST_REJECTED: 'R2: a task whose request was rejected or cancelled after it was queued leaves the record as it is',
  NO_CORRECTIONS: 'a rectification with nothing to correct',
  UNKNOWN_FIELD: 'the source does not hold that field',
  FIELD_NOT_CORRECTABLE: 'the source cannot change that field',
  INVALID_CORRECTION_VALUE: 'a corrected value its identifier field cannot hold',
  CONFLICTING_CORRECTIONS: 'one field asked to take two values',
  INACCURACY_NOT_ESTABLISHED: 'R14: a handler has not found the data inaccurate',
  NOTHING_TO_CORRECT: 'R14: a correcting task for which none of the requested corrections the handler accepted applies to its record',
  NOT_A_RECTIFICATION: 'a finding on accuracy belongs to RECTIFICATION requests',

  // Access packages
  NO_ACCESS_PACKAGE:
    'no package to renew or revoke: none for the person (ACCESS) or for that controller (R6), or the request is not EXECUTING, COMPLETED or PARTIALLY_COMPLETED',
  INVALID_PACKAGE: 'an access package whose manifest cannot be read',
  PACKAGE_LINK_USED: 'the one-time download link was already used; ask for a new one',
  PACKAGE_LINK_EXPIRED: 'the download link has expired (or its package was revoked: never said); ask for a new one',
  PACKAGE_DESTROYED: 'R10, R11: the package was destroyed (`reason`, REVOKED for a revoked one: a renewal is refused); the person may ask for a new copy',
  SOURCE_UNAVAILABLE: 'a source could not export the records; nothing was released, try again',

  // Sources
  INVALID_SOURCE_CONFIG: 'a source registration does not validate (`field` names it)',
  SOURCE_SECRET_NOT_ALLOWED: 'a registration names a variable not set aside for source secrets',
  SOURCE_DESTINATION_NOT_ALLOWED: 'a registration points at a host outside SOURCE_ALLOWED_HOSTS',
  SOURCE_STATUS_CONFLICT: "the source's status does not allow that change (e.g. approving an active source)",
  SOURCE_CHANGED_SINCE_SHOWN: "the source's registration or waiting change is no longer the one shown (approvalToken): look at it again before approving",
  SOURCE_NAME_TAKEN: 'another source (a removed one too) already has that name: choose another; a waiting change naming it is not approved',
  SOURCE_APPROVAL_TOKEN_REQUIRED: 'approving a change to a source approved before needs the approvalToken of the approval view: look at it, then approve that',
  SOURCE_HAS_OPEN_TASKS: 'the source still has tasks to run; let them finish or disable it first',
  SOURCE_CANNOT_LIST:
    'a recreation sweep named a source that cannot list its changes (remote, generic SQL): it relies on the recreation guard alone, nothing was swept',
  WORKERS_UNAVAILABLE: 'no worker answered the ping',

  // Anything else
  CONFIG_ERROR: "the gateway's own configuration is wrong (at start only; never in an answer)",
  INTERNAL_SERVER_ERROR: 'an unexpected failure; details are in the server log only',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;
