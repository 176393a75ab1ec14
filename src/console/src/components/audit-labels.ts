// What the audit trail records, in words: an audit entry's action (the audit log, its Action
// filter, a request's timeline) and a request's status change (the timeline). One label for
// each action the gateway records (src/audit/audit-actions.ts) and each event a stored
// transition carries (RECORDED_EVENTS in src/requests/state-machine.ts); the console may not
// import them: test/unit/audit/console-audit-labels.test.ts and
// test/unit/requests/console-request-event-labels.test.ts fail when one has none.
export const AUDIT_ACTION_LABELS: Readonly<Record<string, string>> = {
  'discovery.run': 'Searched the sources for a person',
  'request.submit': 'Request received',
  'request.search': 'Requests searched by an identifier',
  'request.verify-identity': 'Identity verified',
  'request.acknowledge': 'Acknowledgement sent (R3)',
  'request.hold': 'Put on hold',
  'request.resume': 'Resumed',
  'request.cancel': 'Request cancelled',
  'request.reject': 'Request rejected',
  'request.controller-instruction': 'Controller instruction recorded (R6)',
  'request.confirm-matches': 'Records confirmed as the person’s',
  'request.reject-matches': 'Records rejected as not the person’s',
  'request.override': 'Decision overridden',
  'request.inaccuracy-finding': 'Finding on inaccuracy recorded (R14)',
  'request.export': 'Access package downloaded',
  'request.execute': 'Approved and executed',
  'request.package-link': 'New download link',
  'request.complete': 'Request completed',
  'request.complete-partially': 'Request partially completed',
  'request.verification-failed': 'Erased records found again (tasks reopened)',
  'request.extend-deadline': 'Deadline extended (R5)',
  'request.extension-notice-sent': 'Extension notice sent to the person (R5)',
  'request.retry-failed-tasks': 'Failed tasks retried',
  'request.requeue-stranded': 'Lost tasks queued again',
  'request.fail-stranded': 'Lost tasks failed (request rejected or cancelled)',
  'request.proceed-without-sources': 'Went on without unreachable sources',
  'request.certificate-agreement': 'Person’s answer on certificate numbers (R9)',
  'request.package-destroyed': 'Package destroyed',
  'request.package-revoked': 'Package revoked',
  'request.identifiers-destroyed': 'Person’s identifiers destroyed',
  'request.overdue': 'Requests found overdue',
  'task.execute': 'Task run on a source',
  'retention.prepare': 'Retention preview prepared (R9)',
  'retention.approve': 'Retention run approved',
  'retention.cancel': 'Retention run cancelled',
  'retention.supersede': 'Retention preview superseded',
  'retention.close': 'Retention run closed',
  'retention.requeue-stranded': 'Lost retention tasks queued again',
  'tombstone.write': 'Tombstone written',
  'tombstone.withdraw': 'Tombstones withdrawn',
  'tombstone.kept': 'Tombstones kept: records were erased before the refusal',
  'tombstone.check': 'Tombstones checked',
  'tombstone.sweep': 'Sources swept for recreated people',
  'tombstone.recreation-found': 'Erased person found recreated',
  'source.register': 'Source registered',
  'source.update': 'Source updated',
  'source.approve': 'Source approved',
  'source.disable': 'Source disabled',
  'source.enable': 'Source enabled',
  'source.remove': 'Source removed',
  'source.description-changed': 'Source description changed, awaiting approval',
  'key.create': 'API key created',
  'key.revoke': 'API key revoked',
  'key.bootstrap': 'First administrator key created',
  'audit.read': 'Audit log read',
  'audit.verify': 'Audit chain verified',
};

/** A refused GraphQL operation is recorded as `graphql.<root field>`. */
const REFUSED = 'graphql.';

export function auditActionLabel(action: string): string {
  if (action.startsWith(REFUSED)) return `Refused: ${action.slice(REFUSED.length)}`;
  // An action this console does not know (a newer gateway): as written.
  return AUDIT_ACTION_LABELS[action] ?? action;
}

/** A status change's event in words; the statuses it moved between are shown beside it. */
export const REQUEST_EVENT_LABELS: Readonly<Record<string, string>> = {
  submit: 'Request received',
  verifyIdentity: 'Identity verified',
  awaitController: 'Waiting for the controller’s instruction (R6)',
  controllerInstructed: 'Controller instructed, review goes on',
  startReview: 'Review of the records started',
  approve: 'Approved',
  startExecution: 'Execution started',
  complete: 'Completed',
  completePartially: 'Partially completed',
  retryFailedTasks: 'Failed tasks retried',
  reject: 'Rejected',
  cancel: 'Cancelled',
  hold: 'Put on hold',
  resume: 'Resumed',
};

export function requestEventLabel(event: string): string {
  // An event this console does not know (a newer gateway): as written.
  return REQUEST_EVENT_LABELS[event] ?? event;
}
