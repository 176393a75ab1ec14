import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RequestStatus as S } from '../../../src/domain/vocabulary.js';
import {
  REQUEST_EVENTS,
  allowedEvents,
  assertIdentityVerified,
  isIdentityVerified,
  stateFromHistory,
  transition,
  type RequestEvent,
  type RequestState,
  type TransitionRecord,
} from '../../../src/requests/state-machine.js';
import { RequestRuleError } from '../../../src/requests/errors.js';
import { ruleCodeOf } from '../../support/error-codes.js';

const at = new Date('2025-03-03T10:00:00Z');
const ctx = { actor: 'handler-1', at, reason: 'because' };

function run(events: RequestEvent[], from: RequestState = { status: S.RECEIVED }) {
  const records: TransitionRecord[] = [];
  let state = from;
  for (const e of events) {
    const r = transition(state, e, ctx);
    records.push(r.record);
    state = r.state;
  }
  return { state, records };
}

describe('request state machine', () => {
  it('walks the happy path received → verified → review → approved → executing → completed', () => {
    const { state, records } = run(['verifyIdentity', 'startReview', 'approve', 'startExecution', 'complete']);
    expect(state.status).toBe(S.COMPLETED);
    expect(records.map((r) => [r.from, r.to])).toEqual([
      [S.RECEIVED, S.IDENTITY_VERIFIED],
      [S.IDENTITY_VERIFIED, S.IN_REVIEW],
      [S.IN_REVIEW, S.APPROVED],
      [S.APPROVED, S.EXECUTING],
      [S.EXECUTING, S.COMPLETED],
    ]);
  });

  it('R6: goes through AWAITING_CONTROLLER when a controller must instruct', () => {
    const { state, records } = run(['verifyIdentity', 'awaitController', 'controllerInstructed']);
    expect(state.status).toBe(S.IN_REVIEW);
    expect(records[1]!.to).toBe(S.AWAITING_CONTROLLER);
    // review cannot be skipped while the controller has not answered
    expect(ruleCodeOf(() => transition({ status: S.AWAITING_CONTROLLER }, 'approve', ctx))).toBe('INVALID_TRANSITION');
  });

  it('ends executing requests as partially completed or rejected, with a reason', () => {
    const base = run(['verifyIdentity', 'startReview', 'approve', 'startExecution']).state;
    expect(transition(base, 'completePartially', ctx).state.status).toBe(S.PARTIALLY_COMPLETED);
    expect(transition(base, 'reject', ctx).state.status).toBe(S.REJECTED);
    expect(ruleCodeOf(() => transition(base, 'completePartially', { ...ctx, reason: ' ' }))).toBe('REASON_REQUIRED');
  });

  it('R2: nothing is approved, executed or completed before identity verification', () => {
    for (const e of ['startReview', 'approve', 'startExecution', 'complete', 'awaitController'] as const) {
      expect(ruleCodeOf(() => transition({ status: S.RECEIVED }, e, ctx))).toBe('INVALID_TRANSITION');
    }
    expect(isIdentityVerified([])).toBe(false);
    expect(isIdentityVerified(run(['verifyIdentity']).records)).toBe(true);
    expect(ruleCodeOf(() => assertIdentityVerified({ verifiedAt: null }, 'export'))).toBe('IDENTITY_NOT_VERIFIED');
    expect(() => assertIdentityVerified({ verifiedAt: at }, 'export')).not.toThrow();
  });

  it('a forbidden transition is a coded error naming the current state and the event', () => {
    const error = (() => {
      try {
        transition({ status: S.COMPLETED }, 'approve', ctx);
      } catch (e) {
        return e as RequestRuleError;
      }
      throw new Error('expected a throw');
    })();
    expect(error.code).toBe('INVALID_TRANSITION');
    expect(error.message).toContain('COMPLETED');
    expect(error.message).toContain('approve');
    expect(error.details).toMatchObject({ currentStatus: S.COMPLETED, event: 'approve' });
  });

  it('holds with a reason and resumes to where it was', () => {
    const inReview = run(['verifyIdentity', 'startReview']).state;
    const held = transition(inReview, 'hold', { ...ctx, reason: 'waiting for the person to narrow the scope' });
    expect(held.state).toEqual({ status: S.ON_HOLD, heldFrom: S.IN_REVIEW });
    expect(held.record.reason).toBe('waiting for the person to narrow the scope');
    expect(ruleCodeOf(() => transition(inReview, 'hold', { ...ctx, reason: '' }))).toBe('REASON_REQUIRED');
    expect(ruleCodeOf(() => transition(held.state, 'approve', ctx))).toBe('INVALID_TRANSITION');
    const resumed = transition(held.state, 'resume', { actor: 'handler-2', at });
    expect(resumed.state).toEqual({ status: S.IN_REVIEW });
    expect(resumed.record).toMatchObject({ from: S.ON_HOLD, to: S.IN_REVIEW, actor: 'handler-2', reason: null });
  });

  it('cancels with a reason before execution, never during it', () => {
    expect(transition({ status: S.RECEIVED }, 'cancel', ctx).state.status).toBe(S.CANCELLED);
    expect(ruleCodeOf(() => transition({ status: S.RECEIVED }, 'cancel', { actor: 'a', at }))).toBe('REASON_REQUIRED');
    expect(ruleCodeOf(() => transition({ status: S.EXECUTING }, 'cancel', ctx))).toBe('INVALID_TRANSITION');
    expect(ruleCodeOf(() => transition({ status: S.EXECUTING }, 'hold', ctx))).toBe('INVALID_TRANSITION');
  });

  it('R13: every transition records actor, time and reason; an actor is required', () => {
    const r = transition({ status: S.RECEIVED }, 'verifyIdentity', { actor: ' dpo ', at, reason: 'passport seen' });
    expect(r.record).toEqual({ from: S.RECEIVED, to: S.IDENTITY_VERIFIED, event: 'verifyIdentity', actor: 'dpo', at, reason: 'passport seen' });
    expect(ruleCodeOf(() => transition({ status: S.RECEIVED }, 'verifyIdentity', { actor: '', at }))).toBe('ACTOR_REQUIRED');
    expect(ruleCodeOf(() => transition({ status: S.RECEIVED }, 'verifyIdentity', { actor: 'a', at: new Date('x') }))).toBe('INVALID_DATE');
  });

  it('terminal states allow no event, but a partial completion may retry its failed tasks', () => {
    for (const status of [S.COMPLETED, S.REJECTED, S.CANCELLED]) {
      expect(allowedEvents({ status })).toEqual([]);
    }
    expect(allowedEvents({ status: S.PARTIALLY_COMPLETED })).toEqual(['retryFailedTasks']);
    expect(transition({ status: S.PARTIALLY_COMPLETED }, 'retryFailedTasks', { actor: 'handler', at: new Date() }).state.status).toBe(S.EXECUTING);
  });

  it('rebuilds the state from stored history and refuses a broken history', () => {
    const { state, records } = run(['verifyIdentity', 'awaitController', 'hold', 'resume', 'controllerInstructed']);
    expect(stateFromHistory(records)).toEqual(state);
    const broken = [records[0]!, records[2]!];
    expect(ruleCodeOf(() => stateFromHistory(broken))).toBe('INVALID_TRANSITION');
  });

  it('any sequence of events either moves by the table or throws INVALID_TRANSITION (property)', () => {
    const statuses = Object.values(S);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...REQUEST_EVENTS), { maxLength: 25 }), (events) => {
        let state: RequestState = { status: S.RECEIVED };
        for (const e of events) {
          const allowed = allowedEvents(state).includes(e);
          try {
            state = transition(state, e, ctx).state;
            expect(allowed).toBe(true);
          } catch (err) {
            expect(allowed).toBe(false);
            expect((err as RequestRuleError).code).toBe('INVALID_TRANSITION');
          }
          expect(statuses).toContain(state.status);
          if (state.status === S.ON_HOLD) expect(state.heldFrom).toBeDefined();
        }
      }),
    );
  });
});
