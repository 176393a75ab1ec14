// What one attempt of a task comes to, whatever the connector answered: the task row's
// new state, whether it is audited, the metric outcome and what the job returns or throws.
// Pure, so the rules are tested without a queue or a source.
import { ConnectorError, type ActionResult } from '../../connectors/contract.js';
import { ActionOutcome, TaskStatus } from '../domain/vocabulary.js';

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

export function settleAttempt(result: ActionResult | unknown, info: AttemptInfo, isResult: boolean): SettledAttempt {
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
  if (error instanceof ConnectorError && error.code === 'RATE_LIMITED') {
    return {
      row: { status: TaskStatus.RETRYING, outcome: null, applied: 0, lastError: 'RATE_LIMITED: source asked to slow down', heldBy: null, refund: 1 },
      audit: null,
      metric: 'RATE_LIMITED',
      answer: new SourceRateLimited(error.retryAfterMs ?? 1000),
    };
  }
  const permanent =
    error instanceof PermanentTaskError || (error instanceof ConnectorError && (error.code === 'NOT_SUPPORTED' || error.code === 'CONFIGURATION'));
  const last = permanent || info.attempt >= info.maxAttempts;
  const kind = error instanceof TaskTimeout ? 'TIMEOUT' : error instanceof ConnectorError ? error.code : 'ERROR';
  const reason = `${kind}: ${error?.message ?? String(error)}`.slice(0, 500);
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
