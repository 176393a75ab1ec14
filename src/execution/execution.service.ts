// Turns an approved request into queued work: tombstones first (erasure), one task row
// per (source, record, action), then one BullMQ flow per request. Safe to call twice,
// even at once: the request row lock, the unique task key and deterministic job ids
// make the second call add nothing.
import type { EntityManager } from 'typeorm';
import type { PreparedExecution, RequestExecutor } from '../requests/services/request-executor.js';
import { withinTime } from '../domain/time-limit.js';
import { DomainError } from '../domain/errors.js';
import { concurrentUpdate, requestNotFound } from '../requests/services/request-errors.js';
import { rowsOf } from '../database/rows.js';
import { RequestStatus, RequestType } from '../domain/vocabulary.js';
import { AuditAction, type AuditRecordInput } from '../audit/index.js';
import { normaliseQueryIdentifiers, normaliseRecordIdentifiers, type NormalisedIdentifier } from '../identity/index.js';
import type { AnyFlowProducer, AnyQueue } from '../queue/queue-backend.js';
import { transition, type RequestEvent } from '../requests/state-machine.js';
import { auditActor, type ExecutionDeps } from './execution-deps.js';
import { openIdentifiers } from './request-secrets.js';
import { plannedTasks, REMOVING_ACTIONS, retryJobId, taskJobId } from './task-plan.js';
import { requestFlow, taskChild, type QueuedTask } from './task-jobs.js';

export interface RequestRow {
  id: string;
  type: string;
  status: string;
  identifiers_sealed: string;
  corrections_sealed: string | null;
}

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

const toQueued = (t: TaskRow): QueuedTask => ({ id: t.id, requestId: t.request_id, sourceId: t.source_id });

interface PreparedIdentifiers extends PreparedExecution {
  recordIdentifiers: NormalisedIdentifier[][];
}

function executionTimeout(requestId: string, what: string): DomainError {
  return new DomainError('EXECUTION_TIMEOUT', `Execution stopped: ${what} in time; no tombstone or task was written, call executeRequest again`, { requestId });
}

export class ExecutionService implements RequestExecutor {
  private flows: AnyFlowProducer | null = null;
  private readonly queues = new Map<string, AnyQueue>();

  constructor(private readonly deps: ExecutionDeps) {}

  get settings() {
    return this.deps.settings;
  }

  get timeLimitMs(): number {
    return this.deps.settings.executeTimeoutMs;
  }

  /**
   * Identifiers of the confirmed records, read from the sources before anything changes (a
   * source call must not hold the request lock): feeds carrying any of them are blocked
   * too. A source that does not answer within EXECUTE_TIMEOUT_MS fails the whole call.
   */
  async prepare(requestId: string): Promise<PreparedIdentifiers> {
    // Reads only: abandoned on time-out, it leaves nothing behind.
    const gather = async (): Promise<PreparedIdentifiers> => {
      const request = await this.loadRequest(requestId);
      const planning = (request.status === RequestStatus.APPROVED || request.status === RequestStatus.EXECUTING || request.status === RequestStatus.IN_REVIEW) && !(await this.hasTasks(requestId));
      if (request.type !== RequestType.ERASURE || !planning) return { requestId, recordIdentifiers: [] };
      return { requestId, recordIdentifiers: await this.confirmedRecordIdentifiers(requestId) };
    };
    return withinTime(gather(), this.deps.settings.executeTimeoutMs, () => executionTimeout(requestId, 'a source did not answer'));
  }

  async execute(requestId: string, actor: string, prepared?: PreparedExecution): Promise<void> {
    const { keyrings } = this.deps;
    const given = prepared && prepared.requestId === requestId ? (prepared as PreparedIdentifiers) : undefined;
    const { recordIdentifiers } = given ?? (await this.prepare(requestId));
    const result = await this.boundedTransaction(requestId, this.deps.settings.executeTimeoutMs, async (m) => {
      const [locked] = (await m.query(`SELECT id, type, status, identifiers_sealed, corrections_sealed FROM data_subject_request WHERE id = $1 FOR UPDATE`, [requestId])) as RequestRow[];
      if (!locked) throw requestNotFound(requestId);
      // APPROVED: we move it to EXECUTING. EXECUTING: the lifecycle service moved it (or a
      // first call did); planning again adds nothing that exists, and the same jobs are re-added.
      if (locked.status !== RequestStatus.APPROVED && locked.status !== RequestStatus.EXECUTING) {
        throw new DomainError('INVALID_TRANSITION', `Cannot execute a request in state ${locked.status}`, { currentStatus: locked.status });
      }
      const now = new Date();
      // Appended together at the end: the audit chain's lock is then held only for the commit.
      const audits: AuditRecordInput[] = [];
      if (locked.type === RequestType.ERASURE) {
        // Tombstones first, in the same transaction as the tasks: feeds are blocked before any job runs.
        const person = normaliseQueryIdentifiers(openIdentifiers(keyrings.encryption, locked));
        const written = await this.deps.tombstones.recordAll(requestId, [person, ...recordIdentifiers], now, m);
        if (written > 0) {
          audits.push({ actor: auditActor(actor), action: AuditAction.TOMBSTONE_WRITE, target: { type: 'request', id: requestId }, params: { written }, outcome: 'SUCCESS' });
        }
      }
      const decisions: { source_id: string; record_id: string; action: string; follow_up_action: string | null }[] = await m.query(
        `SELECT source_id, record_id, action, follow_up_action FROM record_decision WHERE request_id = $1 ORDER BY id`,
        [requestId],
      );
      const planned = plannedTasks(decisions.map((d) => ({ sourceId: d.source_id, recordId: d.record_id, action: d.action, followUpAction: d.follow_up_action })));
      let inserted = 0;
      if (planned.length > 0) {
        // A task's first job id is its own id (taskJobId), so both are set in the insert.
        inserted = rowsOf(await m.query(
          `INSERT INTO task (id, request_id, source_id, record_id, action, status, job_id)
           SELECT i, $1, s, r, a, 'QUEUED', i::text FROM (SELECT gen_random_uuid() AS i, * FROM unnest($2::text[], $3::text[], $4::text[]) AS u(s, r, a)) x
           ON CONFLICT (request_id, source_id, record_id, action) DO NOTHING RETURNING id`,
          [requestId, planned.map((p) => p.sourceId), planned.map((p) => p.recordId), planned.map((p) => p.action)],
        )).length;
      }
      const fresh = locked.status === RequestStatus.APPROVED;
      if (fresh) await this.move(m, requestId, RequestStatus.APPROVED, 'startExecution', actor, now, null);
      if (fresh || inserted > 0) {
        audits.push({ actor: auditActor(actor), action: AuditAction.REQUEST_EXECUTE, target: { type: 'request', id: requestId }, params: { tasks: inserted }, outcome: 'SUCCESS' });
      }
      const queued = { tasks: await this.tasksWithStatus(m, requestId, ['QUEUED']), round: await this.executionRound(m, requestId), fresh };
      await this.deps.audit.recordAll(audits, m);
      return queued;
    });
    await this.enqueueRound(requestId, result.tasks, result.round);
    this.deps.logger.info({ requestId, tasks: result.tasks.length, fresh: result.fresh }, 'request execution queued');
  }

  /**
   * A transaction that gives up after `ms` (a gateway table locked by someone else): it
   * rolls back whole, so no tombstone, task or status change is left half-way.
   */
  private async boundedTransaction<T>(requestId: string, ms: number, work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.deps.dataSource.transaction(async (m) => {
        await m.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $1, true)`, [`${ms}ms`]);
        return work(m);
      });
    } catch (error) {
      // 55P03 lock_not_available, 57014 query_canceled (statement timeout).
      const code = (error as { code?: string }).code ?? (error as { driverError?: { code?: string } }).driverError?.code;
      if (code === '55P03' || code === '57014') throw executionTimeout(requestId, 'the gateway database did not answer');
      throw error;
    }
  }

  /**
   * Re-queues only the FAILED tasks (fresh job ids) and puts the request back to EXECUTING;
   * the finaliser then verifies again, so removals it could not check before (a source down
   * while it looked) are checked now, even when no task failed.
   */
  async retryFailed(requestId: string, actor: string): Promise<void> {
    const result = await this.deps.dataSource.transaction(async (m) => {
      const [locked] = (await m.query(`SELECT id, status FROM data_subject_request WHERE id = $1 FOR UPDATE`, [requestId])) as RequestRow[];
      if (!locked) throw requestNotFound(requestId);
      if (locked.status !== RequestStatus.PARTIALLY_COMPLETED) {
        throw new DomainError('INVALID_TRANSITION', `Cannot retry tasks of a request in state ${locked.status}`, { currentStatus: locked.status });
      }
      const failed = await this.tasksWithStatus(m, requestId, ['FAILED']);
      const unverified = await this.unverifiedRemovals(m, requestId);
      if (failed.length === 0 && unverified.length === 0) {
        throw new DomainError('NO_FAILED_TASKS', 'The request has no failed tasks to retry and no removal left to verify');
      }
      for (const t of failed) t.job_id = retryJobId(t.id, t.attempts);
      await m.query(
        `UPDATE task SET status = 'QUEUED', job_id = x.j, last_error = NULL, finished_at = NULL
           FROM unnest($1::uuid[], $2::text[]) AS x(i, j) WHERE task.id = x.i AND task.status = 'FAILED'`,
        [failed.map((t) => t.id), failed.map((t) => t.job_id)],
      );
      const now = new Date();
      const what = `${failed.length} failed task(s) re-queued; ${unverified.length} removal(s) to verify again`;
      await this.move(m, requestId, RequestStatus.PARTIALLY_COMPLETED, 'retryFailedTasks', actor, now, what);
      await this.deps.audit.record(
        {
          actor: auditActor(actor),
          action: AuditAction.REQUEST_RETRY_FAILED_TASKS,
          target: { type: 'request', id: requestId },
          params: { tasks: failed.map((t) => t.id), verifyAgain: unverified.map((t) => t.id) },
          outcome: 'SUCCESS',
        },
        m,
      );
      return { tasks: failed, round: await this.executionRound(m, requestId) };
    });
    await this.enqueueRound(requestId, result.tasks, result.round);
  }

  /** Reopens tasks whose records verification still found, and queues them in a new round. */
  async reopen(requestId: string, taskIds: readonly string[], round: string, verifications: number, reason: string): Promise<void> {
    const tasks: TaskRow[] = rowsOf(await this.deps.dataSource.query(
      `UPDATE task SET status = 'REOPENED', job_id = id::text || '-reopen-' || attempts, last_error = $3, verified_at = NULL
        WHERE request_id = $1 AND id = ANY($2::uuid[]) RETURNING *`,
      [requestId, taskIds, reason],
    ));
    await this.enqueueRound(requestId, tasks, round, verifications);
  }

  /** Queues one extra task outside a flow (recreation sweep: the original request is closed). */
  async enqueueSingle(task: TaskRow): Promise<void> {
    const child = taskChild(this.deps.settings, toQueued(task), task.job_id ?? task.id);
    await this.queue(child.queueName).add(child.name, child.data, child.opts);
  }

  /** The tasks of a request still to be added to the queues (the fan-out job's work). */
  async pendingTasks(requestId: string): Promise<TaskRow[]> {
    return this.tasksWithStatus(this.deps.dataSource.manager, requestId, ['QUEUED', 'REOPENED']);
  }

  jobIdOf(task: TaskRow): string {
    return task.job_id ?? taskJobId(task.id);
  }

  queue(name: string): AnyQueue {
    let q = this.queues.get(name);
    if (!q) {
      q = this.deps.queues.queue(name);
      this.queues.set(name, q);
    }
    return q;
  }

  private async enqueueRound(requestId: string, tasks: TaskRow[], round: string, verifications = 0): Promise<void> {
    this.flows ??= this.deps.queues.flowProducer();
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const flow = requestFlow(this.deps.settings, requestId, tasks.map(toQueued), round, verifications, (t) => this.jobIdOf(byId.get(t.id)!));
    await this.flows.add(flow);
  }

  private async loadRequest(requestId: string): Promise<RequestRow> {
    const [row] = (await this.deps.dataSource.query(`SELECT id, type, status, identifiers_sealed, corrections_sealed FROM data_subject_request WHERE id = $1`, [requestId])) as RequestRow[];
    if (!row) throw requestNotFound(requestId);
    return row;
  }

  /** Identifiers of the records matched (or confirmed) at verification, grouped per record. */
  private async confirmedRecordIdentifiers(requestId: string): Promise<NormalisedIdentifier[][]> {
    const rows: { source_id: string; record_id: string }[] = await this.deps.dataSource.query(
      // AUTO: a MATCH at verification; CONFIRMED: a REVIEW record the handler confirmed.
      `SELECT source_id, record_id FROM request_record WHERE request_id = $1 AND review_state IN ('AUTO', 'CONFIRMED')`,
      [requestId],
    );
    const bySource = new Map<string, string[]>();
    for (const r of rows) bySource.set(r.source_id, [...(bySource.get(r.source_id) ?? []), r.record_id]);
    // Sources are asked in parallel: one slow source must not hold up the others.
    const perSource = await Promise.all(
      [...bySource].map(async ([sourceId, recordIds]) => {
        try {
          const connector = await this.deps.sources.connector(sourceId);
          const records = await connector.export(recordIds.map((recordId) => ({ sourceId, recordId })));
          return records
            .filter((r) => r.relationship === 'SUBJECT' || r.relationship === 'VISITOR')
            .map((r) => normaliseRecordIdentifiers(r.identifiers));
        } catch (error) {
          // The request's own identifiers are tombstoned regardless; a source down now only loses its extra ones.
          this.deps.logger.warn({ requestId, sourceId, err: (error as Error).message }, 'could not export records for tombstones');
          return [];
        }
      }),
    );
    return perSource.flat();
  }

  /** Removals that succeeded but that verification has not confirmed (it could not look, or found them). */
  private async unverifiedRemovals(m: EntityManager, requestId: string): Promise<TaskRow[]> {
    return m.query(`SELECT * FROM task WHERE request_id = $1 AND status = 'SUCCEEDED' AND verified_at IS NULL AND action = ANY($2::text[])`, [requestId, [...REMOVING_ACTIONS]]);
  }

  private async hasTasks(requestId: string): Promise<boolean> {
    const rows = await this.deps.dataSource.query(`SELECT 1 FROM task WHERE request_id = $1 LIMIT 1`, [requestId]);
    return rows.length > 0;
  }

  private async tasksWithStatus(m: EntityManager, requestId: string, statuses: string[]): Promise<TaskRow[]> {
    return m.query(`SELECT * FROM task WHERE request_id = $1 AND status = ANY($2::text[]) ORDER BY source_id, record_id, action`, [requestId, statuses]);
  }

  private async executionRound(m: EntityManager, requestId: string): Promise<string> {
    const [row] = await m.query(`SELECT count(*)::int AS n FROM request_transition WHERE request_id = $1 AND to_status = 'EXECUTING'`, [requestId]);
    return String(Math.max(0, (row?.n ?? 1) - 1));
  }

  /** Records a status change (checked by the state machine where it knows the move). */
  async move(m: EntityManager, requestId: string, from: RequestStatus, event: RequestEvent, actor: string, at: Date, reason: string | null): Promise<void> {
    const to = transition({ status: from }, event, { actor, at, reason }).state.status;
    const updated = rowsOf(await m.query(`UPDATE data_subject_request SET status = $2, updated_at = now(), version = version + 1 WHERE id = $1 AND status = $3 RETURNING id`, [requestId, to, from]));
    if (updated.length === 0) {
      throw concurrentUpdate(requestId);
    }
    await m.query(
      `INSERT INTO request_transition (request_id, from_status, to_status, event, actor, at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [requestId, from, to, event, actor, at, reason],
    );
  }

  async close(): Promise<void> {
    await this.flows?.close();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
