// The one owner of a request and its child tables: data_subject_request,
// request_transition, request_record, record_decision, controller_instruction and
// access_package. Every query the gateway runs on them lives here, batched ones included;
// status values are bound as parameters from the vocabulary. Methods that take part in a
// caller's transaction take its EntityManager.
//
// Status moves and their transitions are written one way (applyMoves): a handler's change
// under the row's version, or a worker's move from the status it expects, each with the
// transitions it records, in the caller's transaction.
import { In, type DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '../../database/rows.js';
import { ACTED_ON_REVIEW_STATES, ControllerDecision, RecordAction, RequestStatus, RequestType, type ReviewState } from '../../domain/vocabulary.js';
import { ERASING_ACTIONS } from '../decisions.js';
import { WEAK_IDENTIFIER_TYPES } from '../duplicates.js';
import { TERMINAL_STATUSES, type RecordedEvent } from '../state-machine.js';
import { AccessPackageEntity } from './access-package.entity.js';
import { ControllerInstructionEntity } from './controller-instruction.entity.js';
import { DataSubjectRequestEntity, type DiscoveryOutcome } from './data-subject-request.entity.js';
import { RecordDecisionEntity } from './record-decision.entity.js';
import { RequestRecordEntity } from './request-record.entity.js';

export { AccessPackageEntity, ControllerInstructionEntity, DataSubjectRequestEntity, RecordDecisionEntity, RequestRecordEntity };
export type { DiscoveryOutcome, InaccuracyFindingRecord, SourcesNotSearched } from './data-subject-request.entity.js';

/** Fields of a request a change may set. */
export type RequestFields = Partial<Omit<DataSubjectRequestEntity, 'id' | 'version' | 'createdAt' | 'updatedAt'>>;

/** A request's refusals in one source (R6): the controllers that refused and the snapshot's records of theirs. */
export interface RefusingControllers {
  controllers: Set<string>;
  records: Set<string>;
}

/** What holds a record against destruction: a controller's refusal (R6), an open request's RETAIN, or the RESTRICT of a restriction open or answered. */
export interface RecordHoldRow {
  reason: 'OPEN_REQUEST' | 'CONTROLLER_REFUSED' | 'RESTRICTED';
  requestId: string;
  /** A rectification's RETAIN that only found nothing to correct in the record (see RecordHold). */
  nothingToCorrect: boolean;
  /** A restriction request's RESTRICT: the person asks that the record be kept, not processed (see RecordHold). */
  restriction: boolean;
  /** When the holding request was received (null for a controller's refusal). */
  receivedAt: Date | null;
}

/** One recorded status change. */
export interface TransitionInput {
  requestId: string;
  from: RequestStatus | null;
  to: RequestStatus;
  event: RecordedEvent;
  actor: string;
  at: Date;
  reason: string | null;
}

/** A transition as read back for the API: the event as the row holds it (text). */
export type TransitionRow = Omit<TransitionInput, 'event'> & { event: string };

/**
 * One change to one request, with the transitions it records. Guarded either by the
 * version the change was computed from (a handler's change: optimistic lock) or by the
 * status the move starts from (a worker's move). `fields` for a status guard: `status`
 * and `response` only.
 */
export type RequestMove =
  | { requestId: string; version: number; fields: RequestFields; updatedAt: Date; transitions: readonly TransitionInput[] }
  | { requestId: string; from: RequestStatus; fields: { status: RequestStatus; response?: unknown }; transitions: readonly TransitionInput[] };

/** The request row as execution reads it. */
export interface ExecutionRequestRow {
  id: string;
  type: string;
  status: string;
  identifiers_sealed: string;
  corrections_sealed: string | null;
}

/** The request row as the finaliser uses it. */
export interface FinalisedRequestRow {
  id: string;
  type: string;
  status: string;
  identifiers_sealed: string;
  received_at: Date;
  verified_at: Date | null;
  due_at: Date | null;
  extended_due_at: Date | null;
  extension_reason: string | null;
  jurisdiction: string;
  discovery_outcome: DiscoveryOutcome | null;
}

/** A decision as the finaliser's response summary reads it. */
export interface DecisionRow {
  source_id: string;
  record_id: string;
  action: string;
  basis: string | null;
  retain_until: Date | null;
  reason: string;
  follow_up_action: string | null;
}

/** What a correction task reads: the sealed corrections, the finding, the fields of its record's decision. */
export interface CorrectionContext {
  id: string;
  corrections_sealed: string | null;
  inaccuracy_finding: { inaccurate?: boolean; accepted?: string[] } | null;
  correction_fields: string[] | null;
}

/** Another request that shares a blind-index value with a new one. */
export interface DuplicateCandidate {
  id: string;
  type: RequestType;
  status: RequestStatus;
  received_at: Date;
  blind_index: string[];
}

/** What a request's list shows of its latest access package: never the sealed archive. */
export interface PackageSummary {
  requestId: string;
  sha256: string;
  sizeBytes: number;
  manifest: { files?: { path: string; sha256: string; bytes: number }[] };
  expiresAt: Date;
  downloadedAt: Date | null;
  createdAt: Date;
  retainUntil: Date;
  destroyedAt: Date | null;
  destroyedReason: string | null;
  /** The handler's reason when it was revoked. */
  revocationReason: string | null;
  contents: unknown[];
  specialCategories: string[] | null;
}

export interface DestroyedPackage {
  packageId: string;
  requestId: string;
}

/** The filters a handler sets on the list of requests, as the store runs them. */
export interface RequestListFilters {
  status?: string[] | null;
  type?: string[] | null;
  /** The channels the requests came through (as recorded at submission). */
  channel?: string[] | null;
  dueBefore?: Date | null;
  overdue?: boolean | null;
  dueSoon?: boolean | null;
  /** Requests holding any of these blind-index entries (keyed hashes: an identifier search, see request-search.ts). */
  blindIndex?: readonly string[] | null;
}

/** What the list of requests filters on. */
export interface RequestListQuery extends RequestListFilters {
  /** Controllers the principal is bound to; null: every controller. */
  controllerScope: readonly string[] | null;
  /** Only these requests (`within`), or none of them (`without`): e.g. those with a failed task. */
  within?: readonly string[] | null;
  without?: readonly string[] | null;
  now: Date;
  dueSoonMs: number;
  /** NEWEST (default): created_at descending. DAYS_LEFT: binding due date ascending, requests without one last. */
  order?: RequestListOrder;
  /** Keyset: only the requests after this one in the order (the key the order sorts by). */
  after?: RequestListKey | null;
  limit: number;
}

export type RequestListOrder = 'NEWEST' | 'DAYS_LEFT';

/** Where a page ends, in the order's own key: NEWEST by creation, DAYS_LEFT by due date (null: none). */
export type RequestListKey = { order: 'NEWEST'; createdAt: Date; id: string } | { order: 'DAYS_LEFT'; due: Date | null; id: string };

const TERMINAL: readonly string[] = [...TERMINAL_STATUSES];
/** Closed without being carried out: what such a request asked for does not stand. */
const WITHDRAWN: readonly string[] = [RequestStatus.REJECTED, RequestStatus.CANCELLED];
const ERASING: readonly string[] = [...ERASING_ACTIONS];
const ACTED_ON: readonly string[] = [...ACTED_ON_REVIEW_STATES];
const CLOSED: readonly string[] = [RequestStatus.COMPLETED, RequestStatus.PARTIALLY_COMPLETED];
const WEAK: readonly string[] = [...WEAK_IDENTIFIER_TYPES].map(String);

/** SQL for "overdue" and "due soon" (same meaning as classifyDeadlines); `terminal` is the placeholder of the terminal statuses. */
function deadlineSql(now: string, soonMs: string, terminal: string): { overdue: string; dueSoon: string } {
  const open = `r.status <> ALL(${terminal}::text[])`;
  const due = `COALESCE(r.extended_due_at, r.due_at)`;
  const overdue = `(${open} AND (${due} < ${now} OR (r.acknowledged_at IS NULL AND r.acknowledge_by < ${now})))`;
  const soon = `(${open} AND NOT ${overdue} AND ((${due} <= ${now} + ${soonMs} * interval '1 millisecond')
      OR (r.acknowledged_at IS NULL AND r.acknowledge_by <= ${now} + interval '1 day')))`;
  return { overdue, dueSoon: soon };
}

export class RequestStore {
  constructor(private readonly dataSource: DataSource) {}

  private manager(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }

  // ---- requests ----

  async find(id: string, m?: EntityManager): Promise<DataSubjectRequestEntity | null> {
    return this.manager(m).findOneBy(DataSubjectRequestEntity, { id });
  }

  /** These requests, in the order of the ids given (missing ones left out). */
  async findMany(ids: readonly string[]): Promise<DataSubjectRequestEntity[]> {
    const rows = ids.length ? await this.dataSource.manager.findBy(DataSubjectRequestEntity, { id: In([...ids]) }) : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is DataSubjectRequestEntity => !!r);
  }

  /** The newest requests sharing a blind-index value with these (duplicate detection). */
  async sharingBlindIndex(lookup: readonly string[]): Promise<DuplicateCandidate[]> {
    return this.dataSource.query(
      `SELECT id, type, status, received_at, blind_index FROM data_subject_request WHERE blind_index && $1::text[] ORDER BY received_at DESC LIMIT 200`,
      [[...lookup]],
    );
  }

  /** Stores a new request with its first transition (RECEIVED on submission). */
  async insert(row: Partial<DataSubjectRequestEntity>, created: TransitionInput, m: EntityManager): Promise<DataSubjectRequestEntity> {
    const saved = await m.save(m.create(DataSubjectRequestEntity, row));
    await this.recordTransitions(m, [created]);
    return saved;
  }

  /** Controllers of these requests (to show a principal only what it may see). */
  async controllersOf(ids: readonly string[]): Promise<{ id: string; controllerIds: string[] }[]> {
    return this.dataSource.query(`SELECT id, controller_ids AS "controllerIds" FROM data_subject_request WHERE id = ANY($1::uuid[])`, [[...ids]]);
  }

  /** A page of the list (ids in the order asked, one more than `limit` when there is a next page) and the filtered total. */
  async page(q: RequestListQuery): Promise<{ ids: string[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.controllerScope) {
      params.push(q.controllerScope);
      where.push(`r.controller_ids && $${params.length}::text[]`);
    }
    if (q.status?.length) {
      params.push(q.status);
      where.push(`r.status = ANY($${params.length}::text[])`);
    }
    if (q.type?.length) {
      params.push(q.type);
      where.push(`r.type = ANY($${params.length}::text[])`);
    }
    if (q.channel?.length) {
      params.push(q.channel);
      where.push(`r.channel = ANY($${params.length}::text[])`);
    }
    if (q.dueBefore) {
      params.push(q.dueBefore);
      where.push(`COALESCE(r.extended_due_at, r.due_at) < $${params.length}`);
    }
    if (q.blindIndex) {
      // The GIN index on blind_index answers this: keyed hashes only, never clear data.
      params.push(q.blindIndex);
      where.push(`r.blind_index && $${params.length}::text[]`);
    }
    if (q.within) {
      params.push(q.within);
      where.push(`r.id = ANY($${params.length}::uuid[])`);
    }
    if (q.without?.length) {
      params.push(q.without);
      where.push(`NOT r.id = ANY($${params.length}::uuid[])`);
    }
    // Only the placeholders a statement uses may be bound.
    if (q.overdue != null || q.dueSoon != null) {
      const nowP = `$${params.push(q.now)}::timestamptz`;
      const soonP = q.dueSoon != null ? `$${params.push(q.dueSoonMs)}::float8` : 'NULL::float8';
      const { overdue, dueSoon } = deadlineSql(nowP, soonP, `$${params.push(TERMINAL)}`);
      if (q.overdue === true) where.push(overdue);
      if (q.overdue === false) where.push(`NOT ${overdue}`);
      if (q.dueSoon === true) where.push(dueSoon);
      if (q.dueSoon === false) where.push(`NOT ${dueSoon}`);
    }
    const filtered = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ n }] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM data_subject_request r ${filtered}`, params)) as [{ n: number }];
    const pageWhere = [...where];
    const due = `COALESCE(r.extended_due_at, r.due_at)`;
    const daysLeft = q.order === 'DAYS_LEFT';
    if (q.after?.order === 'NEWEST') {
      params.push(q.after.createdAt, q.after.id);
      pageWhere.push(`(r.created_at, r.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    } else if (q.after?.order === 'DAYS_LEFT' && q.after.due) {
      // After a dated request: later dates, the same date with a greater id, then every undated one.
      params.push(q.after.due, q.after.id);
      const [d, id] = [`$${params.length - 1}::timestamptz`, `$${params.length}::uuid`];
      pageWhere.push(`(${due} > ${d} OR (${due} = ${d} AND r.id > ${id}) OR ${due} IS NULL)`);
    } else if (q.after?.order === 'DAYS_LEFT') {
      params.push(q.after.id);
      pageWhere.push(`(${due} IS NULL AND r.id > $${params.length}::uuid)`);
    }
    params.push(q.limit + 1);
    const ids = (await this.dataSource.query(
      `SELECT r.id FROM data_subject_request r ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''}
       ORDER BY ${daysLeft ? `${due} ASC NULLS LAST, r.id ASC` : 'r.created_at DESC, r.id DESC'} LIMIT $${params.length}`,
      params,
    )) as { id: string }[];
    return { ids: ids.map((r) => r.id), total: n };
  }

  /** Open requests overdue or due soon (R3, R4, R5), most urgent first. */
  async deadlineFlags(now: Date, dueSoonMs: number): Promise<{ id: string; overdue: boolean; due_soon: boolean }[]> {
    const { overdue, dueSoon } = deadlineSql('$1::timestamptz', '$2::float8', '$3');
    return this.dataSource.query(
      `SELECT r.id, ${overdue} AS overdue, ${dueSoon} AS due_soon FROM data_subject_request r
       WHERE ${overdue} OR ${dueSoon} ORDER BY COALESCE(r.extended_due_at, r.due_at, r.acknowledge_by), r.id`,
      [now, dueSoonMs, TERMINAL],
    );
  }

  /** The request as execution reads it. */
  async executionRow(requestId: string): Promise<ExecutionRequestRow | undefined> {
    const [row] = (await this.dataSource.query(`SELECT id, type, status, identifiers_sealed, corrections_sealed FROM data_subject_request WHERE id = $1`, [
      requestId,
    ])) as ExecutionRequestRow[];
    return row;
  }

  /** The same, its row locked until `m`'s transaction ends (a second execution waits, then sees the first). */
  async lockForExecution(m: EntityManager, requestId: string): Promise<ExecutionRequestRow | undefined> {
    const [row] = (await m.query(`SELECT id, type, status, identifiers_sealed, corrections_sealed FROM data_subject_request WHERE id = $1 FOR UPDATE`, [
      requestId,
    ])) as ExecutionRequestRow[];
    return row;
  }

  /** The requests a batch of finalisations reads, in one query. */
  async finaliseRowsOf(ids: readonly string[]): Promise<FinalisedRequestRow[]> {
    return this.dataSource.query(
      `SELECT id, type, status, identifiers_sealed, received_at, verified_at, due_at, extended_due_at, extension_reason, jurisdiction, discovery_outcome FROM data_subject_request WHERE id = ANY($1::uuid[])`,
      [[...ids]],
    );
  }

  /** What a correction task of this record needs (R14). */
  async correctionContext(requestId: string, sourceId: string, recordId: string): Promise<CorrectionContext | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT r.id, r.corrections_sealed, r.inaccuracy_finding, d.correction_fields
         FROM data_subject_request r
         LEFT JOIN record_decision d ON d.request_id = r.id AND d.source_id = $2 AND d.record_id = $3
        WHERE r.id = $1`,
      [requestId, sourceId, recordId],
    )) as CorrectionContext[];
    return row;
  }

  /**
   * R11: a completed erasure keeps its minimal record only (ids, type, dates, outcome,
   * tombstones, keyed blind index); the sealed identifiers and the person's own words about
   * the request's scope are destroyed. Only COMPLETED: a partial erasure still needs them to
   * verify its retried tasks. Returns the requests changed now.
   */
  async destroyErasureIdentifiers(m: EntityManager, now: Date, erasureId?: string): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(
      await m.query(
        `UPDATE data_subject_request SET identifiers_sealed = NULL, scope_sealed = NULL, presence_sealed = NULL, identifiers_destroyed_at = $1, updated_at = now()
          WHERE type = $2 AND status = $3 AND identifiers_sealed IS NOT NULL AND ($4::uuid IS NULL OR id = $4)
          RETURNING id`,
        [now, RequestType.ERASURE, RequestStatus.COMPLETED, erasureId ?? null],
      ),
    );
    return rows.map((r) => r.id);
  }

  /**
   * R11: once an erasure completes, the person's other requests completed before it keep
   * nothing of the person either: their sealed identifiers, scope, presence and corrections
   * go and `identifiers_destroyed_at` is set (their type, dates, snapshot, decisions and
   * answer stay). "The person's" as duplicate detection says it: a strong identifier
   * (never names, dates or addresses alone) of the erasure in their blind index. Only
   * COMPLETED requests: one still open or PARTIALLY_COMPLETED may search again with them.
   * `erasureId`: that erasure's person only; `closedSince`: erasures changed since (the
   * scheduled sweep's window). Returns the ids.
   */
  async destroyIdentifiersOfErasedPeople(m: EntityManager, now: Date, scope: { erasureId?: string; closedSince?: Date }): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(
      await m.query(
        `WITH erasure AS (
           SELECT e.id,
                  (SELECT max(t.at) FROM request_transition t WHERE t.request_id = e.id AND t.to_status = $3) AS closed_at,
                  ARRAY(SELECT x FROM unnest(e.blind_index) x WHERE split_part(x, '.', 1) <> ALL($5::text[])) AS strong
             FROM data_subject_request e
            WHERE e.type = $2 AND e.status = $3 AND ($4::uuid IS NULL OR e.id = $4) AND ($6::timestamptz IS NULL OR e.updated_at >= $6))
         UPDATE data_subject_request a
            SET identifiers_sealed = NULL, scope_sealed = NULL, presence_sealed = NULL, corrections_sealed = NULL, identifiers_destroyed_at = $1, updated_at = now()
           FROM erasure e
          WHERE a.blind_index && e.strong AND e.id <> a.id AND a.created_at < e.closed_at
            AND a.status = $3 AND a.type <> $2 AND a.identifiers_sealed IS NOT NULL
          RETURNING a.id`,
        [now, RequestType.ERASURE, RequestStatus.COMPLETED, scope.erasureId ?? null, WEAK, scope.closedSince ?? null],
      ),
    );
    return rows.map((r) => r.id);
  }

  // ---- status moves and transitions ----

  /**
   * Applies these changes and records their transitions, in `m`. Answers the ids changed:
   * a status-guarded move whose request is no longer in `from` is left out (another worker
   * moved it first); a version-guarded change whose request changed meanwhile is left out
   * too, for the caller to report (CONCURRENT_UPDATE).
   */
  async applyMoves(m: EntityManager, moves: readonly RequestMove[]): Promise<Set<string>> {
    const changed = new Set<string>();
    const byStatus = moves.filter((c): c is Extract<RequestMove, { from: RequestStatus }> => 'from' in c);
    for (const c of moves) {
      if (!('version' in c)) continue;
      const update = await m
        .createQueryBuilder()
        .update(DataSubjectRequestEntity)
        .set({ ...c.fields, updatedAt: c.updatedAt } as never)
        .where('id = :id AND version = :version', { id: c.requestId, version: c.version })
        .execute();
      if (update.affected === 1) changed.add(c.requestId);
    }
    if (byStatus.length > 0) {
      const updated = rowsOf<{ id: string }>(
        await m.query(
          // One JSON document for the batch: the responses are not escaped again as array elements.
          `UPDATE data_subject_request r SET status = x.to_status, response = COALESCE(x.response, r.response), updated_at = now(), version = r.version + 1
             FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, from_status text, to_status text, response jsonb)
            WHERE r.id = x.id AND r.status = x.from_status RETURNING r.id`,
          [JSON.stringify(byStatus.map((c) => ({ id: c.requestId, from_status: c.from, to_status: c.fields.status, response: c.fields.response ?? null })))],
        ),
      );
      for (const r of updated) changed.add(r.id);
    }
    await this.recordTransitions(
      m,
      moves.filter((c) => changed.has(c.requestId)).flatMap((c) => c.transitions),
    );
    return changed;
  }

  /** The one insert of transitions (a request's creation, and every move through applyMoves). */
  private async recordTransitions(m: EntityManager, rows: readonly TransitionInput[]): Promise<void> {
    if (rows.length === 0) return;
    await m.query(
      `INSERT INTO request_transition (request_id, from_status, to_status, event, actor, at, reason)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])`,
      [
        rows.map((r) => r.requestId),
        rows.map((r) => r.from),
        rows.map((r) => r.to),
        rows.map((r) => r.event),
        rows.map((r) => r.actor),
        rows.map((r) => r.at),
        rows.map((r) => r.reason),
      ],
    );
  }

  async transitionsOf(ids: readonly string[]): Promise<TransitionRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT request_id, from_status, to_status, event, actor, at, reason FROM request_transition WHERE request_id = ANY($1::uuid[]) ORDER BY at, id`,
      [[...ids]],
    )) as { request_id: string; from_status: RequestStatus | null; to_status: RequestStatus; event: string; actor: string; at: Date; reason: string | null }[];
    return rows.map((t) => ({ requestId: t.request_id, from: t.from_status, to: t.to_status, event: t.event, actor: t.actor, at: t.at, reason: t.reason }));
  }

  /** Requests EXECUTING whose status has not moved since `since` (the stranded-work scan looks at these). */
  async executingQuietSince(since: Date): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT r.id FROM data_subject_request r
        WHERE r.status = $1 AND NOT EXISTS (SELECT 1 FROM request_transition t WHERE t.request_id = r.id AND t.at >= $2)
        ORDER BY r.id`,
      [RequestStatus.EXECUTING, since],
    );
    return rows.map((r) => r.id);
  }

  /** Of these requests, the closed ones (COMPLETED, PARTIALLY_COMPLETED, REJECTED, CANCELLED), in id order. */
  async closedAmong(requestIds: readonly string[]): Promise<string[]> {
    if (requestIds.length === 0) return [];
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM data_subject_request WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[]) ORDER BY id`,
      [[...requestIds], TERMINAL],
    );
    return rows.map((r) => r.id);
  }

  /** Which round of execution a request is in: '0' at its first EXECUTING, then one more per retry. */
  async executionRound(requestId: string, m?: EntityManager): Promise<string> {
    const [row] = await this.manager(m).query(`SELECT count(*)::int AS n FROM request_transition WHERE request_id = $1 AND to_status = $2`, [
      requestId,
      RequestStatus.EXECUTING,
    ]);
    return String(Math.max(0, (row?.n ?? 1) - 1));
  }

  // ---- the verification snapshot ----

  /** Of these records of requests, the requests with one whose controller is among `controllerIds`. */
  async requestsWithRecordsOf(refs: readonly { requestId: string; sourceId: string; recordId: string }[], controllerIds: readonly string[]): Promise<string[]> {
    if (refs.length === 0 || controllerIds.length === 0) return [];
    const rows: { request_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT rr.request_id FROM request_record rr
         JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS ref(request_id, source_id, record_id)
           ON rr.request_id = ref.request_id AND rr.source_id = ref.source_id AND rr.record_id = ref.record_id
        WHERE rr.controller_id = ANY($4::text[])`,
      [refs.map((r) => r.requestId), refs.map((r) => r.sourceId), refs.map((r) => r.recordId), controllerIds],
    );
    return rows.map((r) => r.request_id);
  }

  /** The snapshots of these requests in one query (a page of requests reads them together). */
  async recordsOf(requestIds: readonly string[]): Promise<RequestRecordEntity[]> {
    return this.dataSource.manager.find(RequestRecordEntity, {
      where: { requestId: In([...requestIds]) },
      order: { sourceId: 'ASC', score: 'DESC', recordId: 'ASC' },
    });
  }

  async insertRecords(m: EntityManager, rows: readonly Partial<RequestRecordEntity>[]): Promise<RequestRecordEntity[]> {
    return rows.length ? m.save(rows.map((r) => m.create(RequestRecordEntity, r))) : [];
  }

  async setReviewState(m: EntityManager, recordIds: readonly string[], state: ReviewState): Promise<void> {
    if (recordIds.length) await m.update(RequestRecordEntity, { id: In([...recordIds]) }, { reviewState: state });
  }

  /** The records the request acts on (MATCH, or REVIEW confirmed by a handler). */
  async actedOnRecordRefs(requestId: string): Promise<{ source_id: string; record_id: string }[]> {
    return this.dataSource.query(`SELECT source_id, record_id FROM request_record WHERE request_id = $1 AND review_state = ANY($2::text[])`, [
      requestId,
      ACTED_ON,
    ]);
  }

  /** Record types of the snapshots of these requests (the finaliser's batch read). */
  async recordTypesOf(ids: readonly string[]): Promise<{ request_id: string; source_id: string; record_id: string; record_type: string }[]> {
    return this.dataSource.query(`SELECT request_id, source_id, record_id, record_type FROM request_record WHERE request_id = ANY($1::uuid[])`, [[...ids]]);
  }

  // ---- decisions ----

  async decisionsOf(requestIds: readonly string[]): Promise<RecordDecisionEntity[]> {
    return this.dataSource.manager.find(RecordDecisionEntity, { where: { requestId: In([...requestIds]) }, order: { sourceId: 'ASC', recordId: 'ASC' } });
  }

  async findDecision(requestId: string, sourceId: string, recordId: string): Promise<RecordDecisionEntity | null> {
    return this.dataSource.manager.findOneBy(RecordDecisionEntity, { requestId, sourceId, recordId });
  }

  async upsertDecisions(m: EntityManager, rows: readonly Partial<RecordDecisionEntity>[]): Promise<void> {
    if (rows.length) await m.upsert(RecordDecisionEntity, rows as never, { conflictPaths: ['requestId', 'sourceId', 'recordId'] });
  }

  async updateDecision(m: EntityManager, id: string, fields: Partial<RecordDecisionEntity>): Promise<void> {
    await m.update(RecordDecisionEntity, { id }, fields as never);
  }

  async deleteDecision(m: EntityManager, requestId: string, sourceId: string, recordId: string): Promise<void> {
    await m.delete(RecordDecisionEntity, { requestId, sourceId, recordId });
  }

  async waitsForController(m: EntityManager, requestId: string): Promise<boolean> {
    return (await m.count(RecordDecisionEntity, { where: { requestId, needsController: true } })) > 0;
  }

  /** The decisions execution plans tasks from, in the order they were made. */
  async decisionsToPlan(m: EntityManager, requestId: string): Promise<{ sourceId: string; recordId: string; action: string; followUpAction: string | null }[]> {
    const rows = (await m.query(`SELECT source_id, record_id, action, follow_up_action FROM record_decision WHERE request_id = $1 ORDER BY id`, [
      requestId,
    ])) as {
      source_id: string;
      record_id: string;
      action: string;
      follow_up_action: string | null;
    }[];
    return rows.map((d) => ({ sourceId: d.source_id, recordId: d.record_id, action: d.action, followUpAction: d.follow_up_action }));
  }

  /** The decisions of a batch of finalisations, in one query. */
  async decisionRowsOf(ids: readonly string[]): Promise<(DecisionRow & { request_id: string })[]> {
    return this.dataSource.query(
      `SELECT request_id, source_id, record_id, action, basis, retain_until, reason, follow_up_action FROM record_decision WHERE request_id = ANY($1::uuid[]) ORDER BY source_id, record_id`,
      [[...ids]],
    );
  }

  /**
   * Whether the request leaves this record be (the recreation sweep's question): it decided to
   * keep it (an action other than an erasing one, with no erasure to follow), or it is not an
   * erasure and erased nothing of this record's source and type (R16: a child's access request
   * erases their online records only, so their other records are not recreations).
   */
  async keepsRecord(requestId: string, sourceId: string, recordId: string, recordType: string): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM record_decision
                       WHERE request_id = $1 AND source_id = $2 AND record_id = $3
                         AND action <> ALL($4::text[]) AND follow_up_action IS DISTINCT FROM $5) AS kept,
              (SELECT type FROM data_subject_request WHERE id = $1) = $7
              OR EXISTS (SELECT 1 FROM record_decision d
                           JOIN request_record r ON r.request_id = d.request_id AND r.source_id = d.source_id AND r.record_id = d.record_id
                          WHERE d.request_id = $1 AND d.source_id = $2 AND r.record_type = $6
                            AND (d.action = ANY($4::text[]) OR d.follow_up_action = $5)) AS erases_such`,
      [requestId, sourceId, recordId, ERASING, RecordAction.ERASE, recordType, RequestType.ERASURE],
    )) as { kept: boolean; erases_such: boolean | null }[];
    return row!.kept || !row!.erases_such;
  }

  // ---- controller instructions ----

  async instructionsOf(requestIds: readonly string[]): Promise<ControllerInstructionEntity[]> {
    return this.dataSource.manager.find(ControllerInstructionEntity, {
      where: { requestId: In([...requestIds]) },
      order: { sourceId: 'ASC', controllerId: 'ASC' },
    });
  }

  async upsertInstruction(m: EntityManager, row: Omit<ControllerInstructionEntity, 'id' | 'request'>): Promise<void> {
    await m.upsert(ControllerInstructionEntity, row, { conflictPaths: ['requestId', 'sourceId', 'controllerId'] });
  }

  /**
   * Of these requests, those where a controller refused for this source (R6), each with the
   * refusing controllers and the records among `recordIds` its snapshot names as theirs.
   */
  async refusingRequests(sourceId: string, requestIds: readonly string[], recordIds: readonly string[]): Promise<Map<string, RefusingControllers>> {
    const rows: { request_id: string; controllers: string[]; controlled: string[] }[] = await this.dataSource.query(
      `SELECT ci.request_id, array_agg(DISTINCT ci.controller_id) AS controllers, array_remove(array_agg(r.record_id), NULL) AS controlled
         FROM controller_instruction ci
         LEFT JOIN request_record r ON r.request_id = ci.request_id AND r.source_id = ci.source_id AND r.controller_id = ci.controller_id AND r.record_id = ANY($3::text[])
        WHERE ci.source_id = $1 AND ci.request_id = ANY($2::uuid[]) AND ci.decision = $4
        GROUP BY ci.request_id`,
      [sourceId, [...requestIds], [...recordIds], ControllerDecision.REFUSE],
    );
    return new Map(rows.map((r) => [r.request_id, { controllers: new Set(r.controllers), records: new Set(r.controlled) }]));
  }

  /**
   * Of these requests, those rejected or cancelled (R2: say the identity proved false): request
   * id -> status. Their queued tasks must leave the records as they are.
   */
  async withdrawnRequests(requestIds: readonly string[]): Promise<Map<string, string>> {
    if (requestIds.length === 0) return new Map();
    const rows: { id: string; status: string }[] = await this.dataSource.query(
      `SELECT id, status FROM data_subject_request WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])`,
      [[...requestIds], [RequestStatus.REJECTED, RequestStatus.CANCELLED]],
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** When each of these requests was received: request id -> received_at. */
  async receivedAt(requestIds: readonly string[]): Promise<Map<string, Date>> {
    if (requestIds.length === 0) return new Map();
    const rows: { id: string; received_at: Date }[] = await this.dataSource.query(
      `SELECT id, received_at FROM data_subject_request WHERE id = ANY($1::uuid[])`,
      [[...requestIds]],
    );
    return new Map(rows.map((r) => [r.id, r.received_at]));
  }

  /** Of these requests, every controller that gave an instruction for this source, whatever it was (R6): request id -> controller ids. */
  async instructingControllers(sourceId: string, requestIds: readonly string[]): Promise<Map<string, Set<string>>> {
    if (requestIds.length === 0) return new Map();
    const rows: { request_id: string; controller_id: string }[] = await this.dataSource.query(
      `SELECT request_id, controller_id FROM controller_instruction WHERE source_id = $1 AND request_id = ANY($2::uuid[])`,
      [sourceId, [...requestIds]],
    );
    const out = new Map<string, Set<string>>();
    for (const r of rows) out.set(r.request_id, (out.get(r.request_id) ?? new Set()).add(r.controller_id));
    return out;
  }

  /**
   * Of these records of a source, those these requests returned to their controller before
   * erasing them (R6: a decision with returnToController, exported into that controller's
   * package at approval): request id -> record id -> the controller it went to. A record of
   * that controller the request never decided on (one a feed recreated later) was not returned.
   */
  async returnedRecords(sourceId: string, requestIds: readonly string[], recordIds: readonly string[]): Promise<Map<string, Map<string, string>>> {
    const rows: { request_id: string; record_id: string; controller_id: string }[] = await this.dataSource.query(
      `SELECT d.request_id, d.record_id, d.return_to_controller AS controller_id FROM record_decision d
        WHERE d.source_id = $1 AND d.request_id = ANY($2::uuid[]) AND d.record_id = ANY($3::text[]) AND d.return_to_controller IS NOT NULL`,
      [sourceId, [...requestIds], [...recordIds]],
    );
    const out = new Map<string, Map<string, string>>();
    for (const r of rows) out.set(r.request_id, (out.get(r.request_id) ?? new Map<string, string>()).set(r.record_id, r.controller_id));
    return out;
  }

  /**
   * What holds these records of a source: a controller's REFUSE for a request about the
   * record (R6), and a RETAIN decision of a request still open (its legal hold, or its wait
   * for a controller). Record id -> every hold, refusals first, then by request id: a
   * retention run is held by the first; a request's erasure only by another request's.
   * A rectification's RETAIN that found nothing to correct (rules R14, no override, no wait
   * for a controller) is marked `nothingToCorrect`; a RESTRICT of a restriction request
   * (R1: keep the record, stop processing it) comes last, marked `restriction`: OPEN_REQUEST
   * while it is open, RESTRICTED once answered (the restriction stays in force; one rejected
   * or cancelled holds nothing).
   */
  async recordHolds(sourceId: string, recordIds: readonly string[]): Promise<Map<string, RecordHoldRow[]>> {
    if (recordIds.length === 0) return new Map();
    const rows: (RecordHoldRow & { recordId: string })[] = await this.dataSource.query(
      `SELECT record_id AS "recordId", request_id AS "requestId", reason, nothing_to_correct AS "nothingToCorrect", restriction, received_at AS "receivedAt" FROM (
         SELECT rr.record_id, ci.request_id, 'CONTROLLER_REFUSED' AS reason, false AS nothing_to_correct, false AS restriction, NULL::timestamptz AS received_at, 0 AS rank
           FROM controller_instruction ci
           JOIN request_record rr ON rr.request_id = ci.request_id AND rr.source_id = ci.source_id AND rr.controller_id = ci.controller_id
          WHERE ci.source_id = $1 AND ci.decision = $3 AND rr.record_id = ANY($2::text[])
         UNION ALL
         SELECT d.record_id, d.request_id, 'OPEN_REQUEST', (d.override_reason IS NULL AND NOT d.needs_controller AND 'R14' = ANY(d.rules)), false, r.received_at, 1
           FROM record_decision d JOIN data_subject_request r ON r.id = d.request_id
          WHERE d.source_id = $1 AND d.record_id = ANY($2::text[]) AND d.action = $4 AND r.status <> ALL($5::text[])
         UNION ALL
         SELECT d.record_id, d.request_id, CASE WHEN r.status = ANY($5::text[]) THEN 'RESTRICTED' ELSE 'OPEN_REQUEST' END, false, true, r.received_at, 2
           FROM record_decision d JOIN data_subject_request r ON r.id = d.request_id
          WHERE d.source_id = $1 AND d.record_id = ANY($2::text[]) AND d.action = $6 AND r.type = $7 AND r.status <> ALL($8::text[])
       ) h ORDER BY record_id, rank, request_id`,
      [sourceId, [...recordIds], ControllerDecision.REFUSE, RecordAction.RETAIN, TERMINAL, RecordAction.RESTRICT, RequestType.RESTRICTION, WITHDRAWN],
    );
    const out = new Map<string, RecordHoldRow[]>();
    for (const { recordId, ...hold } of rows) out.set(recordId, [...(out.get(recordId) ?? []), hold]);
    return out;
  }

  // ---- access packages ----

  async insertPackage(m: EntityManager, row: Omit<AccessPackageEntity, 'id' | 'request' | 'createdAt'>): Promise<void> {
    await m.insert(AccessPackageEntity, row as never);
  }

  /** R6: the packages of records returned to their controllers, one per controller, without their archives. */
  async returnedPackagesOf(requestId: string): Promise<Omit<AccessPackageEntity, 'archiveSealed' | 'request'>[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(AccessPackageEntity, 'p')
      .select([
        'p.id',
        'p.requestId',
        'p.controllerId',
        'p.sha256',
        'p.sizeBytes',
        'p.expiresAt',
        'p.createdAt',
        'p.retainUntil',
        'p.destroyedAt',
        'p.destroyedReason',
        'p.revocationReason',
        'p.downloadedAt',
      ])
      .where('p.requestId = :requestId AND p.controllerId IS NOT NULL', { requestId })
      .orderBy('p.controllerId')
      .getMany();
    return rows;
  }

  /** R6: the package of the records returned to this controller, if the request made one. */
  async returnedPackage(requestId: string, controllerId: string): Promise<AccessPackageEntity | null> {
    return this.dataSource.manager.findOne(AccessPackageEntity, { where: { requestId, controllerId }, order: { createdAt: 'DESC' } });
  }

  async latestPackage(requestId: string): Promise<AccessPackageEntity | null> {
    return this.dataSource.manager.findOne(AccessPackageEntity, { where: { requestId }, order: { createdAt: 'DESC' } });
  }

  /**
   * The latest of the person's own package of each of these requests (ACCESS), without its
   * archive; never a package returned to a controller (R6, returnedPackagesOf).
   */
  async latestPackagesOf(ids: readonly string[]): Promise<PackageSummary[]> {
    return this.dataSource.query(
      `SELECT DISTINCT ON (request_id) request_id AS "requestId", sha256, size_bytes AS "sizeBytes", manifest, expires_at AS "expiresAt",
              downloaded_at AS "downloadedAt", created_at AS "createdAt", retain_until AS "retainUntil", destroyed_at AS "destroyedAt",
              destroyed_reason AS "destroyedReason", revocation_reason AS "revocationReason", contents, special_categories AS "specialCategories"
         FROM access_package WHERE request_id = ANY($1::uuid[]) AND controller_id IS NULL ORDER BY request_id, created_at DESC`,
      [[...ids]],
    );
  }

  async findPackage(id: string, m?: EntityManager): Promise<AccessPackageEntity | null> {
    return this.manager(m).findOneBy(AccessPackageEntity, { id });
  }

  async findPackageByToken(hash: string, m?: EntityManager): Promise<AccessPackageEntity | null> {
    return this.manager(m).findOneBy(AccessPackageEntity, { tokenHash: hash });
  }

  /** The package id of a link, if any. */
  async packageIdOfToken(hash: string): Promise<string | null> {
    return (await this.dataSource.manager.findOne(AccessPackageEntity, { where: { tokenHash: hash }, select: { id: true } }))?.id ?? null;
  }

  /** Locks the package for the transaction and reads what its destruction depends on. */
  async lockPackage(m: EntityManager, id: string): Promise<{ destroyedAt: Date | null; destroyedReason: string | null; retainUntil: Date } | undefined> {
    const [row] = (await m.query(
      `SELECT destroyed_at AS "destroyedAt", destroyed_reason AS "destroyedReason", retain_until AS "retainUntil" FROM access_package WHERE id = $1 FOR UPDATE`,
      [id],
    )) as { destroyedAt: Date | null; destroyedReason: string | null; retainUntil: Date }[];
    return row;
  }

  /** Replaces the package's link, only while the package exists; false when it is destroyed. */
  async renewPackageLink(m: EntityManager, id: string, link: { tokenHash: string; expiresAt: Date; seesSpecial: boolean }): Promise<boolean> {
    const renewed = rowsOf<{ id: string }>(
      await m.query(
        `UPDATE access_package SET token_hash = $2, expires_at = $3, downloaded_at = NULL, link_sees_special = $4
          WHERE id = $1 AND destroyed_at IS NULL RETURNING id`,
        [id, link.tokenHash, link.expiresAt, link.seesSpecial],
      ),
    );
    return renewed.length > 0;
  }

  /**
   * Consumes a link in the statement that checks it, so two downloads racing cannot both
   * succeed; undefined when the link is unknown, used, expired, destroyed or not cleared.
   */
  async consumePackageLink(
    m: EntityManager,
    hash: string,
    now: Date,
  ): Promise<{ id: string; request_id: string; archive_sealed: string; sha256: string } | undefined> {
    const [row] = rowsOf<{ id: string; request_id: string; archive_sealed: string; sha256: string }>(
      await m.query(
        `UPDATE access_package SET downloaded_at = $2
          WHERE token_hash = $1 AND downloaded_at IS NULL AND expires_at > $2
            AND destroyed_at IS NULL AND archive_sealed IS NOT NULL AND retain_until > $2
            AND (link_sees_special OR special_categories = '{}')
         RETURNING id, request_id, archive_sealed, sha256`,
        [hash, now],
      ),
    );
    return row;
  }

  /** Destroys the archives of these packages (idempotent); returns those destroyed now. */
  async destroyPackages(m: EntityManager, ids: readonly string[], reason: string, now: Date): Promise<DestroyedPackage[]> {
    if (ids.length === 0) return [];
    // The token hash stays: a link handed out earlier then answers PACKAGE_DESTROYED, not "unknown".
    return rowsOf<DestroyedPackage>(
      await m.query(
        `UPDATE access_package SET archive_sealed = NULL, destroyed_at = $2, destroyed_reason = $3, expires_at = LEAST(expires_at, $2)
          WHERE id = ANY($1::uuid[]) AND destroyed_at IS NULL RETURNING id AS "packageId", request_id AS "requestId"`,
        [[...ids], now, reason],
      ),
    );
  }

  /** Revokes a live package (PackageDestroyedReason.REVOKED): its archive destroyed, its link dead, the handler's reason kept; false when already destroyed. */
  async revokePackage(m: EntityManager, id: string, reason: string, now: Date): Promise<boolean> {
    const rows = rowsOf<{ id: string }>(
      await m.query(
        `UPDATE access_package SET archive_sealed = NULL, destroyed_at = $2, destroyed_reason = 'REVOKED', revocation_reason = $3, expires_at = LEAST(expires_at, $2)
          WHERE id = $1 AND destroyed_at IS NULL RETURNING id`,
        [id, now, reason],
      ),
    );
    return rows.length > 0;
  }

  /** The request's packages not destroyed yet. */
  async livePackagesOfRequest(m: EntityManager, requestId: string): Promise<string[]> {
    const rows = (await m.query(`SELECT id FROM access_package WHERE request_id = $1 AND destroyed_at IS NULL`, [requestId])) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Live packages whose retention has run out. */
  async packagesPastRetention(m: EntityManager, now: Date): Promise<string[]> {
    const rows = (await m.query(`SELECT id FROM access_package WHERE destroyed_at IS NULL AND retain_until <= $1`, [now])) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * Live packages built before an erasure of the same person closed. Narrowed to one
   * erasure (when it closes), or one package (before a renewal or a download); neither:
   * every erasure closed within the packages' retention (the sweep's catch-up).
   *
   * "The same person" is decided on what the package holds, not on a guess: a package is
   * the erasure's when its request and the erasure share a record the erasure removed
   * (same source and record id: the copy holds that record's data), or share a unique
   * identifier (a keyed blind-index entry of an email, phone, national id, membership or
   * patient number...; names, birth dates and places alone are not enough: namesakes).
   * Records catch a person who gave other identifiers in each request; identifiers catch
   * a package whose records the erasure found under other ids.
   *
   * Any other request that erased records counts as an erasure of those records (R16: a
   * child's data in an online service is erased by an access, restriction or objection
   * request too, an access request's as the follow-up of its release): a package holding
   * one of them goes. Only by its records: such a request erased no more than those.
   *
   * A package returned to a controller (R6) is the controller's own copy of records the
   * group erased on its instruction, the only one left: it goes only once the controller
   * has downloaded it (until then its retention, a revocation or its request's rejection).
   */
  async packagesOfErasedPeople(m: EntityManager, scope: { erasureId?: string; packageId?: string; closedSince?: Date }): Promise<string[]> {
    const rows = (await m.query(
      `WITH erasure AS (
         SELECT e.id, e.type, e.blind_index,
                (SELECT max(t.at) FROM request_transition t WHERE t.request_id = e.id AND t.to_status = ANY($3::text[])) AS closed_at
           FROM data_subject_request e
          WHERE e.status = ANY($3::text[])
            AND (e.type = $2 OR EXISTS (SELECT 1 FROM record_decision d WHERE d.request_id = e.id
                                           AND (d.action = ANY($1::text[]) OR d.follow_up_action = ANY($1::text[]))))
            AND ($4::uuid IS NULL OR e.id = $4) AND ($6::timestamptz IS NULL OR e.updated_at >= $6))
       SELECT DISTINCT p.id FROM access_package p
         JOIN data_subject_request a ON a.id = p.request_id
         JOIN erasure e ON e.id <> a.id AND p.created_at < e.closed_at
        WHERE p.destroyed_at IS NULL AND ($5::uuid IS NULL OR p.id = $5)
          AND (p.controller_id IS NULL OR p.downloaded_at IS NOT NULL)
          AND (EXISTS (SELECT 1 FROM request_record r JOIN record_decision d
                          ON d.request_id = e.id AND d.source_id = r.source_id AND d.record_id = r.record_id
                         AND (d.action = ANY($1::text[]) OR d.follow_up_action = ANY($1::text[]))
                        WHERE r.request_id = a.id)
            OR (e.type = $2 AND EXISTS (SELECT 1 FROM unnest(a.blind_index) x WHERE x = ANY(e.blind_index) AND split_part(x, '.', 1) <> ALL($7::text[]))))`,
      [ERASING, RequestType.ERASURE, CLOSED, scope.erasureId ?? null, scope.packageId ?? null, scope.closedSince ?? null, WEAK],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
