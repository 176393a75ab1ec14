// The one owner of the retention_run and retention_run_item tables: a run's previewed
// snapshot (per-source summary and every planned item) and its life cycle.
import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../../database/rows.js';
import { RetentionRunStatus } from '../../domain/vocabulary.js';
import type { SourceRetentionSummary } from '../retention-plan.js';

export interface RetentionRunRow {
  id: string;
  status: RetentionRunStatus;
  as_of: Date;
  source_ids: string[];
  summary: SourceRetentionSummary[];
  automatic: boolean;
  prepared_by: string;
  approved_by: string | null;
  approved_at: Date | null;
  cancelled_by: string | null;
  /** The newer preview of the same sources that replaced this one (status SUPERSEDED). */
  superseded_by: string | null;
  finished_at: Date | null;
  /** What execution came to: counts and the reasons a run is not complete. */
  outcome: RetentionRunOutcome | null;
  created_at: Date;
}

export interface RetentionRunOutcome {
  destroyed: number;
  failed: number;
  /** Items that became held between preview and approval: kept, with their reason. */
  heldSincePreview: number;
  reasons: string[];
}

export interface RetentionItemRow {
  source_id: string;
  record_id: string;
  record_type: string;
  retention_start: Date | null;
  action: string | null;
  kept_reason: string | null;
  kept_detail: string | null;
}

export interface NewRetentionItem {
  sourceId: string;
  recordId: string;
  recordType: string;
  start: Date | null;
  action: string | null;
  kept: string | null;
  detail: string | null;
}

/** Run ids are UUIDs: anything else names no run (and is never sent to the database). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RUN_COLUMNS =
  'id, status, as_of, source_ids, summary, automatic, prepared_by, approved_by, approved_at, cancelled_by, superseded_by, finished_at, outcome, created_at';

export class RetentionRunStore {
  constructor(private readonly dataSource: DataSource) {}

  /** A previewed run with its items, in one transaction; returns its id. */
  async insertPreview(
    run: { asOf: Date; sourceIds: string[]; summary: SourceRetentionSummary[]; automatic: boolean; preparedBy: string },
    items: readonly NewRetentionItem[],
    m: EntityManager,
  ): Promise<string> {
    const [{ id }] = rowsOf<{ id: string }>(
      await m.query(`INSERT INTO retention_run (status, as_of, source_ids, summary, automatic, prepared_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, [
        RetentionRunStatus.PREVIEWED,
        run.asOf,
        run.sourceIds,
        JSON.stringify(run.summary),
        run.automatic,
        run.preparedBy,
      ]),
    ) as [{ id: string }];
    // Batched: a source past retention can list many thousands of records.
    for (let i = 0; i < items.length; i += 5000) {
      const chunk = items.slice(i, i + 5000);
      await m.query(
        `INSERT INTO retention_run_item (run_id, source_id, record_id, record_type, retention_start, action, kept_reason, kept_detail)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[])`,
        [
          id,
          chunk.map((x) => x.sourceId),
          chunk.map((x) => x.recordId),
          chunk.map((x) => x.recordType),
          chunk.map((x) => x.start),
          chunk.map((x) => x.action),
          chunk.map((x) => x.kept),
          chunk.map((x) => x.detail),
        ],
      );
    }
    return id;
  }

  /**
   * Serialises the preparation of previews until the transaction ends, so two preparations
   * of the same sources at once cannot both miss the other and leave two previews open.
   */
  async lockPreparation(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('retention_run.prepare'))`);
  }

  /**
   * Closes as SUPERSEDED, pointing to `byRunId`, every other run of exactly these sources
   * still PREVIEWED (never approved) and prepared the same way (by the schedule for itself to
   * approve, or for a handler); returns their ids. A run being approved holds its row lock,
   * so this waits for it and then finds it no longer PREVIEWED.
   */
  async supersedePreviews(sourceIds: readonly string[], byRunId: string, automatic: boolean, m: EntityManager): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(
      await m.query(
        `UPDATE retention_run SET status = $3, superseded_by = $2, finished_at = now(), updated_at = now()
          WHERE status = $4 AND id <> $2 AND source_ids @> $1::text[] AND source_ids <@ $1::text[] AND automatic = $5 RETURNING id`,
        [sourceIds, byRunId, RetentionRunStatus.SUPERSEDED, RetentionRunStatus.PREVIEWED, automatic],
      ),
    );
    return rows.map((r) => r.id).sort();
  }

  async find(id: string, m: EntityManager = this.dataSource.manager): Promise<RetentionRunRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = (await m.query(`SELECT ${RUN_COLUMNS} FROM retention_run WHERE id = $1`, [id])) as RetentionRunRow[];
    return row;
  }

  /** The run locked for a change of state (approval, cancellation, closing). */
  async lock(id: string, m: EntityManager): Promise<RetentionRunRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = (await m.query(`SELECT ${RUN_COLUMNS} FROM retention_run WHERE id = $1 FOR UPDATE`, [id])) as RetentionRunRow[];
    return row;
  }

  /** The latest runs first. */
  /**
   * The latest runs first; `beforeId`, a run: only those listed after it (the next page).
   * Compared in SQL: a JavaScript Date would drop the microseconds of created_at.
   */
  async list(limit: number, status?: RetentionRunStatus, beforeId?: string): Promise<RetentionRunRow[]> {
    return this.dataSource.query(
      `SELECT ${RUN_COLUMNS} FROM retention_run
        WHERE ($2::text IS NULL OR status = $2)
          AND ($3::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM retention_run WHERE id = $3))
        ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit, status ?? null, beforeId ?? null],
    );
  }

  /** The items of a run: the planned destructions only, or every item with what is kept. */
  async items(runId: string, only: 'planned' | 'all' = 'all', m: EntityManager = this.dataSource.manager): Promise<RetentionItemRow[]> {
    return m.query(
      `SELECT source_id, record_id, record_type, retention_start, action, kept_reason, kept_detail FROM retention_run_item
        WHERE run_id = $1 AND ($2::boolean OR action IS NOT NULL) ORDER BY source_id, record_id`,
      [runId, only === 'all'],
    );
  }

  /** Items held since the preview: kept with their reason instead of destroyed. */
  async markKept(runId: string, kept: readonly { sourceId: string; recordId: string; reason: string; detail: string }[], m: EntityManager): Promise<void> {
    if (kept.length === 0) return;
    await m.query(
      `UPDATE retention_run_item i SET action = NULL, kept_reason = x.reason, kept_detail = x.detail
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(s, r, reason, detail)
        WHERE i.run_id = $1 AND i.source_id = x.s AND i.record_id = x.r`,
      [runId, kept.map((k) => k.sourceId), kept.map((k) => k.recordId), kept.map((k) => k.reason), kept.map((k) => k.detail)],
    );
  }

  /** Moves a run from one status to another; false when it was not in `from` (a concurrent change). */
  async move(
    id: string,
    from: RetentionRunStatus,
    to: RetentionRunStatus,
    fields: { approvedBy?: string; cancelledBy?: string; finished?: boolean; outcome?: RetentionRunOutcome },
    m: EntityManager,
  ): Promise<boolean> {
    const moved = rowsOf(
      await m.query(
        `UPDATE retention_run SET status = $3, updated_at = now(),
            approved_by = COALESCE($4, approved_by), approved_at = CASE WHEN $4::text IS NULL THEN approved_at ELSE now() END,
            cancelled_by = COALESCE($5, cancelled_by),
            finished_at = CASE WHEN $6 THEN now() ELSE finished_at END,
            outcome = COALESCE($7::jsonb, outcome)
          WHERE id = $1 AND status = $2 RETURNING id`,
        [id, from, to, fields.approvedBy ?? null, fields.cancelledBy ?? null, fields.finished ?? false, fields.outcome ? JSON.stringify(fields.outcome) : null],
      ),
    );
    return moved.length > 0;
  }

  /** Runs by status (the /metrics gauge). */
  /** Runs EXECUTING since before `before` (the stranded-work scan looks at these). */
  async executingApprovedBefore(before: Date): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM retention_run WHERE status = $1 AND approved_at < $2 ORDER BY id`, [
      RetentionRunStatus.EXECUTING,
      before,
    ]);
    return rows.map((r) => r.id);
  }

  async countsByStatus(): Promise<{ status: string; n: number }[]> {
    return this.dataSource.query(`SELECT status, count(*)::int AS n FROM retention_run GROUP BY status`);
  }

  /** The latest run's summary of each source (the /metrics gauges of what is past retention). */
  async latestSummaries(): Promise<SourceRetentionSummary[]> {
    const rows: { s: SourceRetentionSummary }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (s->>'sourceId') s FROM retention_run r, jsonb_array_elements(r.summary) s ORDER BY s->>'sourceId', r.created_at DESC`,
    );
    return rows.map((r) => r.s);
  }
}
