// Controller scoping of requests (R13): a handler bound to controllers sees a request only
// when its controllers intersect theirs, and inside it only the records of those
// controllers. Whatever is not visible is reported as absent, never as forbidden.
import { canSeeController, isUnscoped, type Principal } from '../auth/index.js';

export function canSeeRequest(principal: Principal, request: { controllerIds: readonly string[] }): boolean {
  if (isUnscoped(principal)) return true;
  return request.controllerIds.some((c) => principal.controllerIds.includes(c));
}

export function canSeeRecord(principal: Principal, record: { controllerId: string | null }): boolean {
  return canSeeController(principal, record.controllerId);
}

/** True when the principal may see every record of the request (needed to act on all of it). */
export function seesWholeRequest(principal: Principal, records: readonly { controllerId: string | null }[]): boolean {
  return isUnscoped(principal) || records.every((r) => canSeeRecord(principal, r));
}
