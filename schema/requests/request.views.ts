// Maps stored rows to GraphQL objects, and caches per-operation loads of a request's
// children so nested fields of one request read each table once.
import type { Principal } from '../../src/auth/index.js';
import type { MatchBand, RecordAction, Relationship, RequestStatus, RequestType, ReviewState, ActionOutcome, TaskStatus } from '../../src/domain/vocabulary.js';
import type { TaskEntity } from '../../src/execution/store/task.store.js';
import DataLoader from 'dataloader';
import { groupBy } from '../../src/domain/group-by.js';
import type {
  ControllerInstructionEntity,
  DataSubjectRequestEntity,
  PackageSummary as StoredPackageSummary,
  RecordDecisionEntity,
  RequestRecordEntity,
  TransitionRow,
} from '../../src/requests/store/request.store.js';
import type { IssuedLink } from '../../src/requests/services/access-package.service.js';
import { isActedOn } from '../../src/requests/snapshot.js';
import { canSeeRecord } from '../../src/requests/visibility.js';
import type { GraphQLContext } from '../context.js';
import { DataSubjectRequest, RecordDecision, RequestRecord, Task, type PackageSourceContents } from './request.types.js';

export function requestView(
  entity: DataSubjectRequestEntity,
  issuedLink: IssuedLink | null = null,
  returnedLinks: readonly { controllerId: string; link: IssuedLink | null }[] = [],
): DataSubjectRequest {
  const v = new DataSubjectRequest();
  v.entity = entity;
  v.issuedLink = issuedLink;
  v.returnedLinks = new Map(returnedLinks.map((r) => [r.controllerId, r.link]));
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
  v.dateOfBirthVerified = entity.dateOfBirthVerified;
  v.certificatesVerifiable = entity.certificatesVerifiable;
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
    reviewState: r.reviewState as ReviewState,
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
    returnToController: d.returnToController,
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
    status: t.status as TaskStatus,
    attempts: t.attempts,
    lastError: t.lastError,
    // Shown by the request's tasks resolver only where the caller may read the holding request.
    heldByRequestId: null,
    outcome: t.outcome as ActionOutcome | null,
    finishedAt: t.finishedAt,
  });
}

export interface RequestChildren {
  records: RequestRecordEntity[];
  /** Records of the request the principal may see (controller scoping). */
  visibleRecords: RequestRecordEntity[];
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
  const children = childLoaders(ctx);
  const records = await children.records.load(requestId);
  const visibleRecords = records.filter((r) => canSeeRecord(principal, r));
  const keys = new Set(visibleRecords.map((r) => `${r.sourceId}\u0000${r.recordId}`));
  return {
    records,
    visibleRecords,
    isVisible: (ref) => keys.has(`${ref.sourceId}\u0000${ref.recordId}`),
    decisions: () => children.decisions.load(requestId),
    tasks: () => children.tasks.load(requestId),
  };
}

export type { TransitionRow } from '../../src/requests/store/request.store.js';

/** What a request's list shows of its latest access package: never the sealed archive. */
export interface PackageSummary extends Omit<StoredPackageSummary, 'contents'> {
  contents: PackageSourceContents[];
}

interface ChildLoaders {
  records: DataLoader<string, RequestRecordEntity[]>;
  decisions: DataLoader<string, RecordDecisionEntity[]>;
  tasks: DataLoader<string, TaskEntity[]>;
  transitions: DataLoader<string, TransitionRow[]>;
  instructions: DataLoader<string, ControllerInstructionEntity[]>;
  /** The latest of the person's own access package of each request (never one returned to a controller), or null. */
  packages: DataLoader<string, PackageSummary | null>;
  /** Controllers of other requests (by id), to show only the duplicates a principal may see. */
  controllersOf: DataLoader<string, { id: string; controllerIds: string[] } | null>;
}

const loaders = new WeakMap<GraphQLContext, ChildLoaders>();

/** Rows of many requests in one query, handed back per request (a page of requests is not N queries). */
function perRequest<T extends { requestId: string }>(query: (ids: string[]) => Promise<T[]>): DataLoader<string, T[]> {
  return new DataLoader(async (ids) => {
    const groups = groupBy(await query([...ids]), (row) => row.requestId);
    return ids.map((id) => groups.get(id) ?? []);
  });
}

/** One row per key (or null) from a query over all the keys. */
function perKey<T>(query: (ids: string[]) => Promise<T[]>, keyOf: (row: T) => string): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const found = new Map((await query([...ids])).map((row) => [keyOf(row), row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

/**
 * Per operation: the records, decisions, tasks, transitions, controller instructions and
 * access packages of every request it shows, one query per kind.
 */
export function childLoaders(ctx: GraphQLContext): ChildLoaders {
  let found = loaders.get(ctx);
  if (!found) {
    const store = ctx.services.stores.requests;
    found = {
      records: perRequest((ids) => store.recordsOf(ids)),
      decisions: perRequest((ids) => store.decisionsOf(ids)),
      tasks: perRequest((ids) => ctx.services.stores.tasks.ofRequests(ids)),
      transitions: perRequest((ids) => store.transitionsOf(ids)),
      instructions: perRequest((ids) => store.instructionsOf(ids)),
      packages: perKey<PackageSummary>(
        async (ids) => (await store.latestPackagesOf(ids)) as PackageSummary[],
        (p) => p.requestId,
      ),
      controllersOf: perKey(
        (ids) => store.controllersOf(ids),
        (r) => r.id,
      ),
    };
    loaders.set(ctx, found);
  }
  return found;
}
