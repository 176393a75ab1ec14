// What one attempt of a task comes to, whatever the connector answered: the task row's
// new state, whether it is audited, the metric outcome and what the job returns or throws.
// Pure, so the rules are tested without a queue or a source.
import { ConnectorError, type ActionResult } from '../../connectors/contract.js';
import { ActionOutcome, TaskStatus } from '../domain/vocabulary.js';
import { safeFailureMessage } from '../sources/failure-code.js';

/** The task cannot succeed by retrying (refused by the source, unknown action). */
export class PermanentTaskError extends Error {}

/**
 * Another open request holds the record (OPEN_REQUEST, CONTROLLER_REFUSED). The message
 * names no request (it is shown to whoever reads the task's request); the holding request's
 * id goes to the task's held_by_request_id.
 */
export class HeldByRequest extends PermanentTaskError {
  constructor(
    message: string,
    readonly requestId: string,
  ) {
    super(message);
  }
}

/**
 * A correction the source applied whose read-back (R14) failed: the record was changed, the
 * change is not yet verified. The attempt records outcome APPLIED (applied_count 1) and is
 * retried, and the retry reads the record back again (see afterUnverified).
 */
export class AppliedUnverified extends Error {
  constructor(override readonly cause: unknown) {
    super(`the source applied the correction, reading the record back failed: ${safeFailureMessage(cause)}`);
  }
}

/** The last_error of an attempt that changed the record but could not verify it. */
export const UNVERIFIED = 'UNVERIFIED';

/**
 * The longest a source may make its queue wait (10 minutes). The wait uses no attempt, so a
 * source asking for years (a hostile or broken remote) would park its tasks for good.
 */
export const MAX_SOURCE_RETRY_AFTER_MS = 600_000;

/**
 * How long a task's source has answered nothing but "too many requests". The waits use no
 * attempt, so a source that always answers so would keep its tasks for ever; once the task
 * has waited `maxWaitMs` (SOURCE_RATE_LIMITED_MAX_MS) the answer counts as an outage.
 */
export interface RateLimitWait {
  /** The task's last_error before this attempt: it carries since when the source answers so. */
  lastError: string | null;
  now: Date;
  maxWaitMs: number;
}

const RATE_LIMITED_SINCE = /RATE_LIMITED since (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)/;

/** The last_error of a task waiting on a rate-limited source, with the first such answer's time. */
export function rateLimitedError(since: Date): string {
  return `RATE_LIMITED since ${since.toISOString()}: source asked to slow down`;
}

/** Since when the source has answered only "too many requests", read from last_error (null: it has not). */
export function rateLimitedSince(lastError: string | null): Date | null {
  const found = lastError ? RATE_LIMITED_SINCE.exec(lastError) : null;
  const since = found ? new Date(found[1]!) : null;
  return since && !Number.isNaN(since.getTime()) && since.toISOString() === found![1] ? since : null;
}

/** The source said "too many requests": the job goes back without using an attempt. */
export class SourceRateLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`source rate limited; retry after ${retryAfterMs} ms`);
  }
}

export class TaskTimeout extends Error {}

export interface AttemptInfo {
  /** 1-based number of this attempt. */
  attempt: number;
  maxAttempts: number;
}

/** Outcomes that leave the source as the decision wants it. */
const SUCCESS: ReadonlySet<string> = new Set([ActionOutcome.APPLIED, ActionOutcome.ALREADY_APPLIED, ActionOutcome.NOT_FOUND]);

export interface SettledAttempt {
  /** The task row after this attempt. */
  row: {
    status: TaskStatus.SUCCEEDED | TaskStatus.FAILED | TaskStatus.RETRYING;
    /** null: keep the row's outcome (an error says nothing about the record). */
    outcome: string | null;
    /** 1 only when the change was made by this attempt: the exactly-once proof. */
    applied: number;
    lastError: string | null;
    /** The open request whose hold stopped the task (never named in lastError). */
    heldBy: string | null;
    /** 1 when the attempt does not count (the source asked us to slow down). */
    refund: number;
  };
  /** Final outcomes are audited; a retry is not. */
  audit: { outcome: 'SUCCESS' | 'FAILED'; detail: string } | null;
  metric: string;
  /** What the job resolves with, or the error it throws. */
  answer: { outcome: string } | Error;
}

export function settleAttempt(
  result: ActionResult | unknown,
  info: AttemptInfo,
  isResult: boolean,
  wait: RateLimitWait = { lastError: null, now: new Date(), maxWaitMs: Number.POSITIVE_INFINITY },
): SettledAttempt {
  if (isResult) {
    const r = result as ActionResult;
    const ok = SUCCESS.has(r.outcome);
    const detail = r.detail ? `${r.outcome}: ${r.detail}`.slice(0, 500) : null;
    return {
      row: {
        status: ok ? TaskStatus.SUCCEEDED : TaskStatus.FAILED,
        outcome: r.outcome,
        applied: r.outcome === ActionOutcome.APPLIED ? 1 : 0,
        lastError: ok ? null : detail,
        heldBy: null,
        refund: 0,
      },
      audit: { outcome: ok ? 'SUCCESS' : 'FAILED', detail: r.outcome },
      metric: r.outcome,
      answer: ok ? { outcome: r.outcome } : new PermanentTaskError(detail ?? r.outcome),
    };
  }
  const error = result as Error;
  if (error instanceof AppliedUnverified) {
    const last = info.attempt >= info.maxAttempts;
    const reason = `${UNVERIFIED}: ${error.message}`.slice(0, 500);
    return {
      row: { status: last ? TaskStatus.FAILED : TaskStatus.RETRYING, outcome: ActionOutcome.APPLIED, applied: 1, lastError: reason, heldBy: null, refund: 0 },
      audit: last ? { outcome: 'FAILED', detail: `${ActionOutcome.APPLIED}, not verified: ${reason}`.slice(0, 500) } : null,
      metric: 'ERROR',
      answer: error,
    };
  }
  if (error instanceof ConnectorError && error.code === 'RATE_LIMITED') {
    const since = rateLimitedSince(wait.lastError) ?? wait.now;
    const waitedMs = wait.now.getTime() - since.getTime();
    if (waitedMs >= wait.maxWaitMs) {
      // Waited long enough: an outage, which uses an attempt (the last one fails the task).
      const seconds = Math.round(waitedMs / 1000);
      return settleAttempt(new ConnectorError('UNAVAILABLE', `the source has answered only "too many requests" for ${seconds} s`), info, false);
    }
    return {
      row: { status: TaskStatus.RETRYING, outcome: null, applied: 0, lastError: rateLimitedError(since), heldBy: null, refund: 1 },
      audit: null,
      metric: 'RATE_LIMITED',
      answer: new SourceRateLimited(Math.min(error.retryAfterMs ?? 1000, MAX_SOURCE_RETRY_AFTER_MS)),
    };
  }
  const permanent =
    error instanceof PermanentTaskError || (error instanceof ConnectorError && (error.code === 'NOT_SUPPORTED' || error.code === 'CONFIGURATION'));
  const last = permanent || info.attempt >= info.maxAttempts;
  const kind = error instanceof TaskTimeout ? 'TIMEOUT' : error instanceof ConnectorError ? error.code : 'ERROR';
  const reason = `${kind}: ${safeFailureMessage(error)}`.slice(0, 500);
  return {
    row: {
      status: last ? TaskStatus.FAILED : TaskStatus.RETRYING,
      outcome: null,
      applied: 0,
      lastError: reason,
      heldBy: error instanceof HeldByRequest ? error.requestId : null,
      refund: 0,
    },
    audit: last ? { outcome: 'FAILED', detail: reason } : null,
    metric: error instanceof TaskTimeout ? 'TIMEOUT' : 'ERROR',
    answer: permanent ? new PermanentTaskError(reason) : error,
  };
}

/**
 * An attempt after one that changed the record but could not read it back (last_error
 * UNVERIFIED, outcome APPLIED): the source now answers ALREADY_APPLIED, since the change is
 * there, and the record was read back. The task's outcome stays APPLIED (the change was made,
 * once, by this task) and the audit says so, instead of claiming nothing was changed. A
 * source that now answers NOT_FOUND no longer holds the record: the task succeeds with that
 * outcome (applied_count 1), its last_error and audit saying the correction was never read back.
 */
export function afterUnverified(settled: SettledAttempt, prior: { outcome: string | null; last_error: string | null }): SettledAttempt {
  if (prior.outcome !== ActionOutcome.APPLIED || !prior.last_error?.startsWith(`${UNVERIFIED}:`)) return settled;
  if (settled.row.outcome === null && settled.row.lastError !== null && !settled.row.lastError.startsWith(`${UNVERIFIED}:`)) {
    // Still not read back: the task keeps saying that the record was changed.
    const lastError = `${UNVERIFIED}: the source applied the correction in an earlier attempt, not yet read back; ${settled.row.lastError}`.slice(0, 500);
    return {
      ...settled,
      row: { ...settled.row, lastError },
      audit: settled.audit ? { ...settled.audit, detail: `${ActionOutcome.APPLIED}, not verified: ${lastError}`.slice(0, 500) } : null,
    };
  }
  if (settled.row.outcome === ActionOutcome.NOT_FOUND) {
    // Gone since: the task changed the record (applied_count stays 1) and nothing ever read the change back.
    const lastError = `${UNVERIFIED}: the source applied the correction in an earlier attempt; the record is no longer held, so the correction was never read back`;
    return {
      ...settled,
      row: { ...settled.row, lastError },
      audit: settled.audit ? { ...settled.audit, detail: `${ActionOutcome.APPLIED}, not verified: the record is no longer held` } : null,
    };
  }
  if (settled.row.outcome !== ActionOutcome.ALREADY_APPLIED) return settled;
  const detail = `${ActionOutcome.APPLIED}: by an earlier attempt whose read-back failed; read back and verified now`;
  return {
    ...settled,
    row: { ...settled.row, outcome: ActionOutcome.APPLIED },
    audit: settled.audit ? { ...settled.audit, detail } : null,
    metric: ActionOutcome.APPLIED,
    answer: settled.answer instanceof Error ? settled.answer : { outcome: ActionOutcome.APPLIED },
  };
}
