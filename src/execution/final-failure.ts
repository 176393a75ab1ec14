// What the person reads about a task that failed for good (R1, R6, R8, R14): one wording per
// code a task can end with, so the letter never says "we are retrying" of a record nobody
// will retry. Pure: the code is the first word of the task's last_error.
import { CONTROLLER_CHANGED, CONTROLLER_CHANGED_TO_PERSON } from './controller-change.js';

/** Every code a task's permanent failure starts with (the worker's, and the source's or connector's answer). */
export const FINAL_FAILURE_CODES = [
  'LEGAL_HOLD',
  'CONTROLLER_REFUSED',
  'OPEN_REQUEST',
  CONTROLLER_CHANGED,
  'REQUEST_REJECTED',
  'INVALID_ACTION',
  'INACCURACY_NOT_ESTABLISHED',
  'NOTHING_TO_CORRECT',
  'VERIFICATION',
  'RETENTION_CHANGED',
  'RESTRICTED',
  // The source's answer (ActionOutcome.REFUSED) and the connector's permanent errors.
  'REFUSED',
  'NOT_SUPPORTED',
  'CONFIGURATION',
] as const;

export type FinalFailureCode = (typeof FINAL_FAILURE_CODES)[number];

/** Codes only a retention run's task ends with: no person is answered about those. */
export const RUN_ONLY_CODES: ReadonlySet<FinalFailureCode> = new Set<FinalFailureCode>(['RETENTION_CHANGED', 'RESTRICTED']);

/** A permanent failure's text: its code first, so the answer can tell the person why. */
export const finalFailure = (code: FinalFailureCode, detail: string): string => `${code}: ${detail}`;

/**
 * A hold on another record whose data erasing the task's record destroys too (footage two visits
 * share). Written into the task's error by the worker and read back here: the person is told of
 * the shared data, not of "another matter", since the record kept may be their own request's.
 */
export const SHARED_DATA = 'a record whose data (footage) erasing this one would destroy too';

export type PersonReason = Exclude<FinalFailureCode, 'RETENTION_CHANGED' | 'RESTRICTED'> | 'SHARED_DATA';

/**
 * What the person reads after "not erased:" (or corrected, restricted…). Never names another
 * request, person or controller: a hold for someone else's matter is "another matter".
 */
export const FINAL_FAILURE_TO_PERSON: Readonly<Record<PersonReason, string>> = {
  LEGAL_HOLD: 'the law requires us to keep this record, so it stays as it is until its retention period ends',
  CONTROLLER_REFUSED: 'the organisation responsible for this record (its controller) refused your request for it, so it stays as it is',
  OPEN_REQUEST: 'we must keep this record for another matter that is still open, so it stays as it is',
  SHARED_DATA: 'its data (footage) is also part of another record we must keep, and erasing it would destroy that too, so it stays as it is',
  [CONTROLLER_CHANGED]: CONTROLLER_CHANGED_TO_PERSON,
  REQUEST_REJECTED: 'your request was rejected or cancelled before this was done, so the record stays as it is',
  INVALID_ACTION: 'this system cannot make this change in that form (its records are annotated, never overwritten), so the record stays as it is',
  INACCURACY_NOT_ESTABLISHED: 'we did not establish that the data in it is inaccurate, so it stays as it is',
  NOTHING_TO_CORRECT: 'none of the corrections you asked for applies to this record, so it stays as it is',
  VERIFICATION: 'the system still showed the previous value when we read the record back, so we cannot say it was corrected',
  REFUSED: 'the system holding it refused the change, so the record stays as it is',
  NOT_SUPPORTED: 'the system holding it cannot make this change, so the record stays as it is',
  CONFIGURATION: 'the connection to the system holding it is not set up to make this change, so the record stays as it is',
};

const CODE = /^(?:ERROR: )?([A-Z][A-Z_]+)(?::|$)/;

/** A source's refusal led by a code (`REFUSED: LEGAL_HOLD: …`, a medical source keeping records by law). */
const REFUSED_BECAUSE = /^(?:ERROR: )?REFUSED: ([A-Z][A-Z_]+)(?::|$)/;

/** The reasons a source may give for refusing that the person is told as such (R8); any other stays "refused". */
const SOURCE_REASONS: ReadonlySet<PersonReason> = new Set<PersonReason>(['LEGAL_HOLD']);

/**
 * A failed task's reason the person may read, when its failure is final and not one we retry;
 * null for a failure whose attempts ran out (the letter says we retry). `lastError` is the
 * task's last_error, or its outcome when the source refused without a detail.
 */
export function finalFailureToPerson(lastError: string | null): string | null {
  const code = lastError ? CODE.exec(lastError)?.[1] : undefined;
  if (!code || !(code in FINAL_FAILURE_TO_PERSON)) return null;
  if ((code === 'OPEN_REQUEST' || code === 'CONTROLLER_REFUSED') && lastError!.includes(SHARED_DATA)) return FINAL_FAILURE_TO_PERSON.SHARED_DATA;
  const because = code === 'REFUSED' ? (REFUSED_BECAUSE.exec(lastError!)?.[1] as PersonReason | undefined) : undefined;
  if (because && SOURCE_REASONS.has(because)) return FINAL_FAILURE_TO_PERSON[because];
  return FINAL_FAILURE_TO_PERSON[code as PersonReason];
}
