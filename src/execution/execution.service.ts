// Turns an approved request into queued work: tombstones first (any request that erases), one task row
// per (source, record, action), then one BullMQ flow per request. Safe to call twice,
// even at once: the request row lock, the unique task key and deterministic job ids
// make the second call add nothing.
import type { EntityManager } from 'typeorm';
import type { PreparedExecution, RequestExecutor } from '../requests/services/request-executor.js';
import { withinTime } from '../domain/time-limit.js';
import { DomainError } from '../domain/errors.js';
import { concurrentUpdate, requestNotFound } from '../requests/request-errors.js';
import { RequestStatus, RequestType, TaskStatus } from '../domain/vocabulary.js';
import { AuditAction, type AuditRecordInput } from '../audit/index.js';
import { normaliseQueryIdentifiers, normaliseRecordIdentifiers, type NormalisedIdentifier } from '../identity/index.js';
import type { AnyFlowProducer, AnyQueue } from '../queue/queue-backend.js';
import { transition, type RequestEvent } from '../requests/state-machine.js';
import { auditActor, type ExecutionDeps } from './execution-deps.js';
import { openIdentifiers } from './request-secrets.js';
import { erasedByPlan, finaliseJobId, plannedTasks, retryJobId, stillPlanned, taskJobId } from './task-plan.js';
import { finaliseQueueName, jobIsLive, requestFlow, taskChild, taskQueueName, type QueuedTask } from './task-jobs.js';
import type { TaskRow } from './store/task.store.js';
import { stampRequeued, strandedTasks, withdrawnReason } from './stranded-work.js';
import type { ExecutionRequestRow } from '../requests/store/request.store.js';
import { safeFailureMessage } from '../sources/failure-code.js';

export type { TaskRow } from './store/task.store.js';

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
      const planning =
        (request.status === RequestStatus.APPROVED || request.status === RequestStatus.EXECUTING || request.status === RequestStatus.IN_REVIEW) &&
        !(await this.deps.stores.tasks.hasAny(requestId));
      if (!planning) return { requestId, recordIdentifiers: [] };
      if (request.type === RequestType.ERASURE) return { requestId, recordIdentifiers: await this.confirmedRecordIdentifiers(requestId) };
      // Another type tombstones only what it erases (R16: a child's online records).
      const erased = erasedByPlan(plannedTasks(await this.deps.stores.requests.decisionsToPlan(this.deps.dataSource.manager, requestId)));
      if (erased.length === 0) return { requestId, recordIdentifiers: [] };
      return { requestId, recordIdentifiers: await this.confirmedRecordIdentifiers(requestId, erased) };
    };
    return withinTime(gather(), this.deps.settings.executeTimeoutMs, () => executionTimeout(requestId, 'a source did not answer'));
  }

  async execute(requestId: string, actor: string, prepared?: PreparedExecution): Promise<void> {
    const { keyrings } = this.deps;
    const given = prepared && prepared.requestId === requestId ? (prepared as PreparedIdentifiers) : undefined;
    const { recordIdentifiers } = given ?? (await this.prepare(requestId));
    const result = await this.boundedTransaction(requestId, this.deps.settings.executeTimeoutMs, async (m) => {
      const locked = await this.deps.stores.requests.lockForExecution(m, requestId);
      if (!locked) throw requestNotFound(requestId);
      // APPROVED: we move it to EXECUTING. EXECUTING: the lifecycle service moved it (or a
      // first call did); planning again adds nothing that exists, and the same jobs are re-added.
      if (locked.status !== RequestStatus.APPROVED && locked.status !== RequestStatus.EXECUTING) {
        throw new DomainError('INVALID_TRANSITION', `Cannot execute a request in state ${locked.status}`, { currentStatus: locked.status });
      }
      const now = new Date();
      // Appended together at the end: the audit chain's lock is then held only for the commit.
      const audits: AuditRecordInput[] = [];
      const planned = plannedTasks(await this.deps.stores.requests.decisionsToPlan(m, requestId));
      // An erasure request, or any request whose plan erases a record (R16: a child's online
      // records after access): the person erased must not be recreated by the next feed (R10).
      if (locked.type === RequestType.ERASURE || erasedByPlan(planned).length > 0) {
        // Tombstones first, in the same transaction as the tasks: feeds are blocked before any job runs.
        const person = normaliseQueryIdentifiers(openIdentifiers(keyrings.encryption, locked));
        const written = await this.deps.tombstones.recordAll(requestId, [person, ...recordIdentifiers], now, m);
        if (written > 0) {
          audits.push({
            actor: auditActor(actor),
            action: AuditAction.TOMBSTONE_WRITE,
            target: { type: 'request', id: requestId },
            params: { written },
            outcome: 'SUCCESS',
          });
        }
      }
      // A task's first job id is its own id (taskJobId): the store sets both in the insert.
      const inserted = await this.deps.stores.tasks.insertPlanned(requestId, planned, m);
      const fresh = locked.status === RequestStatus.APPROVED;
      if (fresh) await this.move(m, requestId, RequestStatus.APPROVED, 'startExecution', actor, now, null);
      if (fresh || inserted > 0) {
        audits.push({
          actor: auditActor(actor),
          action: AuditAction.REQUEST_EXECUTE,
          target: { type: 'request', id: requestId },
          params: { tasks: inserted },
          outcome: 'SUCCESS',
        });
      }
      const queued = {
        tasks: await this.deps.stores.tasks.withStatus(requestId, [TaskStatus.QUEUED], m),
        round: await this.deps.stores.requests.executionRound(requestId, m),
        fresh,
      };
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
   * while it looked) are checked now, even when no task failed. `withhold` stores, under the
   * request's lock and in the same transaction, the decisions the search again withheld: their
   * tasks are no longer planned and stay as they are, and the finaliser answers again.
   */
  async retryFailed(requestId: string, actor: string, withhold?: (m: EntityManager) => Promise<void>): Promise<void> {
    const result = await this.deps.dataSource.transaction(async (m) => {
      const locked = await this.deps.stores.requests.lockForExecution(m, requestId);
      if (!locked) throw requestNotFound(requestId);
      if (locked.status !== RequestStatus.PARTIALLY_COMPLETED) {
        throw new DomainError('INVALID_TRANSITION', `Cannot retry tasks of a request in state ${locked.status}`, { currentStatus: locked.status });
      }
      if (withhold) await withhold(m);
      const failed = stillPlanned(
        await this.deps.stores.tasks.withStatus(requestId, [TaskStatus.FAILED], m),
        await this.deps.stores.requests.decisionsToPlan(m, requestId),
      );
      const unverified = await this.deps.stores.tasks.unverifiedRemovals(requestId, m);
      if (failed.length === 0 && unverified.length === 0 && !withhold) {
        throw new DomainError('NO_FAILED_TASKS', 'The request has no failed tasks to retry and no removal left to verify');
      }
      for (const t of failed) t.job_id = retryJobId(t.id, t.attempts);
      await this.deps.stores.tasks.requeueFailed(failed, m);
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
      return { tasks: failed, round: await this.deps.stores.requests.executionRound(requestId, m) };
    });
    await this.enqueueRound(requestId, result.tasks, result.round);
  }

  /** Reopens tasks whose records verification still found, and queues them in a new round. */
  async reopen(requestId: string, taskIds: readonly string[], round: string, verifications: number, reason: string): Promise<void> {
    const tasks = await this.deps.stores.tasks.reopen(requestId, taskIds, reason);
    await this.enqueueRound(requestId, tasks, round, verifications);
  }

  /**
   * Work the queues no longer hold: Redis flushed or restarted without its data, a task job
   * that failed for good before its task recorded an outcome (a worker that died too often),
   * a finalise job that gave up. For each request EXECUTING with nothing moved since
   * `quietSince`, its open tasks whose job is gone are queued again under fresh job ids with
   * a new finalise parent; one with no open task gets the parent alone, so verification runs
   * and the request closes. A closed request's open tasks (the recreation sweep queues them
   * alone) whose job is gone are queued again alone, with no task activity since `quietSince`.
   * The task table is the truth; audited. Returns the requests queued again.
   */
  async requeueStranded(quietSince: Date, actor = 'system:scheduler'): Promise<string[]> {
    const { requests, tasks: taskStore } = this.deps.stores;
    const requeued: string[] = [];
    const liveTask = (t: TaskRow) => jobIsLive(this.queue(taskQueueName(t.source_id)), this.jobIdOf(t));
    for (const requestId of await taskStore.quietSince('request', await requests.executingQuietSince(quietSince), quietSince)) {
      const gone = await strandedTasks(
        await taskStore.rowsOfRequests([requestId]),
        liveTask,
        // The first round's parent may still be waiting for a worker (a later round's is not looked up; a second parent closes nothing twice).
        async () => jobIsLive(this.queue(finaliseQueueName), finaliseJobId(requestId, await requests.executionRound(requestId))),
      );
      if (!gone) continue;
      const round = await this.requeueGone(requestId, gone, actor);
      await this.enqueueRound(requestId, gone, round);
      requeued.push(requestId);
    }
    const closed = await taskStore.quietSince('request', await requests.closedAmong(await taskStore.requestsWithOpenTasks()), quietSince);
    const withdrawn = await requests.withdrawnRequests(closed);
    for (const requestId of closed) {
      const gone = await strandedTasks(await taskStore.rowsOfRequests([requestId]), liveTask, null);
      if (!gone) continue;
      // R2: a rejected or cancelled request's task would only fail when run; it fails here, unqueued.
      const reason = withdrawnReason(withdrawn.get(requestId));
      if (reason) {
        await this.failGone(requestId, gone, reason, actor);
        continue;
      }
      await this.requeueGone(requestId, gone, actor);
      for (const task of gone) await this.enqueueSingle(task);
      requeued.push(requestId);
    }
    return requeued;
  }

  /** Fresh job ids for a request's stranded tasks, QUEUED again, audited and logged; returns the round name of their new parent. */
  private async requeueGone(requestId: string, gone: TaskRow[], actor: string): Promise<string> {
    const round = stampRequeued(gone, Date.now());
    await this.deps.stores.tasks.requeueStranded(gone);
    await this.deps.audit.record({
      actor: auditActor(actor),
      action: AuditAction.REQUEST_REQUEUE_STRANDED,
      target: { type: 'request', id: requestId },
      params: { tasks: gone.map((t) => t.id) },
      outcome: 'SUCCESS',
    });
    this.deps.logger.warn({ requestId, tasks: gone.length }, 'stranded request work queued again');
    return round;
  }

  /** Lost tasks of a withdrawn request failed with `reason`, without queueing; audited once, logged. */
  private async failGone(requestId: string, gone: TaskRow[], reason: string, actor: string): Promise<void> {
    const failed = await this.deps.stores.tasks.failStranded(
      gone.map((t) => t.id),
      reason,
    );
    if (failed.length === 0) return;
    await this.deps.audit.record({
      actor: auditActor(actor),
      action: AuditAction.REQUEST_FAIL_STRANDED,
      target: { type: 'request', id: requestId },
      params: { tasks: failed, reason },
      outcome: 'FAILED',
    });
    this.deps.logger.warn({ requestId, tasks: failed.length }, 'stranded tasks of a withdrawn request failed');
  }

  /** Queues one extra task outside a flow (recreation sweep: the original request is closed). */
  async enqueueSingle(task: TaskRow): Promise<void> {
    const child = taskChild(this.deps.settings, toQueued(task), task.job_id ?? task.id);
    await this.queue(child.queueName).add(child.name, child.data, child.opts);
  }

  /** The tasks of a request still to be added to the queues (the fan-out job's work). */
  async pendingTasks(requestId: string): Promise<TaskRow[]> {
    return this.deps.stores.tasks.withStatus(requestId, [TaskStatus.QUEUED, TaskStatus.REOPENED]);
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

  private async loadRequest(requestId: string): Promise<ExecutionRequestRow> {
    const row = await this.deps.stores.requests.executionRow(requestId);
    if (!row) throw requestNotFound(requestId);
    return row;
  }

  /** Identifiers of the records matched (or confirmed) at verification, grouped per record; with `only`, of those records alone. */
  private async confirmedRecordIdentifiers(requestId: string, only?: readonly { sourceId: string; recordId: string }[]): Promise<NormalisedIdentifier[][]> {
    const wanted = only ? new Set(only.map((r) => `${r.sourceId}\u0000${r.recordId}`)) : null;
    const rows = (await this.deps.stores.requests.actedOnRecordRefs(requestId)).filter((r) => !wanted || wanted.has(`${r.source_id}\u0000${r.record_id}`));
    const bySource = new Map<string, string[]>();
    for (const r of rows) bySource.set(r.source_id, [...(bySource.get(r.source_id) ?? []), r.record_id]);
    // Sources are asked in parallel: one slow source must not hold up the others.
    const perSource = await Promise.all(
      [...bySource].map(async ([sourceId, recordIds]) => {
        try {
          const connector = await this.deps.sources.connector(sourceId);
          const records = await connector.export(recordIds.map((recordId) => ({ sourceId, recordId })));
          // Read as the source wrote them: a national number in its phone country, as its feed will ask.
          const reading = await this.deps.sources.readingOf(sourceId);
          return records
            .filter((r) => r.relationship === 'SUBJECT' || r.relationship === 'VISITOR')
            .map((r) => normaliseRecordIdentifiers(r.identifiers, reading));
        } catch (error) {
          // The request's own identifiers are tombstoned regardless; a source down now only loses its extra ones.
          this.deps.logger.warn({ requestId, sourceId, err: safeFailureMessage(error) }, 'could not export records for tombstones');
          return [];
        }
      }),
    );
    return perSource.flat();
  }

  /** Records a status change (checked by the state machine where it knows the move). */
  async move(m: EntityManager, requestId: string, from: RequestStatus, event: RequestEvent, actor: string, at: Date, reason: string | null): Promise<void> {
    const to = transition({ status: from }, event, { actor, at, reason }).state.status;
    const moved = await this.deps.stores.requests.applyMoves(m, [
      { requestId, from, fields: { status: to }, transitions: [{ requestId, from, to, event, actor, at, reason }] },
    ]);
    if (!moved.has(requestId)) {
      throw concurrentUpdate(requestId);
    }
  }

  async close(): Promise<void> {
    await this.flows?.close();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
