// Maps stored rows to GraphQL objects, and caches per-operation loads of a request's
// children so nested fields of one request read each table once.
import type { Principal } from '../../src/auth/index.js';
import type { MatchBand, RecordAction, Relationship, RequestStatus, RequestType } from '../../src/domain/vocabulary.js';
import { TaskEntity } from '../../src/execution/task.entity.js';
import type { DataSubjectRequestEntity } from '../../src/requests/entities/data-subject-request.entity.js';
import type { RecordDecisionEntity } from '../../src/requests/entities/record-decision.entity.js';
import type { RequestRecordEntity } from '../../src/requests/entities/request-record.entity.js';
import type { IssuedLink } from '../../src/requests/services/access-package.service.js';
import { isActedOn } from '../../src/requests/services/request-snapshot.js';
import { canSeeRecord } from '../../src/requests/services/request-visibility.js';
import type { GraphQLContext } from '../context.js';
import { DataSubjectRequest, RecordDecision, RequestRecord, Task } from './request.types.js';

export function requestView(entity: DataSubjectRequestEntity, issuedLink: IssuedLink | null = null): DataSubjectRequest {
  const v = new DataSubjectRequest();
  v.entity = entity;
  v.issuedLink = issuedLink;
  v.id = entity.id;
  v.type = entity.type as RequestType;
  v.status = entity.status as RequestStatus;
  v.receivedAt = entity.receivedAt;
  v.verifiedAt = entity.verifiedAt;
  v.acknowledgeBy = entity.acknowledgeBy;
  v.acknowledgedAt = entity.acknowledgedAt;
  v.dueAt = entity.dueAt;
  v.extendedDueAt = entity.extendedDueAt;
  v.extensionReason = entity.extensionReason;
  v.jurisdiction = entity.jurisdiction;
  v.channel = entity.channel;
  v.holdReason = entity.holdReason;
  v.verificationMethod = entity.verificationMethod;
  v.verificationEvidenceRef = entity.verificationEvidenceRef;
  v.controllerIds = [...entity.controllerIds];
  v.version = entity.version;
  v.createdBy = entity.createdBy;
  return v;
}

export function recordView(r: RequestRecordEntity): RequestRecord {
  return Object.assign(new RequestRecord(), {
    sourceId: r.sourceId,
    recordId: r.recordId,
    recordType: r.recordType,
    relationship: r.relationship as Relationship,
    parentRecordId: r.parentRecordId,
    band: r.band as MatchBand,
    score: r.score,
    reviewState: r.reviewState,
    actedOn: isActedOn(r),
    controllerId: r.controllerId,
    categories: r.categories,
    dates: r.dates,
    explanation: r.explanation,
  });
}

export function decisionView(d: RecordDecisionEntity): RecordDecision {
  return Object.assign(new RecordDecision(), {
    sourceId: d.sourceId,
    recordId: d.recordId,
    action: d.action as RecordAction,
    basis: d.basis,
    retainUntil: d.retainUntil,
    reason: d.reason,
    needsController: d.needsController,
    proposedAction: d.proposedAction as RecordAction | null,
    followUpAction: d.followUpAction as RecordAction | null,
    needsReview: d.needsReview,
    rules: d.rules,
    overridden: d.overrideReason !== null,
    computedAction: d.computedAction as RecordAction,
    overrideReason: d.overrideReason,
    overriddenBy: d.overriddenBy,
    correctionFields: d.correctionFields,
  });
}

export function taskView(t: TaskEntity): Task {
  return Object.assign(new Task(), {
    id: t.id,
    sourceId: t.sourceId,
    recordId: t.recordId,
    action: t.action as RecordAction,
    status: t.status,
    attempts: t.attempts,
    lastError: t.lastError,
    outcome: t.outcome,
    finishedAt: t.finishedAt,
  });
}

export interface RequestChildren {
  records: RequestRecordEntity[];
  /** Records of the request the principal may see (controller scoping). */
  visibleRecords: RequestRecordEntity[];
  seesAll: boolean;
  isVisible(ref: { sourceId: string; recordId: string }): boolean;
  decisions(): Promise<RecordDecisionEntity[]>;
  tasks(): Promise<TaskEntity[]>;
}

const cache = new WeakMap<GraphQLContext, Map<string, Promise<RequestChildren>>>();

/** The request's snapshot and lazily its decisions and tasks, loaded once per operation. */
export function childrenOf(ctx: GraphQLContext, requestId: string): Promise<RequestChildren> {
  let perCtx = cache.get(ctx);
  if (!perCtx) cache.set(ctx, (perCtx = new Map()));
  let pending = perCtx.get(requestId);
  if (!pending) {
    pending = load(ctx, requestId, ctx.principal!);
    perCtx.set(requestId, pending);
  }
  return pending;
}

async function load(ctx: GraphQLContext, requestId: string, principal: Principal): Promise<RequestChildren> {
  const { requests, dataSource } = ctx.services;
  const records = await requests.records(requestId);
  const visibleRecords = records.filter((r) => canSeeRecord(principal, r));
  const keys = new Set(visibleRecords.map((r) => `${r.sourceId}\u0000${r.recordId}`));
  let decisions: Promise<RecordDecisionEntity[]> | undefined;
  let tasks: Promise<TaskEntity[]> | undefined;
  return {
    records,
    visibleRecords,
    seesAll: visibleRecords.length === records.length,
    isVisible: (ref) => keys.has(`${ref.sourceId}\u0000${ref.recordId}`),
    decisions: () => (decisions ??= requests.decisions(requestId)),
    tasks: () =>
      (tasks ??= dataSource.manager.find(TaskEntity, { where: { requestId }, order: { sourceId: 'ASC', recordId: 'ASC', action: 'ASC' } })),
  };
}
