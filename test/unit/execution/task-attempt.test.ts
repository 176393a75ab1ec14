import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../connectors/contract.js';
import {
  AppliedUnverified,
  MAX_SOURCE_RETRY_AFTER_MS,
  PermanentTaskError,
  SourceRateLimited,
  TaskTimeout,
  afterUnverified,
  rateLimitedError,
  rateLimitedSince,
  settleAttempt,
} from '../../../src/execution/task-attempt.js';

const first = { attempt: 1, maxAttempts: 3 };
const last = { attempt: 3, maxAttempts: 3 };

describe('settleAttempt: what one attempt of a task comes to', () => {
  it('APPLIED succeeds and counts the change once; a repeat or a missing record succeeds without counting', () => {
    expect(settleAttempt({ outcome: 'APPLIED' }, first, true)).toMatchObject({
      row: { status: 'SUCCEEDED', applied: 1, lastError: null },
      audit: { outcome: 'SUCCESS' },
      answer: { outcome: 'APPLIED' },
    });
    for (const outcome of ['ALREADY_APPLIED', 'NOT_FOUND'] as const) {
      expect(settleAttempt({ outcome }, first, true)).toMatchObject({ row: { status: 'SUCCEEDED', applied: 0 }, answer: { outcome } });
    }
  });

  it("REFUSED fails for good with the source's reason, and is audited", () => {
    const s = settleAttempt({ outcome: 'REFUSED', detail: 'LEGAL_HOLD: statute' }, first, true);
    expect(s.row).toMatchObject({ status: 'FAILED', lastError: 'REFUSED: LEGAL_HOLD: statute' });
    expect(s.audit).toEqual({ outcome: 'FAILED', detail: 'REFUSED' });
    expect(s.answer).toBeInstanceOf(PermanentTaskError);
  });

  it('a failure is retried without an audit entry until the last attempt, which fails the task', () => {
    const error = new ConnectorError('UNAVAILABLE', 'down');
    expect(settleAttempt(error, first, false)).toMatchObject({ row: { status: 'RETRYING', lastError: 'UNAVAILABLE: down' }, audit: null, answer: error });
    expect(settleAttempt(error, last, false)).toMatchObject({ row: { status: 'FAILED' }, audit: { outcome: 'FAILED', detail: 'UNAVAILABLE: down' } });
    expect(settleAttempt(new TaskTimeout('no answer within 5 ms'), first, false)).toMatchObject({
      row: { lastError: 'TIMEOUT: no answer within 5 ms' },
      metric: 'TIMEOUT',
    });
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

  it('a wait longer than MAX_SOURCE_RETRY_AFTER_MS (a source asking for years) is cut to it, so its tasks are not parked for good', () => {
    for (const asked of [1e12, Number.MAX_SAFE_INTEGER, MAX_SOURCE_RETRY_AFTER_MS + 1]) {
      const s = settleAttempt(new ConnectorError('RATE_LIMITED', 'slow down', asked), last, false);
      expect((s.answer as SourceRateLimited).retryAfterMs).toBe(MAX_SOURCE_RETRY_AFTER_MS);
    }
    expect(MAX_SOURCE_RETRY_AFTER_MS).toBe(600_000);
  });
});

describe('settleAttempt: a source that keeps answering "too many requests"', () => {
  const HOUR = 3_600_000;
  const t0 = new Date('2031-05-01T10:00:00.000Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const limited = () => new ConnectorError('RATE_LIMITED', 'slow down', MAX_SOURCE_RETRY_AFTER_MS);

  it('the first "too many requests" starts the wait; the row says since when, and the attempt is given back', () => {
    const s = settleAttempt(limited(), first, false, { lastError: 'UNAVAILABLE: down', now: t0, maxWaitMs: HOUR });
    expect(s.row).toMatchObject({ status: 'RETRYING', refund: 1, lastError: rateLimitedError(t0) });
    expect(rateLimitedSince(s.row.lastError)).toEqual(t0);
    expect(s.answer).toBeInstanceOf(SourceRateLimited);
  });

  it("later answers keep the first one's time while the wait is shorter than maxWaitMs", () => {
    const s = settleAttempt(limited(), first, false, { lastError: rateLimitedError(t0), now: at(HOUR - 1), maxWaitMs: HOUR });
    expect(s.row).toMatchObject({ status: 'RETRYING', refund: 1, lastError: rateLimitedError(t0) });
    expect(s.answer).toBeInstanceOf(SourceRateLimited);
  });

  it('after maxWaitMs of nothing else the answer uses an attempt as an outage (UNAVAILABLE), and the last attempt fails the task', () => {
    const s = settleAttempt(limited(), first, false, { lastError: rateLimitedError(t0), now: at(HOUR), maxWaitMs: HOUR });
    expect(s.row).toMatchObject({ status: 'RETRYING', refund: 0 });
    expect(s.row.lastError).toMatch(/^UNAVAILABLE: /);
    expect(rateLimitedSince(s.row.lastError)).toBeNull();
    expect(s.answer).not.toBeInstanceOf(SourceRateLimited);
    expect(s.audit).toBeNull();
    const end = settleAttempt(limited(), last, false, { lastError: rateLimitedError(t0), now: at(2 * HOUR), maxWaitMs: HOUR });
    expect(end.row).toMatchObject({ status: 'FAILED', refund: 0 });
    expect(end.audit).toMatchObject({ outcome: 'FAILED' });
    expect(end.audit!.detail).toMatch(/^UNAVAILABLE: /);
  });

  it('the wait is counted through a correction not yet read back (R14), whose last_error comes first', () => {
    const prior = { outcome: 'APPLIED', last_error: `UNVERIFIED: applied; ${rateLimitedError(t0)}` };
    const still = afterUnverified(settleAttempt(limited(), first, false, { lastError: prior.last_error, now: at(1000), maxWaitMs: HOUR }), prior);
    expect(rateLimitedSince(still.row.lastError)).toEqual(t0);
    const over = settleAttempt(limited(), first, false, { lastError: still.row.lastError, now: at(HOUR), maxWaitMs: HOUR });
    expect(over.row.refund).toBe(0);
  });

  it('an unreadable time in last_error starts the wait anew', () => {
    expect(rateLimitedSince('RATE_LIMITED since 2031-99-99T99:99:99.000Z: x')).toBeNull();
    expect(rateLimitedSince(null)).toBeNull();
  });
});

describe('settleAttempt: what the task row and metrics record', () => {
  it('a refusal without detail fails with the outcome alone; a long detail is cut to 500 characters', () => {
    const bare = settleAttempt({ outcome: 'REFUSED' }, first, true);
    expect(bare.row.lastError).toBeNull();
    expect((bare.answer as Error).message).toBe('REFUSED');
    const long = settleAttempt({ outcome: 'REFUSED', detail: 'x'.repeat(600) }, first, true);
    expect(long.row.lastError).toBe(`REFUSED: ${'x'.repeat(491)}`);
  });

  it('a rate-limited source retries without using an attempt, recorded as RATE_LIMITED', () => {
    const s = settleAttempt(new ConnectorError('RATE_LIMITED', 'slow down', 2500), last, false);
    expect(s).toMatchObject({
      row: { status: 'RETRYING', lastError: expect.stringMatching(/^RATE_LIMITED since .*: source asked to slow down$/), refund: 1 },
      metric: 'RATE_LIMITED',
      audit: null,
    });
    expect((s.answer as SourceRateLimited).message).toBe('source rate limited; retry after 2500 ms');
    expect((settleAttempt(new ConnectorError('RATE_LIMITED', 'slow down'), first, false).answer as SourceRateLimited).retryAfterMs).toBe(1000);
  });

  it('an error that is not an Error is recorded by its text; an unknown error counts as ERROR; long reasons are cut', () => {
    expect(settleAttempt('socket hang up', last, false)).toMatchObject({ row: { status: 'FAILED', lastError: 'ERROR: socket hang up' }, metric: 'ERROR' });
    expect(settleAttempt(undefined, first, false).row.lastError).toBe('ERROR: undefined');
    expect(settleAttempt(new Error('y'.repeat(600)), first, false).row.lastError).toHaveLength(500);
    expect(settleAttempt(new ConnectorError('UNAVAILABLE', 'down'), first, false).metric).toBe('ERROR');
  });

  it('R14: a correction applied but not read back records the change (APPLIED, counted) and retries; the retry that reads it back keeps APPLIED', () => {
    const unverified = settleAttempt(new AppliedUnverified(new Error('reset')), first, false);
    expect(unverified.row).toMatchObject({ status: 'RETRYING', outcome: 'APPLIED', applied: 1 });
    expect(unverified.row.lastError).toMatch(/^UNVERIFIED: .*reset/);
    expect(unverified.audit).toBeNull();
    expect(settleAttempt(new AppliedUnverified(new Error('reset')), last, false).audit).toMatchObject({
      outcome: 'FAILED',
      detail: expect.stringMatching(/^APPLIED, not verified/),
    });
    const prior = { outcome: 'APPLIED', last_error: unverified.row.lastError };
    expect(afterUnverified(settleAttempt({ outcome: 'ALREADY_APPLIED' }, first, true), prior)).toMatchObject({
      row: { status: 'SUCCEEDED', outcome: 'APPLIED', applied: 0 },
      audit: { outcome: 'SUCCESS', detail: expect.stringMatching(/^APPLIED: by an earlier attempt/) },
      answer: { outcome: 'APPLIED' },
    });
    // Still not read back: the task keeps saying the record was changed.
    expect(afterUnverified(settleAttempt(new Error('reset again'), first, false), prior).row.lastError).toMatch(/^UNVERIFIED: .*reset again/);
    // Gone since: succeeds as NOT_FOUND, saying the change was never read back (never that nothing was changed).
    expect(afterUnverified(settleAttempt({ outcome: 'NOT_FOUND' }, first, true), prior)).toMatchObject({
      row: { status: 'SUCCEEDED', outcome: 'NOT_FOUND', applied: 0, lastError: expect.stringMatching(/^UNVERIFIED: .*no longer held/) },
      audit: { outcome: 'SUCCESS', detail: 'APPLIED, not verified: the record is no longer held' },
    });
    // Any other task's repeat stays ALREADY_APPLIED.
    expect(afterUnverified(settleAttempt({ outcome: 'ALREADY_APPLIED' }, first, true), { outcome: 'APPLIED', last_error: null }).row.outcome).toBe(
      'ALREADY_APPLIED',
    );
  });
});
