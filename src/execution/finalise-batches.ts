// Requests that finish at the same time are read and closed together: the finaliser's
// reads are one statement per table for every request of a batch, and closing is one
// transaction for the batch (status moves, transitions, verified tasks, audit entries).
// Verification itself stays per request (its discovery lookups batch in SourceBatcher).
import type DataLoader from 'dataloader';
import { flightLimitedLoader } from '../domain/flight-limited-loader.js';
import { RequestStatus } from '../domain/vocabulary.js';
import type { AuditRecordInput } from '../audit/index.js';
import { transition, type RequestEvent } from '../requests/state-machine.js';
import type { ExecutionDeps } from './execution-deps.js';
import { rowsOf } from '../database/rows.js';
import { groupBy } from '../domain/group-by.js';
import type { TaskRow } from './execution.service.js';
import type { DiscoveryOutcome } from '../requests/entities/data-subject-request.entity.js';

export interface DecisionRow {
  source_id: string;
  record_id: string;
  action: string;
  basis: string | null;
  retain_until: Date | null;
  reason: string;
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
  discovery_outcome: DiscoveryOutcome | null;
}

/** What the finaliser reads of one request. */
export interface FinaliseReads {
  request: FinalisedRequestRow | undefined;
  tasks: TaskRow[];
  /** `${source}/${record}` -> record type, from the verification snapshot. */
  recordTypes: Map<string, string>;
  decisions: DecisionRow[];
}

/** One request to close: it moves from EXECUTING only if it is still there. */
export interface Closing {
  requestId: string;
  event: RequestEvent;
  actor: string;
  at: Date;
  reason: string | null;
  response: unknown;
  /** Tasks whose records verification found gone. */
  verifiedTaskIds: string[];
  audit: AuditRecordInput;
}

const BATCHES_IN_FLIGHT = 2;
const MAX_BATCH = 100;

export class FinaliseBatches {
  readonly reads: DataLoader<string, FinaliseReads, string>;
  readonly closings: DataLoader<Closing, boolean, Closing>;

  constructor(private readonly deps: ExecutionDeps) {
    const options = { maxBatchSize: MAX_BATCH, maxInFlight: BATCHES_IN_FLIGHT };
    this.reads = flightLimitedLoader((ids) => this.readAll(ids), options);
    this.closings = flightLimitedLoader((items) => this.closeAll(items), options);
  }

  private async readAll(ids: readonly string[]): Promise<FinaliseReads[]> {
    const q = (sql: string) => this.deps.dataSource.query(sql, [[...ids]]);
    const [requests, tasks, records, decisions] = await Promise.all([
      q(`SELECT id, type, status, identifiers_sealed, received_at, verified_at, due_at, extended_due_at, discovery_outcome FROM data_subject_request WHERE id = ANY($1::uuid[])`),
      q(`SELECT id, request_id, source_id, record_id, action, status, attempts, job_id, last_error, outcome, applied_count FROM task WHERE request_id = ANY($1::uuid[])`),
      q(`SELECT request_id, source_id, record_id, record_type FROM request_record WHERE request_id = ANY($1::uuid[])`),
      q(`SELECT request_id, source_id, record_id, action, basis, retain_until, reason FROM record_decision WHERE request_id = ANY($1::uuid[]) ORDER BY source_id, record_id`),
    ]);
    const requestById = new Map((requests as FinalisedRequestRow[]).map((r) => [r.id, r]));
    const byRequest = <T extends { request_id: string }>(rows: T[]) => groupBy(rows, (r) => r.request_id);
    const tasksOf = byRequest<TaskRow>(tasks);
    const recordsOf = byRequest<{ request_id: string; source_id: string; record_id: string; record_type: string }>(records);
    const decisionsOf = byRequest<DecisionRow & { request_id: string }>(decisions);
    return ids.map((id) => ({
      request: requestById.get(id),
      tasks: tasksOf.get(id) ?? [],
      recordTypes: new Map((recordsOf.get(id) ?? []).map((r) => [`${r.source_id}/${r.record_id}`, r.record_type])),
      decisions: decisionsOf.get(id) ?? [],
    }));
  }

  /** Closes a batch in one transaction; answers per item whether it was closed here. */
  private async closeAll(items: readonly Closing[]): Promise<boolean[]> {
    const moves = items.map((c) => ({ ...c, to: transition({ status: RequestStatus.EXECUTING }, c.event, { actor: c.actor, at: c.at, reason: c.reason }).state.status }));
    return this.deps.dataSource.transaction(async (m) => {
      const updated = rowsOf<{ id: string }>(
        await m.query(
          // One JSON document for the batch: the responses are not escaped again as array elements.
          `UPDATE data_subject_request r SET status = x.to_status, response = x.response, updated_at = now(), version = r.version + 1
             FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, to_status text, response jsonb)
            WHERE r.id = x.id AND r.status = 'EXECUTING' RETURNING r.id`,
          [JSON.stringify(moves.map((c) => ({ id: c.requestId, to_status: c.to, response: c.response })))],
        ),
      );
      const moved = new Set(updated.map((r) => r.id));
      // Another finaliser closed it first: nothing more to record for it.
      const mine = moves.filter((c) => moved.has(c.requestId));
      if (mine.length === 0) return items.map(() => false);
      await m.query(
        `INSERT INTO request_transition (request_id, from_status, to_status, event, actor, at, reason)
         SELECT id, 'EXECUTING', to_status, event, actor, at, reason
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[]) AS x(id, to_status, event, actor, at, reason)`,
        [mine.map((c) => c.requestId), mine.map((c) => c.to), mine.map((c) => c.event), mine.map((c) => c.actor), mine.map((c) => c.at), mine.map((c) => c.reason)],
      );
      const verified = mine.flatMap((c) => c.verifiedTaskIds);
      if (verified.length > 0) await m.query(`UPDATE task SET verified_at = now() WHERE id = ANY($1::uuid[])`, [verified]);
      await this.deps.audit.recordAll(mine.map((c) => c.audit), m);
      return items.map((c) => moved.has(c.requestId));
    });
  }
}
