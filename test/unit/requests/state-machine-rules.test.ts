import { describe, expect, it } from 'vitest';
import { RequestStatus as S } from '../../../src/domain/vocabulary.js';
import {
  assertIdentityVerified,
  isIdentityVerified,
  stateFromHistory,
  TERMINAL_STATUSES,
  transition,
  type RequestEvent,
} from '../../../src/requests/state-machine.js';
import { ruleCodeOf } from '../../support/error-codes.js';

const at = new Date('2026-01-05T10:00:00Z');

describe('request state machine: the rules at its edges', () => {
  it('an unknown event is refused as an invalid transition naming the event and state', () => {
    expect(() => transition({ status: S.RECEIVED }, 'teleport' as RequestEvent, { actor: 'h1', at })).toThrow('Unknown event "teleport" in state RECEIVED');
    expect(ruleCodeOf(() => transition({ status: S.RECEIVED }, 'toString' as RequestEvent, { actor: 'h1', at }))).toBe('INVALID_TRANSITION');
  });

  it('every move needs an actor: missing or blank is ACTOR_REQUIRED, and the actor is stored trimmed', () => {
    expect(ruleCodeOf(() => transition({ status: S.RECEIVED }, 'verifyIdentity', { actor: undefined as unknown as string, at }))).toBe('ACTOR_REQUIRED');
    expect(() => transition({ status: S.RECEIVED }, 'verifyIdentity', { actor: '  ', at })).toThrow('verifyIdentity needs an actor');
    expect(transition({ status: S.RECEIVED }, 'verifyIdentity', { actor: ' h1 ', at }).record.actor).toBe('h1');
  });

  it('an optional reason is stored trimmed, a blank one as none; a required one is demanded by event name', () => {
    expect(transition({ status: S.RECEIVED }, 'verifyIdentity', { actor: 'h1', at, reason: ' passport seen ' }).record.reason).toBe('passport seen');
    expect(transition({ status: S.RECEIVED }, 'verifyIdentity', { actor: 'h1', at, reason: '  ' }).record.reason).toBeNull();
    expect(transition({ status: S.RECEIVED }, 'verifyIdentity', { actor: 'h1', at }).record.reason).toBeNull();
    expect(() => transition({ status: S.RECEIVED }, 'reject', { actor: 'h1', at })).toThrow(/reject/);
  });

  it('resume is refused unless the request is on hold, and returns it to where it was held', () => {
    expect(ruleCodeOf(() => transition({ status: S.IN_REVIEW, heldFrom: S.APPROVED }, 'resume', { actor: 'h1', at }))).toBe('INVALID_TRANSITION');
    const held = transition({ status: S.IN_REVIEW }, 'hold', { actor: 'h1', at, reason: 'waiting for documents' }).state;
    expect(transition(held, 'resume', { actor: 'h1', at }).state).toEqual({ status: S.IN_REVIEW });
  });

  it('a history whose record does not start where the last one ended is refused, naming both states', () => {
    const history = [
      { from: S.RECEIVED, to: S.IDENTITY_VERIFIED, event: 'verifyIdentity' as const, actor: 'h1', at, reason: null },
      { from: S.IN_REVIEW, to: S.APPROVED, event: 'approve' as const, actor: 'h1', at, reason: null },
    ];
    expect(() => stateFromHistory(history)).toThrow('History breaks at approve: expected from IDENTITY_VERIFIED, stored IN_REVIEW');
    expect(ruleCodeOf(() => stateFromHistory(history))).toBe('INVALID_TRANSITION');
  });

  it('only completed, partially completed, rejected and cancelled requests are terminal', () => {
    const terminal = Object.values(S).filter((s) => TERMINAL_STATUSES.has(s));
    expect(terminal.sort()).toEqual([S.CANCELLED, S.COMPLETED, S.PARTIALLY_COMPLETED, S.REJECTED].sort());
  });

  it('R2: identity counts as verified only once the history holds a verification', () => {
    const verify = { from: S.RECEIVED, to: S.IDENTITY_VERIFIED, event: 'verifyIdentity' as const, actor: 'h1', at, reason: null };
    const cancel = { from: S.RECEIVED, to: S.CANCELLED, event: 'cancel' as const, actor: 'h1', at, reason: 'withdrawn' };
    expect(isIdentityVerified([])).toBe(false);
    expect(isIdentityVerified([cancel])).toBe(false);
    expect(isIdentityVerified([verify])).toBe(true);
    expect(() => assertIdentityVerified({ verifiedAt: null }, 'approve')).toThrow("Cannot approve before the requester's identity is verified");
    expect(() => assertIdentityVerified({ verifiedAt: at }, 'approve')).not.toThrow();
  });
});
