// The review window: before approval the decisions of a verified request may still change;
// from then on they are final.
import { RequestStatus } from '../domain/vocabulary.js';
import { RequestRuleError } from './errors.js';
import { assertIdentityVerified } from './state-machine.js';

export const OPEN_FOR_REVIEW: readonly string[] = [RequestStatus.IDENTITY_VERIFIED, RequestStatus.AWAITING_CONTROLLER, RequestStatus.IN_REVIEW];

/** INVALID_TRANSITION (naming the state) unless the request is verified and still under review. */
export function assertOpenForReview(request: { status: string; verifiedAt: Date | null }, doing: string): void {
  assertIdentityVerified(request, doing);
  if (!OPEN_FOR_REVIEW.includes(request.status)) {
    throw new RequestRuleError('INVALID_TRANSITION', `Cannot ${doing} a request in state ${request.status}`, {
      currentStatus: request.status,
    });
  }
}
