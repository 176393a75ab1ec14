// Deadlines of a request: acknowledge within 5 working days of receipt (R3), answer within
// 30 calendar days of the later of receipt and identity verification (R4), extend once by
// at most two further months with a reason before the first due date (R5).
// Every deadline is the end of a calendar day in the request's jurisdiction.
import { RequestStatus } from '../domain/vocabulary.js';
import { addCalendarDays, addCalendarMonths, addWorkingDays, civilDateIn, endOfCivilDay, resolveJurisdiction, type Jurisdiction } from './calendar.js';
import { RequestRuleError, requireReason, requireValidDate } from './errors.js';
import { TERMINAL_STATUSES } from './state-machine.js';

export interface DeadlinePolicy {
  /** Used when a request names no jurisdiction (configurable per deployment). */
  defaultJurisdiction: string;
  acknowledgeWorkingDays: number;
  answerCalendarDays: number;
  maxExtensionMonths: number;
  /** A request is "due soon" when its answer is due within this many days. */
  dueSoonDays: number;
}

export const DEFAULT_DEADLINE_POLICY: Readonly<DeadlinePolicy> = Object.freeze({
  defaultJurisdiction: 'GB',
  acknowledgeWorkingDays: 5,
  answerCalendarDays: 30,
  maxExtensionMonths: 2,
  dueSoonDays: 7,
});

function policyOf(policy?: Partial<DeadlinePolicy>): DeadlinePolicy {
  return { ...DEFAULT_DEADLINE_POLICY, ...policy };
}

/** The jurisdiction a request is handled under; unknown codes are UNKNOWN_JURISDICTION. */
export function jurisdictionOf(code: string | null | undefined, policy?: Partial<DeadlinePolicy>): Jurisdiction {
  const chosen = code?.trim() ? code : policyOf(policy).defaultJurisdiction;
  return resolveJurisdiction(chosen);
}

/** R3: the end of the 5th working day after the day of receipt (weekends and public holidays skipped). */
export function acknowledgeBy(receivedAt: Date, jurisdiction?: string | null, policy?: Partial<DeadlinePolicy>): Date {
  requireValidDate(receivedAt, 'The receipt date');
  const p = policyOf(policy);
  const j = jurisdictionOf(jurisdiction, p);
  const day = addWorkingDays(civilDateIn(receivedAt, j.timeZone), p.acknowledgeWorkingDays, j.code);
  return endOfCivilDay(day, j.timeZone);
}

/**
 * R4: the end of the 30th calendar day after the later of receipt and verification.
 * Null while identity is not verified: the clock has not started.
 */
export function answerDueAt(
  receivedAt: Date,
  verifiedAt: Date | null | undefined,
  jurisdiction?: string | null,
  policy?: Partial<DeadlinePolicy>,
): Date | null {
  requireValidDate(receivedAt, 'The receipt date');
  if (!verifiedAt) return null;
  requireValidDate(verifiedAt, 'The verification date');
  const p = policyOf(policy);
  const j = jurisdictionOf(jurisdiction, p);
  const start = verifiedAt > receivedAt ? verifiedAt : receivedAt;
  return endOfCivilDay(addCalendarDays(civilDateIn(start, j.timeZone), p.answerCalendarDays), j.timeZone);
}

export interface RequestDeadlines {
  jurisdiction: string;
  acknowledgeBy: Date;
  dueAt: Date | null;
  extendedDueAt: Date | null;
  /** The date that binds now: the extended one if granted. */
  effectiveDueAt: Date | null;
}

export function computeDeadlines(
  request: { receivedAt: Date; verifiedAt?: Date | null; jurisdiction?: string | null; extendedDueAt?: Date | null },
  policy?: Partial<DeadlinePolicy>,
): RequestDeadlines {
  const j = jurisdictionOf(request.jurisdiction, policy);
  const dueAt = answerDueAt(request.receivedAt, request.verifiedAt, j.code, policy);
  const extendedDueAt = request.extendedDueAt ?? null;
  return {
    jurisdiction: j.code,
    acknowledgeBy: acknowledgeBy(request.receivedAt, j.code, policy),
    dueAt,
    extendedDueAt,
    effectiveDueAt: extendedDueAt ?? dueAt,
  };
}

export interface ExtensionInput {
  /** The first due date (R4). */
  dueAt: Date | null | undefined;
  /** Set when an extension was already granted. */
  extendedDueAt?: Date | null;
  now: Date;
  reason: string;
  /** Whole months to add: 1 or 2 (default: the maximum). */
  months?: number;
  jurisdiction?: string | null;
}

export interface DeadlineExtension {
  extendedDueAt: Date;
  months: number;
  reason: string;
  grantedAt: Date;
}

/**
 * R5: one extension of up to two further months, with a reason, before the first due date
 * ends. Codes: REASON_REQUIRED, IDENTITY_NOT_VERIFIED (no due date yet),
 * EXTENSION_ALREADY_GRANTED, EXTENSION_TOO_LATE, EXTENSION_TOO_LONG.
 */
export function extendDeadline(input: ExtensionInput, policy?: Partial<DeadlinePolicy>): DeadlineExtension {
  const p = policyOf(policy);
  const reason = requireReason(input.reason, 'A deadline extension');
  requireValidDate(input.now, 'The current time');
  if (!input.dueAt) {
    throw new RequestRuleError('IDENTITY_NOT_VERIFIED', 'No due date yet: the deadline runs from identity verification');
  }
  if (input.extendedDueAt) {
    throw new RequestRuleError('EXTENSION_ALREADY_GRANTED', 'The deadline was already extended', {
      extendedDueAt: input.extendedDueAt.toISOString(),
    });
  }
  if (input.now > input.dueAt) {
    throw new RequestRuleError('EXTENSION_TOO_LATE', 'An extension must be granted before the first due date ends', {
      dueAt: input.dueAt.toISOString(),
    });
  }
  const months = input.months ?? p.maxExtensionMonths;
  if (!Number.isInteger(months) || months < 1 || months > p.maxExtensionMonths) {
    throw new RequestRuleError('EXTENSION_TOO_LONG', `An extension is 1 to ${p.maxExtensionMonths} whole months`, { months });
  }
  const j = jurisdictionOf(input.jurisdiction, p);
  const extended = endOfCivilDay(addCalendarMonths(civilDateIn(input.dueAt, j.timeZone), months), j.timeZone);
  return { extendedDueAt: extended, months, reason, grantedAt: input.now };
}

export type AnswerStanding = 'CLOSED' | 'NOT_STARTED' | 'ON_TIME' | 'DUE_SOON' | 'OVERDUE';
export type AcknowledgementStanding = 'DONE' | 'CLOSED' | 'ON_TIME' | 'DUE_SOON' | 'OVERDUE';

export interface DeadlineStanding {
  answer: AnswerStanding;
  acknowledgement: AcknowledgementStanding;
  effectiveDueAt: Date | null;
  /** Milliseconds to the effective due date (negative when overdue), null before verification. */
  remainingMs: number | null;
}

export interface DeadlineFacts {
  status: RequestStatus;
  acknowledgeBy: Date;
  acknowledgedAt?: Date | null;
  dueAt?: Date | null;
  extendedDueAt?: Date | null;
}

function standing(deadline: Date, now: Date, soonMs: number): 'ON_TIME' | 'DUE_SOON' | 'OVERDUE' {
  const left = deadline.getTime() - now.getTime();
  if (left < 0) return 'OVERDUE';
  return left <= soonMs ? 'DUE_SOON' : 'ON_TIME';
}

/** Where a request stands against its deadlines at `now` (for the due-soon and overdue lists). */
export function classifyDeadlines(request: DeadlineFacts, now: Date, policy?: Partial<DeadlinePolicy>): DeadlineStanding {
  const p = policyOf(policy);
  const soonMs = p.dueSoonDays * 86_400_000;
  const closed = TERMINAL_STATUSES.has(request.status);
  const effectiveDueAt = request.extendedDueAt ?? request.dueAt ?? null;
  const remainingMs = effectiveDueAt ? effectiveDueAt.getTime() - now.getTime() : null;
  const answer: AnswerStanding = closed ? 'CLOSED' : effectiveDueAt ? standing(effectiveDueAt, now, soonMs) : 'NOT_STARTED';
  // The acknowledgement window is short (5 working days): "soon" means its last day.
  const acknowledgement: AcknowledgementStanding = request.acknowledgedAt ? 'DONE' : closed ? 'CLOSED' : standing(request.acknowledgeBy, now, 86_400_000);
  return { answer, acknowledgement, effectiveDueAt, remainingMs };
}

export function isOverdue(request: DeadlineFacts, now: Date, policy?: Partial<DeadlinePolicy>): boolean {
  const s = classifyDeadlines(request, now, policy);
  return s.answer === 'OVERDUE' || s.acknowledgement === 'OVERDUE';
}

export function isDueSoon(request: DeadlineFacts, now: Date, policy?: Partial<DeadlinePolicy>): boolean {
  const s = classifyDeadlines(request, now, policy);
  return !isOverdue(request, now, policy) && (s.answer === 'DUE_SOON' || s.acknowledgement === 'DUE_SOON');
}
