// Requests made directly through the request store for execution tests: a request
// (identifiers sealed as the lifecycle service seals them, bound to the request id), its
// discovery snapshot and the decisions the rules compute, left APPROVED, ready for
// services.execution.execute.
import { randomUUID } from 'node:crypto';
import type { Identifier } from '../../connectors/contract.js';
import type { Services } from '../../src/app/services.js';
import { ControllerDecision, MatchBand, RecordAction, RequestStatus, RequestType, ReviewState, TaskStatus } from '../../src/domain/vocabulary.js';
import type { TaskRow } from '../../src/execution/store/task.store.js';
import { normaliseQueryIdentifiers } from '../../src/identity/index.js';
import { decideRecord } from '../../src/requests/decisions.js';
import type { SourceKind } from '../../src/domain/vocabulary.js';
import type { RecordMatch } from '../../src/identity/index.js';
import { eventually } from './eventually.js';

export interface FixtureDecision {
  sourceId: string;
  recordId: string;
  recordType?: string;
  relationship?: string;
  action: RecordAction | string;
  followUpAction?: RecordAction | null;
  basis?: string | null;
  retainUntil?: Date | null;
  reason?: string;
  /** The DOMAIN.md rules the decision applies (none unless given). */
  rules?: string[];
}

export interface FixtureRequest {
  type?: RequestType;
  identifiers: Identifier[];
  corrections?: { field: string; value: string; reason: string }[];
  decisions: FixtureDecision[];
  status?: string;
}

/** Inserts an approved request with its snapshot and decisions; returns its id. */
export async function insertApprovedRequest(services: Services, input: FixtureRequest): Promise<string> {
  const id = randomUUID();
  const enc = services.keyrings.encryption;
  const now = new Date();
  const store = services.stores.requests;
  const status = (input.status ?? RequestStatus.APPROVED) as RequestStatus;
  await services.dataSource.transaction(async (m) => {
    await store.insert(
      {
        id,
        type: input.type ?? RequestType.ERASURE,
        status,
        receivedAt: now,
        verifiedAt: now,
        acknowledgeBy: now,
        dueAt: new Date(now.getTime() + 30 * 86_400_000),
        jurisdiction: 'GB',
        identifiersSealed: enc.encrypt(JSON.stringify(input.identifiers), id),
        blindIndex: [],
        correctionsSealed: input.corrections ? enc.encrypt(JSON.stringify(input.corrections), id) : null,
        createdBy: 'test',
      },
      { requestId: id, from: RequestStatus.IN_REVIEW, to: RequestStatus.APPROVED, event: 'approve', actor: 'test', at: now, reason: null },
      m,
    );
    await store.insertRecords(
      m,
      input.decisions.map((d) => ({
        requestId: id,
        sourceId: d.sourceId,
        recordId: d.recordId,
        recordType: d.recordType ?? 'record',
        relationship: d.relationship ?? 'SUBJECT',
        band: MatchBand.MATCH,
        score: 0.99,
        reviewState: ReviewState.AUTO,
      })),
    );
    await store.upsertDecisions(
      m,
      input.decisions.map((d) => ({
        requestId: id,
        sourceId: d.sourceId,
        recordId: d.recordId,
        action: d.action,
        computedAction: d.action,
        basis: d.basis ?? null,
        retainUntil: d.retainUntil ?? null,
        reason: d.reason ?? 'test decision',
        followUpAction: d.followUpAction ?? null,
        ...(d.rules ? { rules: d.rules } : {}),
      })),
    );
  });
  return id;
}

/**
 * Discovers a person across the registered sources and decides every MATCH record with
 * the real rules (controllers instruct PROCEED), as a handler would before approving.
 */
export async function decideByDiscovery(
  services: Services,
  identifiers: Identifier[],
  type: RequestType = RequestType.ERASURE,
): Promise<{ decisions: FixtureDecision[]; matches: RecordMatch[] }> {
  const resolution = await services.discovery.discover({ identifiers: normaliseQueryIdentifiers(identifiers), includeRelated: true });
  const matches = resolution.records.filter((r) => r.band === 'MATCH');
  const decisions: FixtureDecision[] = [];
  for (const r of matches) {
    const description = (await services.sources.describe(r.sourceId))!;
    const decision = decideRecord({
      requestType: type,
      record: {
        sourceKind: description.kind as SourceKind,
        recordType: r.recordType,
        relationship: r.relationship,
        dates: r.dates ?? {},
        controllerId: r.controllerId ?? null,
        facts: r.record.facts ?? {},
      },
      retention: description.retention,
      controllerInstruction: r.controllerId ? ControllerDecision.PROCEED : null,
      now: new Date(),
    });
    decisions.push({
      sourceId: r.sourceId,
      recordId: r.recordId,
      recordType: r.recordType,
      relationship: r.relationship,
      action: decision.action,
      followUpAction: decision.followUpAction ?? null,
      basis: decision.basis ?? null,
      retainUntil: decision.retainUntil ?? null,
      reason: decision.reason,
    });
  }
  return { decisions, matches };
}

export async function tasksOf(services: Services, requestId: string): Promise<TaskRow[]> {
  return services.stores.tasks.withStatus(requestId, Object.values(TaskStatus));
}

export async function requestStatus(services: Services, requestId: string): Promise<{ status: string; response: Record<string, unknown> | null }> {
  const row = await services.stores.requests.find(requestId);
  return { status: row!.status, response: row!.response };
}

/** Polls until the request leaves EXECUTING (or the deadline passes: the test then fails on the status). */
export async function waitForClosed(services: Services, requestId: string, timeoutMs = 60_000): Promise<string> {
  const { status } = await eventually(
    () => requestStatus(services, requestId),
    (r) => r.status !== 'EXECUTING' && r.status !== 'APPROVED',
    { timeoutMs },
  );
  return status;
}

/** R14: the handler's finding that the data is inaccurate, accepting these fields' corrections (what the review stores before execution). */
export async function recordInaccuracyFinding(services: Services, requestId: string, accepted: readonly string[]): Promise<void> {
  const finding = { inaccurate: true, reason: 'evidence seen', evidenceRef: null, actor: 'handler', at: new Date().toISOString(), accepted, rejected: [] };
  await services.dataSource.query(`UPDATE data_subject_request SET inaccuracy_finding = $2 WHERE id = $1`, [requestId, JSON.stringify(finding)]);
}
