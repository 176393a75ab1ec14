// The shared vocabulary of the product. GraphQL enums in schema/ are registered from
// these, so the names here are the public contract: add values, rename none.
import type { SourceRules } from '../../connectors/contract.js';

export enum IdentifierType {
  GIVEN_NAME = 'GIVEN_NAME',
  FAMILY_NAME = 'FAMILY_NAME',
  FULL_NAME = 'FULL_NAME',
  DATE_OF_BIRTH = 'DATE_OF_BIRTH',
  EMAIL = 'EMAIL',
  PHONE = 'PHONE',
  STREET_ADDRESS = 'STREET_ADDRESS',
  CITY = 'CITY',
  POSTCODE = 'POSTCODE',
  NATIONAL_ID = 'NATIONAL_ID',
  MEMBERSHIP_NUMBER = 'MEMBERSHIP_NUMBER',
  PATIENT_ID = 'PATIENT_ID',
  CANDIDATE_ID = 'CANDIDATE_ID',
  EMPLOYEE_ID = 'EMPLOYEE_ID',
  LEARNER_ID = 'LEARNER_ID',
  BADGE_ID = 'BADGE_ID',
  CERTIFICATE_NUMBER = 'CERTIFICATE_NUMBER',
}

export enum SourceKind {
  CASE_MANAGEMENT = 'CASE_MANAGEMENT',
  CLINIC = 'CLINIC',
  TRAINING = 'TRAINING',
  CONCIERGE = 'CONCIERGE',
  RECRUITMENT = 'RECRUITMENT',
  CCTV = 'CCTV',
  OTHER = 'OTHER',
}

/**
 * What a source of each kind is taken to do when its description does not say (sources
 * registered by configuration: generic SQL, remote). A source's own `rules` win. A new
 * kind needs no entry: it starts with none.
 */
export const KIND_RULES: Partial<Record<SourceKind, SourceRules>> = {
  [SourceKind.CASE_MANAGEMENT]: { purpose: 'to provide medical and security assistance and to manage your case' },
  [SourceKind.CLINIC]: {
    annotatesCorrections: true,
    statutoryRetention: { periods: ['P3Y', 'P30Y'] },
    purpose: 'to provide medical care and occupational health services; the law requires medical records to be kept',
  },
  [SourceKind.TRAINING]: { onlineService: true, verifiableCertificates: true, purpose: 'to deliver training and keep records of attendance and certificates' },
  [SourceKind.CONCIERGE]: { onlineService: true, purpose: 'to provide the concierge services you asked for, including payments' },
  [SourceKind.RECRUITMENT]: { personnelFiles: true, purpose: 'to assess an application for a job' },
  [SourceKind.CCTV]: { footage: true, purpose: 'to keep our premises and the people in them safe' },
};

/** The rules a source follows: its kind's, overridden by what it describes. */
export function sourceRulesOf(kind: SourceKind | string | undefined, described?: SourceRules | null): SourceRules {
  return { ...KIND_RULES[kind as SourceKind], ...described };
}

/** What a connector can do; a source advertises the subset it supports. */
export enum Capability {
  DISCOVER = 'DISCOVER',
  EXPORT = 'EXPORT',
  CORRECT = 'CORRECT',
  ERASE = 'ERASE',
  RESTRICT = 'RESTRICT',
}

export enum RequestType {
  ACCESS = 'ACCESS',
  RECTIFICATION = 'RECTIFICATION',
  ERASURE = 'ERASURE',
  RESTRICTION = 'RESTRICTION',
  OBJECTION = 'OBJECTION',
}

export enum RequestStatus {
  RECEIVED = 'RECEIVED',
  IDENTITY_VERIFIED = 'IDENTITY_VERIFIED',
  AWAITING_CONTROLLER = 'AWAITING_CONTROLLER',
  IN_REVIEW = 'IN_REVIEW',
  APPROVED = 'APPROVED',
  EXECUTING = 'EXECUTING',
  COMPLETED = 'COMPLETED',
  PARTIALLY_COMPLETED = 'PARTIALLY_COMPLETED',
  REJECTED = 'REJECTED',
  CANCELLED = 'CANCELLED',
  ON_HOLD = 'ON_HOLD',
}

export enum MatchBand {
  MATCH = 'MATCH',
  REVIEW = 'REVIEW',
}

/** How the person appears in a record: as its subject, or inside someone else's record. */
export enum Relationship {
  SUBJECT = 'SUBJECT',
  DEPENDANT = 'DEPENDANT',
  BENEFICIARY = 'BENEFICIARY',
  EMERGENCY_CONTACT = 'EMERGENCY_CONTACT',
  REFERENCE = 'REFERENCE',
  VISITOR = 'VISITOR',
}

export enum RecordAction {
  RELEASE = 'RELEASE',
  ERASE = 'ERASE',
  ANONYMISE = 'ANONYMISE',
  RESTRICT = 'RESTRICT',
  RETAIN = 'RETAIN',
  MINIMISE = 'MINIMISE',
  CORRECT = 'CORRECT',
  ANNOTATE = 'ANNOTATE',
  PURGE = 'PURGE',
}

export enum ControllerDecision {
  PROCEED = 'PROCEED',
  REFUSE = 'REFUSE',
  CONTROLLER_GONE = 'CONTROLLER_GONE',
  /** At the end of its contract the controller takes its records back: exported to it, then erased here (erasure requests). */
  RETURN_AND_ERASE = 'RETURN_AND_ERASE',
}

/** Categories of personal data a field holds. */
export enum DataCategory {
  IDENTITY = 'IDENTITY',
  CONTACT = 'CONTACT',
  ADDRESS = 'ADDRESS',
  EMPLOYMENT = 'EMPLOYMENT',
  CASE_NOTES = 'CASE_NOTES',
  CALL_RECORDING = 'CALL_RECORDING',
  CONSENT = 'CONSENT',
  TRAINING = 'TRAINING',
  EDUCATION = 'EDUCATION',
  PAYMENT_CARD = 'PAYMENT_CARD',
  SERVICE_HISTORY = 'SERVICE_HISTORY',
  RECRUITMENT = 'RECRUITMENT',
  BACKGROUND_CHECK = 'BACKGROUND_CHECK',
  REFERENCE = 'REFERENCE',
  VIDEO = 'VIDEO',
  VISIT = 'VISIT',
  // Special categories (R12): shown only to personnel authorised for them.
  HEALTH = 'HEALTH',
  ETHNICITY = 'ETHNICITY',
  RELIGION = 'RELIGION',
  BELIEFS = 'BELIEFS',
  SEXUAL_ORIENTATION = 'SEXUAL_ORIENTATION',
  TRADE_UNION = 'TRADE_UNION',
  GENETIC = 'GENETIC',
  BIOMETRIC = 'BIOMETRIC',
}

export const SPECIAL_CATEGORIES: ReadonlySet<DataCategory> = new Set([
  DataCategory.HEALTH,
  DataCategory.ETHNICITY,
  DataCategory.RELIGION,
  DataCategory.BELIEFS,
  DataCategory.SEXUAL_ORIENTATION,
  DataCategory.TRADE_UNION,
  DataCategory.GENETIC,
  DataCategory.BIOMETRIC,
]);

export function isSpecialCategory(category: DataCategory): boolean {
  return SPECIAL_CATEGORIES.has(category);
}

/**
 * Where one task (an action on one record) stands. RETRYING: between attempts; REOPENED:
 * queued again after verification found the record still there.
 */
export enum TaskStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  RETRYING = 'RETRYING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  REOPENED = 'REOPENED',
}

/**
 * Where a retention run stands (R9): PREVIEWED (planned, waiting for approval), EXECUTING
 * (approved, its tasks running), then COMPLETED (every destruction done and verified),
 * PARTIALLY_COMPLETED (a task failed or a destruction could not be verified), CANCELLED, or
 * SUPERSEDED (never approved, and a newer preview of the same sources replaced it).
 */
export enum RetentionRunStatus {
  PREVIEWED = 'PREVIEWED',
  EXECUTING = 'EXECUTING',
  COMPLETED = 'COMPLETED',
  PARTIALLY_COMPLETED = 'PARTIALLY_COMPLETED',
  CANCELLED = 'CANCELLED',
  SUPERSEDED = 'SUPERSEDED',
}

/** A task in one of these is done: it runs no more until a retry or a reopening. */
export const TERMINAL_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set([TaskStatus.SUCCEEDED, TaskStatus.FAILED]);

/** How a snapshot record was settled: AUTO (a MATCH), PENDING (a REVIEW awaiting a handler), CONFIRMED or REJECTED. */
export enum ReviewState {
  AUTO = 'AUTO',
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
  REJECTED = 'REJECTED',
}

/** Records a request acts on: MATCH records and REVIEW records a handler confirmed. */
export const ACTED_ON_REVIEW_STATES: ReadonlySet<ReviewState> = new Set([ReviewState.AUTO, ReviewState.CONFIRMED]);

/** A source's answer to a task, as the connector contract names it (ActionOutcome there). */
export enum ActionOutcome {
  APPLIED = 'APPLIED',
  ALREADY_APPLIED = 'ALREADY_APPLIED',
  NOT_FOUND = 'NOT_FOUND',
  REFUSED = 'REFUSED',
}
