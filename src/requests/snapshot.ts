// The discovery snapshot saved at verification and the per-record decisions computed from
// it. The snapshot keeps what decisions and reviews need (type, relationship, band, dates,
// facts, controller, categories, the score's levels and weights) and never the values compared.
import type { RetentionPolicy, SourceDescription, SourceRules } from '../../connectors/contract.js';
import type { RecordMatch } from '../identity/index.js';
import {
  ACTED_ON_REVIEW_STATES,
  MatchBand,
  RecordAction,
  ReviewState,
  type ControllerDecision,
  type Relationship,
  type RequestType,
  type SourceKind,
} from '../domain/vocabulary.js';
import { decideRecord, type DecisionOptions, type DecisionRecord, type RecordDecision } from './decisions.js';
import type { RequestRecordEntity } from './store/request-record.entity.js';
import type { RecordDecisionEntity } from './store/record-decision.entity.js';

/** Records the request acts on: MATCH records and REVIEW records a handler confirmed. */
export function isActedOn(record: { reviewState: string }): boolean {
  return ACTED_ON_REVIEW_STATES.has(record.reviewState as ReviewState);
}

export function snapshotRow(requestId: string, match: RecordMatch): Partial<RequestRecordEntity> {
  return {
    requestId,
    sourceId: match.sourceId,
    recordId: match.recordId,
    recordType: match.recordType,
    relationship: match.relationship,
    parentRecordId: match.parentRecordId ?? null,
    band: match.band,
    score: match.score,
    reviewState: match.band === MatchBand.MATCH ? ReviewState.AUTO : ReviewState.PENDING,
    controllerId: match.controllerId ?? match.record.controllerId ?? null,
    categories: [...match.categories],
    dates: { ...(match.dates ?? match.record.dates ?? {}) } as Record<string, string>,
    facts: { ...(match.record.facts ?? {}) },
    // Levels and weights only: the compared values stay out of the database.
    explanation: match.explanation.fields.map((f) => ({
      field: f.field,
      group: f.group,
      level: f.level,
      kind: f.kind,
      weight: f.weight,
      tfAdjustment: f.tfAdjustment,
      m: f.m,
      u: f.u,
    })),
  };
}

export interface SourceFacts {
  kind: SourceKind;
  description: SourceDescription | null;
}

/** Decides one snapshot record; a source that cannot describe its retention is left to a handler. */
export function decide(
  requestType: RequestType,
  record: RequestRecordEntity,
  source: SourceFacts,
  instruction: ControllerDecision | null,
  now: Date,
  options: DecisionOptions = {},
): RecordDecision {
  const retention: RetentionPolicy | undefined = source.description?.retention;
  if (!retention) {
    return {
      action: RecordAction.RETAIN,
      basis: 'the source could not describe its retention policy',
      needsReview: true,
      reason: 'Kept until a handler decides: the source did not say how long it keeps data',
      rules: [],
    };
  }
  return decideRecord({
    requestType,
    record: decisionRecordOf(record, source.kind, source.description?.rules),
    retention,
    controllerInstruction: instruction,
    now,
    options,
  });
}

/** The snapshot record as the pure rules read it. */
export function decisionRecordOf(record: RequestRecordEntity, sourceKind: SourceKind, sourceRules?: SourceRules): DecisionRecord {
  return {
    sourceKind,
    ...(sourceRules ? { sourceRules } : {}),
    recordType: record.recordType,
    relationship: record.relationship as Relationship,
    dates: record.dates,
    controllerId: record.controllerId,
    facts: record.facts,
  };
}

export function decisionRow(
  requestId: string,
  record: RequestRecordEntity,
  d: RecordDecision,
  correctionFields: string[] | null = null,
): Partial<RecordDecisionEntity> {
  return {
    requestId,
    sourceId: record.sourceId,
    recordId: record.recordId,
    action: d.action,
    computedAction: d.action,
    basis: d.basis ?? null,
    retainUntil: d.retainUntil ?? null,
    reason: d.reason,
    needsController: d.needsController ?? false,
    proposedAction: d.proposedAction ?? null,
    followUpAction: d.followUpAction ?? null,
    returnToController: d.returnToController ?? null,
    needsReview: d.needsReview ?? false,
    rules: d.rules,
    correctionFields,
    overrideReason: null,
    overriddenBy: null,
  };
}

/** The stored row back as the pure rules' RecordDecision (for overrides). */
export function decisionOf(row: RecordDecisionEntity): RecordDecision {
  return {
    action: row.action as RecordAction,
    ...(row.basis ? { basis: row.basis } : {}),
    ...(row.retainUntil ? { retainUntil: row.retainUntil } : {}),
    ...(row.needsController ? { needsController: true } : {}),
    ...(row.proposedAction ? { proposedAction: row.proposedAction as RecordAction } : {}),
    ...(row.followUpAction ? { followUpAction: row.followUpAction as RecordAction } : {}),
    ...(row.returnToController ? { returnToController: row.returnToController } : {}),
    ...(row.needsReview ? { needsReview: true } : {}),
    reason: row.reason,
    rules: row.rules,
    ...(row.overrideReason ? { overridden: true } : {}),
  };
}

/** One key per record of a snapshot: its source and its id in that source. */
export const recordKey = (r: { sourceId: string; recordId: string }): string => `${r.sourceId}\u0000${r.recordId}`;
