// What must happen to one found record, from the request type, the source's retention
// policy, the record's dates and facts, and the controller's instruction. Pure: the
// decisions are shown to the handler before approval and stored with the request.
import type { RecordDates, RetentionPolicy, SourceRules } from '../../connectors/contract.js';
import { ControllerDecision, RecordAction, Relationship, RequestType, sourceRulesOf, type SourceKind } from '../domain/vocabulary.js';
import { addDuration, addDurations, minimumDays } from './durations.js';
import { RequestRuleError, requireReason, requireValidDate } from './errors.js';

export type RecordFacts = Record<string, string | number | boolean | null>;

/** The parts of a SourceRecord a decision needs (plus the source's kind and rules). */
export interface DecisionRecord {
  sourceKind: SourceKind;
  /** What the source describes of its data's rules (SourceRules); its kind's when absent. */
  sourceRules?: SourceRules;
  recordType: string;
  relationship: Relationship;
  dates: RecordDates;
  controllerId?: string | null;
  facts?: RecordFacts;
}

export type ControllerInstruction = ControllerDecision | { decision: ControllerDecision; reference?: string | null };

export interface DecisionOptions {
  /** R16: under this age, data found in online services is deleted at once (default 18). */
  childAge?: number;
  /** Source kinds that are online services for R16 (default: sources whose rules say onlineService). */
  onlineServiceKinds?: readonly SourceKind[];
  /** Footage maximum age when the policy names none (default P90D). */
  footageMaxAge?: string;
  /** R16: where the age limit was set (a jurisdiction code), named in the reason. */
  childAgeSetBy?: string;
  /** R16: the date of birth verified with the person's identity (YYYY-MM-DD); a source may take the age from it. */
  verifiedDateOfBirth?: string | null;
  /**
   * R9: the person's answer on keeping certificate numbers verifiable: true agreed, false
   * refused, null or absent not given (taken as no).
   */
  certificatesVerifiable?: boolean | null;
}

export interface DecisionInput {
  requestType: RequestType;
  record: DecisionRecord;
  retention: RetentionPolicy;
  controllerInstruction?: ControllerInstruction | null;
  now: Date;
  options?: DecisionOptions;
}

export interface RecordDecision {
  action: RecordAction;
  /** The legal basis named to the person when data is kept or processing stopped (R8). */
  basis?: string;
  /** For RETAIN under a legal hold: the date until which the record is kept (R8). */
  retainUntil?: Date;
  /** R6: nothing happens until the record's controller instructs. */
  needsController?: boolean;
  /** While waiting for the controller: what the group will do on PROCEED. */
  proposedAction?: RecordAction;
  /** A second step after the action: RESTRICT during a legal hold, ERASE after releasing a child's data. */
  followUpAction?: RecordAction;
  /** R6: exported to this controller before the erasure (its instruction at the end of its contract). */
  returnToController?: string;
  /** The record's dates cannot support the decision; a handler must look. */
  needsReview?: boolean;
  /** Plain words for the handler and the response letter. */
  reason: string;
  /** DOMAIN.md rules the decision applies. */
  rules: string[];
  overridden?: boolean;
}

const DEFAULT_STATUTORY_BASIS = 'statutory retention of medical records';
const YEAR_MS = 365.2425 * 86_400_000;

/** People inside someone else's record (R16); a visitor is the footage's own subject. */
export function isRelatedAppearance(relationship: Relationship): boolean {
  return relationship !== Relationship.SUBJECT && relationship !== Relationship.VISITOR;
}

function parseDate(value: string | undefined | null): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The date retention is counted from: last activity, else creation. */
export function retentionStartOf(dates: RecordDates): Date | undefined {
  return parseDate(dates.lastActivityAt) ?? parseDate(dates.createdAt);
}

function isStatutory(rules: SourceRules, retention: RetentionPolicy): boolean {
  return retention.statutory || retention.erasure === 'LEGAL_HOLD' || rules.statutoryRetention !== undefined;
}

/**
 * When the source's retention ends for a record (R9): start + maxAge, else start + active
 * + archive period, else the periods of the source's statutory retention rule (medical
 * records: 3 + 30 years). Null when it cannot be known.
 */
export function retentionEndOf(dates: RecordDates, retention: RetentionPolicy, sourceKind?: SourceKind, sourceRules?: SourceRules): Date | null {
  const start = retentionStartOf(dates);
  if (!start) return null;
  const periods = retentionPeriodsOf(retention, sourceKind, sourceRules);
  return periods ? addDurations(start, periods) : null;
}

/** The periods retention counts from a record's start: maxAge, else active + archive, else the statutory rule's; null when none. */
export function retentionPeriodsOf(retention: RetentionPolicy, sourceKind?: SourceKind, sourceRules?: SourceRules): string[] | null {
  if (retention.maxAge) return [retention.maxAge];
  if (retention.activePeriod || retention.archivePeriod) return [retention.activePeriod, retention.archivePeriod].filter((p): p is string => !!p);
  const statutory = sourceRulesOf(sourceKind, sourceRules).statutoryRetention;
  return statutory ? [...statutory.periods] : null;
}

/**
 * The latest start (last activity, else creation) a record past retention at `asOf` can
 * have, read generously (years of 365 days, months of 28): a store narrows its scan with
 * it, then retentionEndOf decides each record exactly. Null when the policy names no period.
 */
export function earliestStartPastRetention(asOf: Date, retention: RetentionPolicy, sourceKind?: SourceKind, sourceRules?: SourceRules): Date | null {
  const periods = retentionPeriodsOf(retention, sourceKind, sourceRules);
  if (!periods) return null;
  const days = periods.reduce((sum, p) => sum + minimumDays(p), 0);
  return new Date(asOf.getTime() - days * 86_400_000);
}

/** How old the person is, and where the date of birth came from (R16). */
interface Age {
  years: number;
  from: 'RECORD' | 'REQUEST';
}

const yearsSince = (dob: Date, now: Date) => Math.floor((now.getTime() - dob.getTime()) / YEAR_MS);

/**
 * The person's age from what the source says the date of birth comes from: a fact of the
 * record, or the date of birth verified on the request. A source that says neither: the
 * record's age or date of birth facts, else the request's verified date of birth.
 */
function ageOf(record: DecisionRecord, options: DecisionOptions, now: Date): Age | undefined {
  const from = rulesOf(record).dateOfBirth;
  const facts = record.facts ?? {};
  const fromRecord = (): Age | undefined => {
    if (from === undefined && typeof facts.age === 'number' && Number.isFinite(facts.age)) return { years: facts.age, from: 'RECORD' };
    const keys = from && from !== 'REQUEST' ? [from.fact] : ['dateOfBirth', 'dob', 'birthDate'];
    for (const key of keys) {
      const v = facts[key];
      const dob = typeof v === 'string' ? parseDate(v) : undefined;
      if (dob) return { years: yearsSince(dob, now), from: 'RECORD' };
    }
    return undefined;
  };
  const fromRequest = (): Age | undefined => {
    const dob = parseDate(options.verifiedDateOfBirth);
    return dob ? { years: yearsSince(dob, now), from: 'REQUEST' } : undefined;
  };
  if (from === 'REQUEST') return fromRequest();
  if (from) return fromRecord();
  return fromRecord() ?? fromRequest();
}

function isOnlineService(record: DecisionRecord, options: DecisionOptions): boolean {
  if (record.facts?.collectedOnline === true || record.facts?.channel === 'ONLINE') return true;
  if (options.onlineServiceKinds) return options.onlineServiceKinds.includes(record.sourceKind);
  const rules = rulesOf(record);
  if (rules.onlineRecordTypes) return rules.onlineRecordTypes.includes(record.recordType);
  return rules.onlineService === true;
}

function rulesOf(record: DecisionRecord): SourceRules {
  return sourceRulesOf(record.sourceKind, record.sourceRules);
}

function instructionOf(i: ControllerInstruction | null | undefined): ControllerDecision | undefined {
  if (!i) return undefined;
  return typeof i === 'string' ? i : i.decision;
}

/** Decides one record. Never throws for missing data: it asks for review instead. */
export function decideRecord(input: DecisionInput): RecordDecision {
  requireValidDate(input.now, 'The decision time');
  const { record } = input;

  // R6 / R7: a record held for a client waits for that client's instruction.
  if (record.controllerId) {
    const instruction = instructionOf(input.controllerInstruction);
    if (instruction === undefined) {
      const proposed = decideForGroup(input);
      return {
        action: RecordAction.RETAIN,
        basis: 'awaiting the controller’s instruction',
        needsController: true,
        proposedAction: proposed.action,
        reason: `Held for a controller: nothing is done until it instructs (proposed: ${proposed.action})`,
        rules: ['R6'],
      };
    }
    if (instruction === ControllerDecision.REFUSE) {
      return {
        action: RecordAction.RETAIN,
        basis: 'controller refused',
        reason: 'The controller of this record refused the request; the person is told to address the controller',
        rules: ['R6'],
      };
    }
    if (instruction === ControllerDecision.RETURN_AND_ERASE && input.requestType === RequestType.ERASURE) {
      // The records go back to the controller, which keeps them under its own obligations:
      // no statutory hold of the group's binds the copy left here.
      return {
        action: RecordAction.ERASE,
        basis: `returned to its controller (${record.controllerId}) at the end of its contract, on its instruction`,
        returnToController: record.controllerId,
        reason: 'The controller ended its contract and instructed the return of its records: they are exported to it, then erased here',
        rules: ['R6'],
      };
    }
    const decided = decideForGroup(input);
    const rule = instruction === ControllerDecision.CONTROLLER_GONE ? 'R7' : 'R6';
    const why =
      instruction === ControllerDecision.CONTROLLER_GONE
        ? 'The controller no longer exists, so the group decides itself. '
        : 'The controller instructed to proceed. ';
    return { ...decided, reason: why + decided.reason, rules: [rule, ...decided.rules] };
  }
  return decideForGroup(input);
}

function decideForGroup(input: DecisionInput): RecordDecision {
  const { record, requestType, retention, now } = input;
  const options = input.options ?? {};

  // R16: children's data in online services is deleted at once, whatever was asked.
  const age = ageOf(record, options, now);
  const limit = options.childAge ?? 18;
  if (age !== undefined && age.years < limit && isOnlineService(record, options)) {
    const why = `the person is under ${limit}${options.childAgeSetBy ? ` (the age set for ${options.childAgeSetBy})` : ''}, by the date of birth ${
      age.from === 'REQUEST' ? 'verified with their identity' : 'in the record'
    }`;
    if (requestType === RequestType.ACCESS) {
      return {
        action: RecordAction.RELEASE,
        followUpAction: RecordAction.ERASE,
        reason: `Released to the person, then deleted: a child’s data found in an online service (${why})`,
        rules: ['R1', 'R16'],
      };
    }
    return { action: RecordAction.ERASE, reason: `A child’s data found in an online service is deleted at once: ${why}`, rules: ['R16'] };
  }

  switch (requestType) {
    case RequestType.ACCESS:
      return isRelatedAppearance(record.relationship)
        ? {
            action: RecordAction.RELEASE,
            reason: `Released: only the person’s appearance as ${record.relationship.toLowerCase()} in someone else’s record`,
            rules: ['R1', 'R16'],
          }
        : { action: RecordAction.RELEASE, reason: 'Released to the person as a copy of their data', rules: ['R1'] };
    case RequestType.RECTIFICATION:
      // A person named as someone's emergency contact in a medical record is contact data,
      // not the record itself: it is corrected like any other.
      return rulesOf(record).annotatesCorrections === true && !isRelatedAppearance(record.relationship)
        ? {
            action: RecordAction.ANNOTATE,
            reason: 'Medical records are annotated with the correction; the original stays',
            rules: ['R14'],
          }
        : { action: RecordAction.CORRECT, reason: 'Corrected once the data is found inaccurate', rules: ['R14'] };
    case RequestType.RESTRICTION:
      return {
        action: RecordAction.RESTRICT,
        basis: 'restriction of processing requested by the person',
        reason: 'Processing restricted: the record is kept but not used',
        rules: ['R1'],
      };
    case RequestType.OBJECTION:
      return {
        action: RecordAction.RESTRICT,
        basis: 'objection to processing: processing stopped unless compelling legitimate grounds are shown',
        reason: 'Processing stopped following the person’s objection',
        rules: ['R1'],
      };
    case RequestType.ERASURE:
      return decideErasure(record, retention, now, options);
    default:
      throw new RequestRuleError('INVALID_ACTION', `Unknown request type "${String(requestType)}"`);
  }
}

/** Actions that destroy or strip a record: none may touch a record under legal hold (R8). */
export const ERASING_ACTIONS: ReadonlySet<RecordAction> = new Set([RecordAction.ERASE, RecordAction.ANONYMISE, RecordAction.MINIMISE, RecordAction.PURGE]);

/** A statutory retention still running: its basis and end (null: the record's dates cannot tell). */
export interface LegalHold {
  basis: string;
  until: Date | null;
}

/** Whether any record of a source of this kind, retention and rules can be under a legal hold (R8). */
export function mayHoldByStatute(kind: SourceKind, retention: RetentionPolicy, sourceRules?: SourceRules): boolean {
  const rules = sourceRulesOf(kind, sourceRules);
  if (rules.footage === true || retention.erasure === 'PURGE_SEGMENTS') return false;
  return isStatutory(rules, retention);
}

/**
 * The legal hold on a person's own record (R8), or null when none binds now. A person's
 * appearance in someone else's record (R16) and footage (R9) are not held.
 */
export function legalHoldOf(record: DecisionRecord, retention: RetentionPolicy, now: Date): LegalHold | null {
  if (isRelatedAppearance(record.relationship)) return null;
  if (!mayHoldByStatute(record.sourceKind, retention, record.sourceRules)) return null;
  const until = retentionEndOf(record.dates, retention, record.sourceKind, record.sourceRules);
  const basis = retention.basis ?? DEFAULT_STATUTORY_BASIS;
  if (!until) return { basis, until: null };
  return now < until ? { basis, until } : null;
}

/** What keeps a hired candidate's application: it became the personnel file of an employee (R8). */
const PERSONNEL_FILE_HOLD = 'employment law: the application became the personnel file of an employee';

/** Whether a source's records can be personnel files (its rules say so: a hired candidate's application, facts.hired). */
export function mayHoldPersonnelFiles(kind: SourceKind, sourceRules?: SourceRules): boolean {
  return sourceRulesOf(kind, sourceRules).personnelFiles === true;
}

/**
 * The hold on a hired candidate's own record (R8): their application is their personnel file
 * now, kept as such whatever listed it (an override, a retention run, the recreation sweep).
 * Its end is the end of employment, which the record does not tell.
 */
export function personnelFileHold(record: Pick<DecisionRecord, 'relationship' | 'facts'>): LegalHold | null {
  return record.facts?.hired === true && !isRelatedAppearance(record.relationship) ? { basis: PERSONNEL_FILE_HOLD, until: null } : null;
}

function decideErasure(record: DecisionRecord, retention: RetentionPolicy, now: Date, options: DecisionOptions): RecordDecision {
  // R16: removal from someone else's record touches only that appearance.
  if (isRelatedAppearance(record.relationship)) {
    return {
      action: RecordAction.ERASE,
      reason: `The person’s appearance as ${record.relationship.toLowerCase()} is removed from someone else’s record; the rest of that record stays`,
      rules: ['R16'],
    };
  }

  // R9: footage older than its maximum age is purged; younger clips lose the person's segments.
  if (rulesOf(record).footage === true || retention.erasure === 'PURGE_SEGMENTS') {
    const recordedAt = retentionStartOf(record.dates);
    const maxAge = retention.maxAge ?? options.footageMaxAge ?? 'P90D';
    if (recordedAt && addDuration(recordedAt, maxAge) <= now) {
      return { action: RecordAction.PURGE, reason: `Footage older than its maximum age (${maxAge}) is purged`, rules: ['R9'] };
    }
    return { action: RecordAction.ERASE, reason: 'The segments showing the person are deleted', rules: ['R9'] };
  }

  // R8: statutory retention wins over erasure; the answer names the basis and the date.
  const hold = legalHoldOf(record, retention, now);
  if (hold && !hold.until) {
    return {
      action: RecordAction.RETAIN,
      basis: hold.basis,
      followUpAction: RecordAction.RESTRICT,
      needsReview: true,
      reason: 'Kept under legal hold; the record’s dates are missing, so the end of retention must be set by a handler',
      rules: ['R8'],
    };
  }
  if (hold?.until) {
    return {
      action: RecordAction.RETAIN,
      basis: hold.basis,
      retainUntil: hold.until,
      followUpAction: RecordAction.RESTRICT,
      reason: `Kept under legal hold until ${hold.until.toISOString().slice(0, 10)} (${retention.summary}); processing is restricted meanwhile`,
      rules: ['R8'],
    };
  }
  if (isStatutory(rulesOf(record), retention)) {
    return { action: RecordAction.ERASE, reason: 'The statutory retention period has ended, so the record is destroyed', rules: ['R8', 'R9'] };
  }

  // A hired candidate's application became their personnel file: it is kept as such.
  if (record.facts?.hired === true) {
    return {
      action: RecordAction.RETAIN,
      basis: 'the application became the personnel file of an employee',
      reason: 'Kept: the person was hired, so their application is now their personnel file and is kept as such',
      rules: ['R8', 'R9'],
    };
  }
  if (record.facts?.hired === false || retention.erasure === 'MINIMISE') {
    return {
      action: RecordAction.MINIMISE,
      reason: 'The application is deleted; only a minimal record of the recruiting activity is kept',
      rules: ['R9'],
    };
  }
  // Certificate numbers stay verifiable only with the person's agreement.
  if (rulesOf(record).verifiableCertificates === true) {
    return options.certificatesVerifiable === true
      ? {
          action: RecordAction.ANONYMISE,
          reason: 'Anonymised: the person agreed that their certificate numbers stay verifiable, so the numbers stay without their name',
          rules: ['R9'],
        }
      : {
          action: RecordAction.ERASE,
          reason: `Deleted, certificates included: the person ${options.certificatesVerifiable === false ? 'did not agree' : 'was not asked or gave no answer'} to keep certificate numbers verifiable`,
          rules: ['R9'],
        };
  }
  if (retention.erasure === 'ANONYMISE') {
    return { action: RecordAction.ANONYMISE, reason: 'Anonymised as the source’s policy states', rules: ['R9'] };
  }
  return { action: RecordAction.ERASE, reason: 'Deleted', rules: ['R9'] };
}

export interface DecisionOverride {
  previousAction: RecordAction;
  previousBasis: string | null;
  newAction: RecordAction;
  reason: string;
  actor: string;
  at: Date;
}

/** What binds a record whatever a handler decides: a legal hold (R8), a controller's REFUSE (R6). */
export interface ActionGuards {
  legalHold?: LegalHold | null;
  /** The record's controller instructed REFUSE (and has not instructed otherwise since). */
  controllerRefused?: boolean;
  /** R6: the controller that takes this record back (its RETURN_AND_ERASE): it is exported to it before any erasure. */
  returnedTo?: string | null;
}

/**
 * Refuses an action a legal hold or a controller's refusal forbids: an erasing action on a
 * record under statutory retention (LEGAL_HOLD, R8); any action but RETAIN on a record
 * whose controller refused (CONTROLLER_REFUSED, R6). Checked at override and again at execution.
 */
export function assertActionAllowed(action: RecordAction, guards: ActionGuards, where: Record<string, unknown> = {}): void {
  const hold = guards.legalHold;
  if (hold && ERASING_ACTIONS.has(action)) {
    const until = hold.until ? ` until ${hold.until.toISOString().slice(0, 10)}` : ' (its end is not known from the record’s dates)';
    throw new RequestRuleError('LEGAL_HOLD', `${action} refused: the record is kept under ${hold.basis}${until} (R8)`, {
      ...where,
      action,
      retainUntil: hold.until?.toISOString() ?? null,
    });
  }
  if (guards.controllerRefused && action !== RecordAction.RETAIN) {
    throw new RequestRuleError(
      'CONTROLLER_REFUSED',
      `${action} refused: the record’s controller refused the request; it binds until the controller instructs otherwise (R6)`,
      {
        ...where,
        action,
      },
    );
  }
}

/**
 * What a handler may decide for a record, by the request's type (R1): within what the person
 * asked. An erasure may be kept or restricted instead; a restriction or an objection never
 * destroys what the person asked to keep; an access copy is released or withheld; a
 * correction is made, annotated or not made. Nothing is released that was not asked for.
 */
export const OVERRIDE_ACTIONS: Readonly<Record<RequestType, readonly RecordAction[]>> = {
  [RequestType.ACCESS]: [RecordAction.RELEASE, RecordAction.RETAIN],
  [RequestType.RECTIFICATION]: [RecordAction.CORRECT, RecordAction.ANNOTATE, RecordAction.RETAIN],
  [RequestType.ERASURE]: [RecordAction.ERASE, RecordAction.ANONYMISE, RecordAction.MINIMISE, RecordAction.PURGE, RecordAction.RESTRICT, RecordAction.RETAIN],
  [RequestType.RESTRICTION]: [RecordAction.RESTRICT, RecordAction.RETAIN],
  [RequestType.OBJECTION]: [RecordAction.RESTRICT, RecordAction.RETAIN],
};

/**
 * INVALID_ACTION unless the override's action is one the request's type allows
 * (OVERRIDE_ACTIONS) or the rules' own decision for the record (R16: a child's online data
 * erased whatever was asked), which a handler may always return to.
 */
export function assertOverrideFits(requestType: RequestType, action: RecordAction, computedAction: RecordAction): void {
  if (action === computedAction || OVERRIDE_ACTIONS[requestType]?.includes(action)) return;
  throw new RequestRuleError('INVALID_ACTION', `${action} does not belong to a ${requestType} request: a handler decides within what the person asked (R1)`, {
    requestType,
    action,
    allowed: [...(OVERRIDE_ACTIONS[requestType] ?? [])],
  });
}

/**
 * The follow-up a rule set stays whatever the handler decides, as long as the record is
 * still there to act on: a child's online data is erased once the copy is released or
 * withheld (R16), a record kept by law stays restricted while kept or restricted (R8; kept
 * with a RESTRICT too, so a later RETAIN restricts again). An erasing action needs no follow-up.
 */
export function followUpKept(decision: Pick<RecordDecision, 'followUpAction'>, newAction: RecordAction): Pick<RecordDecision, 'followUpAction'> {
  const followUp = decision.followUpAction;
  if (!followUp || ERASING_ACTIONS.has(newAction)) return {};
  return { followUpAction: followUp };
}

/**
 * A handler replaces a decision: only with a reason (REASON_REQUIRED), never in place of a
 * pending controller instruction (CONTROLLER_INSTRUCTION_REQUIRED, R6), never against a
 * legal hold or a controller's refusal (assertActionAllowed). A record of an erasure kept by
 * law and kept or restricted by the override keeps the hold's basis and date (R8); the
 * handler's reason is the decision's reason. The rules' follow-up stays (followUpKept).
 * The override record goes to the audit log.
 */
export function overrideDecision(
  decision: RecordDecision,
  newAction: RecordAction,
  reason: string,
  actor: string,
  at: Date = new Date(),
  guards: ActionGuards = {},
): { decision: RecordDecision; override: DecisionOverride } {
  const why = requireReason(reason, 'Overriding a decision');
  if (!actor?.trim()) throw new RequestRuleError('ACTOR_REQUIRED', 'Overriding a decision needs an actor');
  requireValidDate(at, 'The override time');
  if (!Object.values(RecordAction).includes(newAction)) {
    throw new RequestRuleError('INVALID_ACTION', `Unknown action "${String(newAction)}"`);
  }
  if (decision.needsController) {
    throw new RequestRuleError(
      'CONTROLLER_INSTRUCTION_REQUIRED',
      'This record waits for its controller: record the controller’s instruction instead of overriding',
    );
  }
  assertActionAllowed(newAction, guards);
  // R6: a record its controller takes back goes to it before it is erased here: kept, or
  // returned then erased, never destroyed another way (only an ERASE is exported first).
  if (guards.returnedTo && ERASING_ACTIONS.has(newAction) && newAction !== RecordAction.ERASE) {
    throw new RequestRuleError(
      'INVALID_ACTION',
      `${newAction} refused: the record's controller takes it back, so it is returned, then erased (ERASE), or kept (RETAIN, RESTRICT) (R6)`,
      { action: newAction },
    );
  }
  const keeps = newAction === RecordAction.RETAIN || newAction === RecordAction.RESTRICT;
  // R8: a record a decision on retention found kept by law is still kept by law whatever the
  // handler keeps or restricts it for: the answer names that basis and the date until which.
  const hold = keeps && decision.rules.includes('R8') ? guards.legalHold : null;
  const keepsDate = newAction === RecordAction.RETAIN && decision.action === RecordAction.RETAIN;
  const next: RecordDecision = {
    action: newAction,
    ...(hold ? { basis: hold.basis, ...(hold.until ? { retainUntil: hold.until } : {}) } : keeps ? { basis: why } : {}),
    ...(!hold && keepsDate && decision.retainUntil ? { retainUntil: decision.retainUntil } : {}),
    ...(guards.returnedTo && newAction === RecordAction.ERASE ? { returnToController: guards.returnedTo } : {}),
    ...followUpKept(decision, newAction),
    reason: `Handler override: ${why}`,
    rules: [...decision.rules],
    overridden: true,
  };
  return {
    decision: next,
    override: {
      previousAction: decision.action,
      previousBasis: decision.basis ?? null,
      newAction,
      reason: why,
      actor: actor.trim(),
      at,
    },
  };
}
