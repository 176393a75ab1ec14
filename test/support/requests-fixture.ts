// Requests made directly in the database for execution tests: a request (identifiers
// sealed as the lifecycle service seals them, bound to the request id), its discovery
// snapshot (request_record) and the decisions the rules compute (record_decision),
// left APPROVED, ready for services.execution.execute.
import { randomUUID } from 'node:crypto';
import type { Identifier } from '../../connectors/contract.js';
import type { Services } from '../../src/app/services.js';
import { ControllerDecision, RecordAction, RequestType } from '../../src/domain/vocabulary.js';
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
  await services.dataSource.transaction(async (m) => {
    await m.query(
      `INSERT INTO data_subject_request (id, type, status, received_at, verified_at, acknowledge_by, due_at, jurisdiction,
         identifiers_sealed, blind_index, corrections_sealed, created_by, version)
       VALUES ($1, $2, $3, $4, $4, $4, $5, 'GB', $6, '{}', $7, 'test', 1)`,
      [
        id,
        input.type ?? RequestType.ERASURE,
        input.status ?? 'APPROVED',
        now,
        new Date(now.getTime() + 30 * 86_400_000),
        enc.encrypt(JSON.stringify(input.identifiers), id),
        input.corrections ? enc.encrypt(JSON.stringify(input.corrections), id) : null,
      ],
    );
    for (const d of input.decisions) {
      await m.query(
        `INSERT INTO request_record (request_id, source_id, record_id, record_type, relationship, band, score, review_state)
         VALUES ($1, $2, $3, $4, $5, 'MATCH', 0.99, 'AUTO')`,
        [id, d.sourceId, d.recordId, d.recordType ?? 'record', d.relationship ?? 'SUBJECT'],
      );
      await m.query(
        `INSERT INTO record_decision (request_id, source_id, record_id, action, computed_action, basis, retain_until, reason, follow_up_action)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)`,
        [id, d.sourceId, d.recordId, d.action, d.basis ?? null, d.retainUntil ?? null, d.reason ?? 'test decision', d.followUpAction ?? null],
      );
    }
    await m.query(`INSERT INTO request_transition (request_id, from_status, to_status, event, actor, at) VALUES ($1, 'IN_REVIEW', 'APPROVED', 'approve', 'test', $2)`, [id, now]);
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

export async function tasksOf(services: Services, requestId: string): Promise<{ id: string; source_id: string; record_id: string; action: string; status: string; attempts: number; applied_count: number; outcome: string | null; last_error: string | null }[]> {
  return services.dataSource.query(`SELECT * FROM task WHERE request_id = $1 ORDER BY source_id, record_id, action`, [requestId]);
}

export async function requestStatus(services: Services, requestId: string): Promise<{ status: string; response: Record<string, unknown> | null }> {
  const [row] = await services.dataSource.query(`SELECT status, response FROM data_subject_request WHERE id = $1`, [requestId]);
  return row;
}

/** Polls until the request leaves EXECUTING (or the deadline passes: the test then fails on the status). */
export async function waitForClosed(services: Services, requestId: string, timeoutMs = 60_000): Promise<string> {
  const { status } = await eventually(() => requestStatus(services, requestId), (r) => r.status !== 'EXECUTING' && r.status !== 'APPROVED', { timeoutMs });
  return status;
}
