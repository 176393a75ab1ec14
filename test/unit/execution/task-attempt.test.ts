import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../connectors/contract.js';
import { PermanentTaskError, SourceRateLimited, TaskTimeout, settleAttempt } from '../../../src/execution/task-attempt.js';

const first = { attempt: 1, maxAttempts: 3 };
const last = { attempt: 3, maxAttempts: 3 };

describe('settleAttempt: what one attempt of a task comes to', () => {
  it('APPLIED succeeds and counts the change once; a repeat or a missing record succeeds without counting', () => {
    expect(settleAttempt({ outcome: 'APPLIED' }, first, true)).toMatchObject({ row: { status: 'SUCCEEDED', applied: 1, lastError: null }, audit: { outcome: 'SUCCESS' }, answer: { outcome: 'APPLIED' } });
    for (const outcome of ['ALREADY_APPLIED', 'NOT_FOUND'] as const) {
      expect(settleAttempt({ outcome }, first, true)).toMatchObject({ row: { status: 'SUCCEEDED', applied: 0 }, answer: { outcome } });
    }
  });

  it('REFUSED fails for good with the source\'s reason, and is audited', () => {
    const s = settleAttempt({ outcome: 'REFUSED', detail: 'LEGAL_HOLD: statute' }, first, true);
    expect(s.row).toMatchObject({ status: 'FAILED', lastError: 'REFUSED: LEGAL_HOLD: statute' });
    expect(s.audit).toEqual({ outcome: 'FAILED', detail: 'REFUSED' });
    expect(s.answer).toBeInstanceOf(PermanentTaskError);
  });

  it('a failure is retried without an audit entry until the last attempt, which fails the task', () => {
    const error = new ConnectorError('UNAVAILABLE', 'down');
    expect(settleAttempt(error, first, false)).toMatchObject({ row: { status: 'RETRYING', lastError: 'UNAVAILABLE: down' }, audit: null, answer: error });
    expect(settleAttempt(error, last, false)).toMatchObject({ row: { status: 'FAILED' }, audit: { outcome: 'FAILED', detail: 'UNAVAILABLE: down' } });
    expect(settleAttempt(new TaskTimeout('no answer within 5 ms'), first, false)).toMatchObject({ row: { lastError: 'TIMEOUT: no answer within 5 ms' }, metric: 'TIMEOUT' });
  });

  it('NOT_SUPPORTED and CONFIGURATION are not retried', () => {
    for (const code of ['NOT_SUPPORTED', 'CONFIGURATION'] as const) {
      const s = settleAttempt(new ConnectorError(code, 'no'), first, false);
      expect(s.row.status).toBe('FAILED');
      expect(s.answer).toBeInstanceOf(PermanentTaskError);
    }
  });

  it('"too many requests" gives the attempt back and waits as long as the source asked', () => {
    const s = settleAttempt(new ConnectorError('RATE_LIMITED', 'slow down', 2500), last, false);
    expect(s.row).toMatchObject({ status: 'RETRYING', refund: 1 });
    expect(s.audit).toBeNull();
    expect(s.answer).toBeInstanceOf(SourceRateLimited);
    expect((s.answer as SourceRateLimited).retryAfterMs).toBe(2500);
  });
});
