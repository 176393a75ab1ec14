// The one owner of the task table: every query the gateway runs on it, batched ones
// included. Status values are bound as parameters from TaskStatus, never pasted in SQL.
// Methods that take part in a caller's transaction take its EntityManager.
import { In, type DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '../../database/rows.js';
import { TaskStatus, TERMINAL_TASK_STATUSES } from '../../domain/vocabulary.js';
import { ERASING_ACTIONS } from '../../requests/decisions.js';
import { TaskEntity } from './task.entity.js';

export { TaskEntity } from './task.entity.js';

/** A task row as the execution code reads it (column names as stored). */
export interface TaskRow {
  id: string;
  request_id: string;
  source_id: string;
  record_id: string;
  action: string;
  status: string;
  attempts: number;
  job_id: string | null;
  last_error: string | null;
  outcome: string | null;
  applied_count: number;
}

/** A retention run's task row (request_id is null there). */
export interface RunTaskRow extends Omit<TaskRow, 'request_id'> {
  retention_run_id: string;
}

/** What running a task needs of its row: it belongs to a request or to a retention run. */
export type RunningTask = Pick<TaskRow, 'id' | 'source_id' | 'record_id' | 'action' | 'attempts' | 'outcome' | 'last_error'> & {
  request_id: string | null;
  retention_run_id: string | null;
};

/** One task's row after an attempt (see settleAttempt). */
export interface TaskOutcomeRow {
  id: string;
  /** The attempt this outcome is of (the row's attempts when it was started). */
  attempt: number;
  status: TaskStatus;
  /** null: keep the row's outcome. */
  outcome: string | null;
  applied: number;
  lastError: string | null;
  /** The open request whose hold stopped the task, kept out of lastError. */
  heldBy: string | null;
  refund: number;
}

export interface PlannedTaskRow {
  sourceId: string;
  recordId: string;
  action: string;
}

/** Tasks still to run (or running): a source with any cannot be removed. */
const OPEN: readonly string[] = Object.values(TaskStatus).filter((s) => !TERMINAL_TASK_STATUSES.has(s));
const TERMINAL: readonly string[] = [...TERMINAL_TASK_STATUSES];
const ERASING: readonly string[] = [...ERASING_ACTIONS];
const COLUMNS = 'id, request_id, source_id, record_id, action, status, attempts, job_id, last_error, outcome, applied_count';

/** Who a task belongs to: a request or a retention run (exactly one, task_owner_check), and its unique key. */
const TASK_OWNERS = {
  request: { column: 'request_id', conflict: '(request_id, source_id, record_id, action)' },
  run: { column: 'retention_run_id', conflict: '(retention_run_id, source_id, record_id, action) WHERE retention_run_id IS NOT NULL' },
} as const;

export class TaskStore {
  constructor(private readonly dataSource: DataSource) {}

  // ---- reading ----

  /** The tasks of these requests as entities, in the order the API lists them. */
  async ofRequests(requestIds: readonly string[]): Promise<(TaskEntity & { requestId: string })[]> {
    const tasks = await this.dataSource.manager.find(TaskEntity, {
      where: { requestId: In([...requestIds]) },
      order: { sourceId: 'ASC', recordId: 'ASC', action: 'ASC' },
    });
    return tasks as (TaskEntity & { requestId: string })[];
  }

  /** The tasks of a retention run as entities, in the order the API lists them. */
  async ofRun(runId: string): Promise<TaskEntity[]> {
    return this.dataSource.manager.find(TaskEntity, { where: { retentionRunId: runId }, order: { sourceId: 'ASC', recordId: 'ASC', action: 'ASC' } });
  }

  /** The task rows of these requests in one query (the finaliser reads a batch together). */
  async rowsOfRequests(requestIds: readonly string[]): Promise<TaskRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM task WHERE request_id = ANY($1::uuid[])`, [[...requestIds]]);
  }

  async withStatus(requestId: string, statuses: readonly TaskStatus[], m: EntityManager = this.dataSource.manager): Promise<TaskRow[]> {
    return m.query(`SELECT * FROM task WHERE request_id = $1 AND status = ANY($2::text[]) ORDER BY source_id, record_id, action`, [requestId, statuses]);
  }

  /** Removals that succeeded but that verification has not confirmed (it could not look, or found them). */
  async unverifiedRemovals(requestId: string, m: EntityManager = this.dataSource.manager): Promise<TaskRow[]> {
    return m.query(`SELECT * FROM task WHERE request_id = $1 AND status = $2 AND verified_at IS NULL AND action = ANY($3::text[])`, [
      requestId,
      TaskStatus.SUCCEEDED,
      ERASING,
    ]);
  }

  async hasAny(requestId: string): Promise<boolean> {
    const rows = await this.dataSource.query(`SELECT 1 FROM task WHERE request_id = $1 LIMIT 1`, [requestId]);
    return rows.length > 0;
  }

  /** Whether this record has a task of the request still to run. */
  async hasOpenTaskFor(requestId: string, sourceId: string, recordId: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `SELECT 1 FROM task WHERE request_id = $1 AND source_id = $2 AND record_id = $3 AND status <> ALL($4::text[]) LIMIT 1`,
      [requestId, sourceId, recordId, TERMINAL],
    );
    return rows.length > 0;
  }

  /** Requests with a task still to run (few: work in flight, and the recreation sweep's tasks on closed requests). */
  async requestsWithOpenTasks(): Promise<string[]> {
    const rows: { request_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT request_id FROM task WHERE request_id IS NOT NULL AND status <> ALL($1::text[]) ORDER BY request_id`,
      [TERMINAL],
    );
    return rows.map((r) => r.request_id);
  }

  /** Tasks of one source still to run. */
  async openCountOfSource(sourceId: string): Promise<number> {
    const [{ open }] = (await this.dataSource.query(`SELECT count(*)::int AS open FROM task WHERE source_id = $1 AND status = ANY($2::text[])`, [
      sourceId,
      OPEN,
    ])) as [{ open: number }];
    return open;
  }

  /** Tasks by status, every request (the /metrics gauge). */
  async countsByStatus(): Promise<{ status: string; n: number }[]> {
    return this.dataSource.query(`SELECT status, count(*)::int AS n FROM task GROUP BY status`);
  }

  // ---- writing ----

  /** Requests with at least one FAILED task (few: a failure is the exception the inbox filters for). */
  async requestsWithFailedTasks(): Promise<string[]> {
    const rows: { request_id: string }[] = await this.dataSource.query(`SELECT DISTINCT request_id FROM task WHERE status = $1 AND request_id IS NOT NULL`, [
      TaskStatus.FAILED,
    ]);
    return rows.map((r) => r.request_id);
  }

  /** The records the FAILED tasks of requests act on (few, as above). */
  async failedTaskRecords(): Promise<{ requestId: string; sourceId: string; recordId: string }[]> {
    const rows: { request_id: string; source_id: string; record_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT request_id, source_id, record_id FROM task WHERE status = $1 AND request_id IS NOT NULL`,
      [TaskStatus.FAILED],
    );
    return rows.map((r) => ({ requestId: r.request_id, sourceId: r.source_id, recordId: r.record_id }));
  }

  /** Tasks of these requests per source: succeeded, failed, still to finish (the request report). */
  async outcomesBySource(requestIds: readonly string[]): Promise<{ sourceId: string; applied: number; failed: number; open: number }[]> {
    const rows: { source_id: string; applied: number; failed: number; open: number }[] = await this.dataSource.query(
      `SELECT source_id,
              count(*) FILTER (WHERE status = $2)::int AS applied,
              count(*) FILTER (WHERE status = $3)::int AS failed,
              count(*) FILTER (WHERE status <> ALL($4))::int AS open
       FROM task WHERE request_id = ANY($1::uuid[]) GROUP BY source_id ORDER BY source_id`,
      [requestIds, TaskStatus.SUCCEEDED, TaskStatus.FAILED, [...TERMINAL_TASK_STATUSES]],
    );
    return rows.map((r) => ({ sourceId: r.source_id, applied: r.applied, failed: r.failed, open: r.open }));
  }

  /**
   * One QUEUED task per planned (source, record, action); a task that exists is left as it
   * is (the unique key). A task's first job id is its own id (taskJobId). Returns how many were added.
   */
  async insertPlanned(requestId: string, planned: readonly PlannedTaskRow[], m: EntityManager): Promise<number> {
    return this.insertQueued('request', requestId, planned, m);
  }

  /** FAILED tasks queued again, each under its fresh job id. */
  async requeueFailed(tasks: readonly { id: string; job_id: string | null }[], m: EntityManager): Promise<void> {
    await m.query(
      `UPDATE task SET status = $3, job_id = x.j, last_error = NULL, held_by_request_id = NULL, finished_at = NULL
         FROM unnest($1::uuid[], $2::text[]) AS x(i, j) WHERE task.id = x.i AND task.status = $4`,
      [tasks.map((t) => t.id), tasks.map((t) => t.job_id), TaskStatus.QUEUED, TaskStatus.FAILED],
    );
  }

  /** Open tasks whose jobs the queues lost, QUEUED again each under its fresh job id (a worker still on one records nothing: its attempt is no longer the latest RUNNING one). */
  async requeueStranded(tasks: readonly { id: string; job_id: string | null }[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE task SET status = $3, job_id = x.j FROM unnest($1::uuid[], $2::text[]) AS x(i, j) WHERE task.id = x.i AND task.status <> ALL($4::text[])`,
      [tasks.map((t) => t.id), tasks.map((t) => t.job_id), TaskStatus.QUEUED, TERMINAL],
    );
  }

  /** Open tasks failed without running (their request was withdrawn); returns the ids failed here. */
  async failStranded(taskIds: readonly string[], reason: string): Promise<string[]> {
    return rowsOf<{ id: string }>(
      await this.dataSource.query(
        `UPDATE task SET status = $3, last_error = $2, finished_at = now() WHERE id = ANY($1::uuid[]) AND status <> ALL($4::text[]) RETURNING id`,
        [taskIds, reason, TaskStatus.FAILED, TERMINAL],
      ),
    ).map((r) => r.id);
  }

  /** Tasks whose records verification still found, reopened under a fresh job id. */
  async reopen(requestId: string, taskIds: readonly string[], reason: string): Promise<TaskRow[]> {
    return rowsOf(
      await this.dataSource.query(
        `UPDATE task SET status = $4, job_id = id::text || '-reopen-' || attempts, last_error = $3, verified_at = NULL
          WHERE request_id = $1 AND id = ANY($2::uuid[]) RETURNING *`,
        [requestId, taskIds, reason, TaskStatus.REOPENED],
      ),
    );
  }

  /**
   * Marks these tasks of `sourceId` RUNNING (one more attempt) and returns those that were
   * still to run: a task already finished (a job delivered again after its result was
   * saved), or one of another source (a job on the wrong queue), is left out.
   */
  async startRunning(taskIds: readonly string[], sourceId: string): Promise<RunningTask[]> {
    return rowsOf<RunningTask>(
      await this.dataSource.query(
        `UPDATE task SET status = $2, attempts = attempts + 1, started_at = now(), updated_at = now()
          WHERE id = ANY($1::uuid[]) AND status = ANY($3::text[]) AND source_id = $4
          RETURNING id, request_id, retention_run_id, source_id, record_id, action, attempts, outcome, last_error`,
        [[...new Set(taskIds)], TaskStatus.RUNNING, OPEN, sourceId],
      ),
    );
  }

  /**
   * One statement for every outcome of a batch of attempts. An outcome is recorded only while
   * its attempt is still the task's latest: a worker that lost its hold on the job (stalled,
   * delivered again) and answers after a later attempt started must not overwrite that
   * attempt's result. Returns the ids recorded; a superseded attempt that changed the record
   * still counts in applied_count (a second statement, only then).
   */
  async saveOutcomes(rows: readonly TaskOutcomeRow[], durationMs: number): Promise<Set<string>> {
    const saved = rowsOf<{ id: string }>(
      await this.dataSource.query(
        `UPDATE task SET status = x.status, outcome = COALESCE(x.outcome, task.outcome), applied_count = applied_count + x.applied,
                attempts = attempts - x.refund, last_error = x.last_error, held_by_request_id = x.held_by, duration_ms = $7,
                finished_at = CASE WHEN x.status = ANY($8::text[]) THEN now() ELSE NULL END
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $9::int[], $11::uuid[]) AS x(id, status, outcome, applied, last_error, refund, attempt, held_by)
          WHERE task.id = x.id AND task.status = $10 AND task.attempts = x.attempt
          RETURNING task.id`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.status),
          rows.map((r) => r.outcome),
          rows.map((r) => r.applied),
          rows.map((r) => r.lastError),
          rows.map((r) => r.refund),
          durationMs,
          TERMINAL,
          rows.map((r) => r.attempt),
          TaskStatus.RUNNING,
          rows.map((r) => r.heldBy),
        ],
      ),
    );
    const ids = new Set(saved.map((r) => r.id));
    const superseded = rows.filter((r) => !ids.has(r.id) && r.applied > 0);
    if (superseded.length > 0) {
      await this.dataSource.query(
        `UPDATE task SET applied_count = applied_count + x.applied FROM unnest($1::uuid[], $2::int[]) AS x(id, applied) WHERE task.id = x.id`,
        [superseded.map((r) => r.id), superseded.map((r) => r.applied)],
      );
    }
    return ids;
  }

  /** Removals verification found gone. */
  async markVerified(taskIds: readonly string[], m: EntityManager): Promise<void> {
    if (taskIds.length > 0) await m.query(`UPDATE task SET verified_at = now() WHERE id = ANY($1::uuid[])`, [[...taskIds]]);
  }

  /**
   * R2, R10: of a request's erasing tasks, how many erased a record (applied) and how many are
   * at the source now (RUNNING). With `m` (the transaction refusing the request) the rows are
   * locked, so a worker's outcome lands wholly before or after the refusal: never a record
   * erased by a task the refusal counted as erasing nothing.
   */
  async erasuresOf(requestId: string, m: EntityManager = this.dataSource.manager, lock = false): Promise<{ erased: number; atSource: number }> {
    const [row] = (await m.query(
      `SELECT count(*) FILTER (WHERE applied_count > 0)::int AS erased, count(*) FILTER (WHERE status = $3)::int AS "atSource"
         FROM (SELECT applied_count, status FROM task WHERE request_id = $1 AND action = ANY($2::text[]) ORDER BY id ${lock ? 'FOR UPDATE' : ''}) t`,
      [requestId, ERASING, TaskStatus.RUNNING],
    )) as { erased: number; atSource: number }[];
    return row!;
  }

  /**
   * A task for a record found again after its erasure (the recreation sweep): a new QUEUED
   * task, or the SUCCEEDED one queued again; none when one is already open.
   */
  async queueRecreated(requestId: string, sourceId: string, recordId: string, action: string): Promise<TaskRow | undefined> {
    const [task] = rowsOf<TaskRow>(
      await this.dataSource.query(
        `INSERT INTO task (request_id, source_id, record_id, action, status, last_error)
         VALUES ($1, $2, $3, $4, $5, 'RECREATED: found again by the recreation sweep')
         ON CONFLICT (request_id, source_id, record_id, action) DO UPDATE SET status = $5, updated_at = now()
           WHERE task.status = $6
         RETURNING *`,
        [requestId, sourceId, recordId, action, TaskStatus.QUEUED, TaskStatus.SUCCEEDED],
      ),
    );
    return task;
  }

  // ---- retention runs (R9) ----

  /** One QUEUED task per planned item of a run; one that exists is left as it is (task_run_key). Returns how many were added. */
  async insertPlannedForRun(runId: string, planned: readonly PlannedTaskRow[], m: EntityManager): Promise<number> {
    return this.insertQueued('run', runId, planned, m);
  }

  /** The one insert of planned tasks, under their owner's unique key (task_key for a request, task_run_key for a run). */
  private async insertQueued(owner: keyof typeof TASK_OWNERS, ownerId: string, planned: readonly PlannedTaskRow[], m: EntityManager): Promise<number> {
    if (planned.length === 0) return 0;
    const { column, conflict } = TASK_OWNERS[owner];
    return rowsOf(
      await m.query(
        `INSERT INTO task (id, ${column}, source_id, record_id, action, status, job_id)
         SELECT i, $1, s, r, a, $5, i::text FROM (SELECT gen_random_uuid() AS i, * FROM unnest($2::text[], $3::text[], $4::text[]) AS u(s, r, a)) x
         ON CONFLICT ${conflict} DO NOTHING RETURNING id`,
        [ownerId, planned.map((p) => p.sourceId), planned.map((p) => p.recordId), planned.map((p) => p.action), TaskStatus.QUEUED],
      ),
    ).length;
  }

  /** A run's task rows, optionally only those in these statuses. */
  async rowsOfRun(runId: string, statuses?: readonly TaskStatus[], m: EntityManager = this.dataSource.manager): Promise<RunTaskRow[]> {
    return m.query(
      `SELECT ${COLUMNS}, retention_run_id, verified_at FROM task WHERE retention_run_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[])) ORDER BY source_id, record_id, action`,
      [runId, statuses ? [...statuses] : null],
    );
  }

  /** A run's tasks whose records verification still found, reopened under a fresh job id. */
  async reopenOfRun(runId: string, taskIds: readonly string[], reason: string): Promise<RunTaskRow[]> {
    return rowsOf(
      await this.dataSource.query(
        `UPDATE task SET status = $4, job_id = id::text || '-reopen-' || attempts, last_error = $3, verified_at = NULL
          WHERE retention_run_id = $1 AND id = ANY($2::uuid[]) RETURNING *`,
        [runId, taskIds, reason, TaskStatus.REOPENED],
      ),
    );
  }

  /** Tasks of runs by status (the /metrics gauge of retention work). */
  async runOutcomes(runIds: readonly string[]): Promise<{ runId: string; status: string; n: number }[]> {
    const rows: { retention_run_id: string; status: string; n: number }[] = await this.dataSource.query(
      `SELECT retention_run_id, status, count(*)::int AS n FROM task WHERE retention_run_id = ANY($1::uuid[]) GROUP BY retention_run_id, status`,
      [[...runIds]],
    );
    return rows.map((r) => ({ runId: r.retention_run_id, status: r.status, n: r.n }));
  }

  /**
   * Of these requests (or retention runs), those none of whose tasks was created, queued again
   * by the recreation sweep (updated_at), started or finished since `since`.
   */
  async quietSince(owner: keyof typeof TASK_OWNERS, ownerIds: readonly string[], since: Date): Promise<string[]> {
    if (ownerIds.length === 0) return [];
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM unnest($1::uuid[]) AS r(id)
        WHERE NOT EXISTS (SELECT 1 FROM task t WHERE t.${TASK_OWNERS[owner].column} = r.id
                            AND GREATEST(t.created_at, t.updated_at, t.started_at, t.finished_at) >= $2)`,
      [[...ownerIds], since],
    );
    return rows.map((r) => r.id);
  }

  async setJobId(taskId: string, jobId: string): Promise<void> {
    await this.dataSource.query(`UPDATE task SET job_id = $2 WHERE id = $1`, [taskId, jobId]);
  }
}
