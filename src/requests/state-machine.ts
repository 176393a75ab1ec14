// The request lifecycle as an explicit state machine. Pure: given the current state and a
// named event it returns the next state and the transition record the caller stores.
// received → identity verified → (awaiting controller) → in review → approved → executing
// → completed | partially completed | rejected; cancelled and on hold (back to where it was).
import { RequestStatus } from '../domain/vocabulary.js';
import { RequestRuleError, requireReason, requireValidDate } from './errors.js';

const S = RequestStatus;

export type RequestEvent =
  | 'verifyIdentity'
  | 'awaitController'
  | 'controllerInstructed'
  | 'startReview'
  | 'approve'
  | 'startExecution'
  | 'complete'
  | 'completePartially'
  | 'retryFailedTasks'
  | 'reject'
  | 'cancel'
  | 'hold'
  | 'resume';

export const REQUEST_EVENTS: readonly RequestEvent[] = [
  'verifyIdentity',
  'awaitController',
  'controllerInstructed',
  'startReview',
  'approve',
  'startExecution',
  'complete',
  'completePartially',
  'retryFailedTasks',
  'reject',
  'cancel',
  'hold',
  'resume',
];

/** The event of a request's first stored transition (none → RECEIVED), written when it is submitted. */
export const SUBMIT_EVENT = 'submit' as const;

/** An event a stored transition carries: submission, then the state machine's moves. */
export type RecordedEvent = typeof SUBMIT_EVENT | RequestEvent;

/** Every event a stored transition can carry; the console has a label for each (audit-labels.ts). */
export const RECORDED_EVENTS: readonly RecordedEvent[] = [SUBMIT_EVENT, ...REQUEST_EVENTS];

/** The stored state: `heldFrom` is where an ON_HOLD request returns to on `resume`. */
export interface RequestState {
  status: RequestStatus;
  heldFrom?: RequestStatus;
}

/** One stored transition (R13: every change is recorded with actor, time and reason). */
export interface TransitionRecord {
  from: RequestStatus;
  to: RequestStatus;
  event: RequestEvent;
  actor: string;
  at: Date;
  reason: string | null;
}

export interface TransitionContext {
  actor: string;
  at: Date;
  reason?: string | null;
}

export interface TransitionResult {
  state: RequestState;
  record: TransitionRecord;
}

export const TERMINAL_STATUSES: ReadonlySet<RequestStatus> = new Set([S.COMPLETED, S.PARTIALLY_COMPLETED, S.REJECTED, S.CANCELLED]);

// Work in flight cannot be paused or withdrawn from here: queued jobs finish and the
// request ends as completed or partially completed.
const PAUSABLE: readonly RequestStatus[] = [S.RECEIVED, S.IDENTITY_VERIFIED, S.AWAITING_CONTROLLER, S.IN_REVIEW, S.APPROVED];

/** Fixed moves: event → (from → to). `hold` and `resume` are handled apart. */
const MOVES: Readonly<Record<Exclude<RequestEvent, 'hold' | 'resume'>, Partial<Record<RequestStatus, RequestStatus>>>> = {
  verifyIdentity: { [S.RECEIVED]: S.IDENTITY_VERIFIED },
  awaitController: { [S.IDENTITY_VERIFIED]: S.AWAITING_CONTROLLER, [S.IN_REVIEW]: S.AWAITING_CONTROLLER },
  controllerInstructed: { [S.AWAITING_CONTROLLER]: S.IN_REVIEW },
  startReview: { [S.IDENTITY_VERIFIED]: S.IN_REVIEW },
  approve: { [S.IN_REVIEW]: S.APPROVED },
  startExecution: { [S.APPROVED]: S.EXECUTING },
  complete: { [S.EXECUTING]: S.COMPLETED },
  completePartially: { [S.EXECUTING]: S.PARTIALLY_COMPLETED },
  // Failed tasks re-run once their source is back; the request executes again until verified.
  retryFailedTasks: { [S.PARTIALLY_COMPLETED]: S.EXECUTING },
  reject: Object.fromEntries([...PAUSABLE, S.EXECUTING].map((s) => [s, S.REJECTED])),
  cancel: Object.fromEntries(PAUSABLE.map((s) => [s, S.CANCELLED])),
};

/** Events whose record must carry a reason. */
export const EVENTS_NEEDING_REASON: ReadonlySet<RequestEvent> = new Set<RequestEvent>(['reject', 'cancel', 'hold', 'completePartially']);

function target(state: RequestState, event: RequestEvent): RequestStatus | undefined {
  if (event === 'hold') return PAUSABLE.includes(state.status) ? S.ON_HOLD : undefined;
  if (event === 'resume') return state.status === S.ON_HOLD ? state.heldFrom : undefined;
  return MOVES[event]?.[state.status];
}

export function canTransition(state: RequestState, event: RequestEvent): boolean {
  return target(state, event) !== undefined;
}

/** The events allowed now, e.g. to show a handler which buttons apply. */
export function allowedEvents(state: RequestState): RequestEvent[] {
  return REQUEST_EVENTS.filter((e) => canTransition(state, e));
}

/**
 * Applies one event. Throws INVALID_TRANSITION (naming the current state and the event),
 * REASON_REQUIRED, ACTOR_REQUIRED or INVALID_DATE; never returns a half-made change.
 */
export function transition(state: RequestState, event: RequestEvent, ctx: TransitionContext): TransitionResult {
  if (!REQUEST_EVENTS.includes(event)) {
    throw new RequestRuleError('INVALID_TRANSITION', `Unknown event "${String(event)}" in state ${state.status}`, {
      currentStatus: state.status,
      event,
    });
  }
  const to = target(state, event);
  if (to === undefined) {
    throw new RequestRuleError('INVALID_TRANSITION', `Cannot ${event} a request in state ${state.status}`, {
      currentStatus: state.status,
      event,
      allowedEvents: allowedEvents(state),
    });
  }
  if (!ctx.actor?.trim()) throw new RequestRuleError('ACTOR_REQUIRED', `${event} needs an actor`);
  requireValidDate(ctx.at, 'The transition time');
  const reason = EVENTS_NEEDING_REASON.has(event) ? requireReason(ctx.reason, `${event}`) : ctx.reason?.trim() || null;

  const next: RequestState = event === 'hold' ? { status: to, heldFrom: state.status } : { status: to };
  return {
    state: next,
    record: { from: state.status, to, event, actor: ctx.actor.trim(), at: ctx.at, reason },
  };
}

/** Rebuilds the state from stored transitions (oldest first), checking each one again. */
export function stateFromHistory(records: readonly TransitionRecord[]): RequestState {
  let state: RequestState = { status: S.RECEIVED };
  for (const r of records) {
    if (r.from !== state.status) {
      throw new RequestRuleError('INVALID_TRANSITION', `History breaks at ${r.event}: expected from ${state.status}, stored ${r.from}`, {
        currentStatus: state.status,
        event: r.event,
      });
    }
    state = transition(state, r.event, { actor: r.actor, at: r.at, reason: r.reason }).state;
  }
  return state;
}

/** R2: identity comes first. True once the history holds a verification. */
export function isIdentityVerified(history: readonly TransitionRecord[]): boolean {
  return history.some((r) => r.event === 'verifyIdentity');
}

/** Throws IDENTITY_NOT_VERIFIED unless the request has a recorded verification. */
export function assertIdentityVerified(request: { verifiedAt?: Date | null }, doing: string): void {
  if (!request.verifiedAt) {
    throw new RequestRuleError('IDENTITY_NOT_VERIFIED', `Cannot ${doing} before the requester's identity is verified`);
  }
}
