// Coded errors for the request rules. They extend the shared DomainError so the GraphQL
// layer shows the code and message to the user; messages never carry personal data.
import { DomainError } from '../domain/errors.js';

export type RequestErrorCode =
  | 'INVALID_TRANSITION' // the event is not allowed in the current state
  | 'REASON_REQUIRED' // hold, cancel, reject, partial completion, extension, override
  | 'ACTOR_REQUIRED' // every transition and override names who did it
  | 'INVALID_DATE' // a date that is not a valid instant
  | 'INVALID_DURATION' // a retention period that is not an ISO 8601 date duration
  | 'UNKNOWN_JURISDICTION' // no holiday calendar for that code
  | 'IDENTITY_NOT_VERIFIED' // R2: nothing is released, corrected or erased before it
  | 'EXTENSION_TOO_LATE' // R5: only before the first due date passes
  | 'EXTENSION_ALREADY_GRANTED' // R5: one extension per request
  | 'EXTENSION_TOO_LONG' // R5: at most two further months
  | 'NO_EXTENSION' // R5: no extension, so no extension notice
  | 'INVALID_ACTION' // an override to an action that does not exist
  | 'CONTROLLER_INSTRUCTION_REQUIRED' // R6: an override cannot replace the controller's word
  | 'CONTROLLER_REFUSED' // R6: the controller refused; nothing but RETAIN until it instructs otherwise
  | 'LEGAL_HOLD' // R8: no erasing action on a record under statutory retention
  | 'NO_CORRECTIONS' // a rectification with nothing to correct
  | 'UNKNOWN_FIELD' // the source does not hold that field
  | 'FIELD_NOT_CORRECTABLE' // the source cannot change that field
  | 'INVALID_CORRECTION_VALUE' // a corrected value its identifier field cannot hold
  | 'CONFLICTING_CORRECTIONS' // one field asked to take two values
  | 'INACCURACY_NOT_ESTABLISHED' // R14: a handler has not found the data inaccurate
  | 'INVALID_PACKAGE'; // an access package whose manifest cannot be read

export class RequestRuleError extends DomainError {
  constructor(
    override readonly code: RequestErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details);
    this.name = 'RequestRuleError';
  }
}

export function isRequestRuleError(error: unknown, code?: RequestErrorCode): error is RequestRuleError {
  return error instanceof RequestRuleError && (code === undefined || error.code === code);
}

/** A reason must say something: whitespace alone is no reason. */
export function requireReason(reason: string | null | undefined, what: string): string {
  const trimmed = (reason ?? '').trim();
  if (!trimmed) throw new RequestRuleError('REASON_REQUIRED', `${what} needs a reason`);
  return trimmed;
}

export function requireValidDate(value: Date, what: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new RequestRuleError('INVALID_DATE', `${what} is not a valid date`);
  }
  return value;
}
