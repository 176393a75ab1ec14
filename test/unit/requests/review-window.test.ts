import { describe, expect, it } from 'vitest';
import { RequestStatus } from '../../../src/domain/vocabulary.js';
import { RequestRuleError } from '../../../src/requests/errors.js';
import { assertOpenForReview, OPEN_FOR_REVIEW } from '../../../src/requests/review-window.js';

// Before approval the decisions of a verified request may still change; from then on they are final.
const verifiedAt = new Date('2025-05-01T10:00:00Z');

function refusal(request: { status: string; verifiedAt: Date | null }): RequestRuleError {
  try {
    assertOpenForReview(request, 'override a decision of');
  } catch (e) {
    if (e instanceof RequestRuleError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('the review window', () => {
  it('is open from verification until approval', () => {
    expect(OPEN_FOR_REVIEW).toEqual([RequestStatus.IDENTITY_VERIFIED, RequestStatus.AWAITING_CONTROLLER, RequestStatus.IN_REVIEW]);
    for (const status of OPEN_FOR_REVIEW) expect(() => assertOpenForReview({ status, verifiedAt }, 'override a decision of')).not.toThrow();
  });

  it('is closed once approved, and in every other state: INVALID_TRANSITION naming the state', () => {
    const closed = Object.values(RequestStatus).filter((s) => !OPEN_FOR_REVIEW.includes(s));
    expect(closed).toContain(RequestStatus.APPROVED);
    for (const status of closed) {
      const e = refusal({ status, verifiedAt });
      expect(e.code).toBe('INVALID_TRANSITION');
      expect(e.message).toBe(`Cannot override a decision of a request in state ${status}`);
      expect(e.details).toEqual({ currentStatus: status });
    }
  });

  it('R2: nothing is reviewed before the identity is verified', () => {
    const e = refusal({ status: RequestStatus.IN_REVIEW, verifiedAt: null });
    expect(e.code).toBe('IDENTITY_NOT_VERIFIED');
    expect(e.message).toBe("Cannot override a decision of before the requester's identity is verified");
  });
});
