// Runs tasks: the connector's erase, correct or restrict, and the outcome persisted in the
// task table. Connectors are idempotent (a repeat answers ALREADY_APPLIED or NOT_FOUND),
// and applied_count counts only APPLIED, so the table proves the effect happened once
// even when a job runs twice (crash, stalled lock, retry).
//
// The jobs of one source that run at the same time in this process are grouped: one
// statement marks them running, one batched connector call (eraseMany, restrictMany)
// applies them where the connector has it, and one statement records the outcomes.
// Each job still succeeds, retries or fails on its own (settleAttempt).
import type DataLoader from 'dataloader';
import type { ActionResult, Connector, ErasurePlan, FieldChange, RecordRef, SourceDescription, SourceRecord } from '../../connectors/contract.js';
import { RecordAction, sourceRulesOf } from '../domain/vocabulary.js';
import { withdrawnReason } from './stranded-work.js';
import { ERASING_ACTIONS, legalHoldOf, mayHoldByStatute, mayHoldPersonnelFiles, personnelFileHold, type DecisionRecord } from '../requests/decisions.js';
import { cannotAnnotate } from '../requests/rectification.js';
import type { RefusingControllers } from '../requests/store/request.store.js';
import { flightLimitedLoader } from '../domain/flight-limited-loader.js';
import { KeptReason, planRetentionItem, type RecordHold } from '../retention/retention-plan.js';
import { AuditAction } from '../audit/index.js';
import type { ExecutionDeps } from './execution-deps.js';
import { openCorrections } from './request-secrets.js';
import { uncorrectedFields } from './correction-check.js';
import { bindingHold, heldCode, HELD_BY_RETAIN, sharedHold, sharedHoldError } from './binding-hold.js';
import { controllerChangedError } from './controller-change.js';
import { finalFailure } from './final-failure.js';
import { taskDuration, taskOutcomes } from './execution-metrics.js';
import type { TaskJobData } from './task-plan.js';
import type { RunningTask } from './store/task.store.js';
import {
  AppliedUnverified,
  HeldByRequest,
  PermanentTaskError,
  TaskTimeout,
  afterUnverified,
  settleAttempt,
  type AttemptInfo,
  type SettledAttempt,
} from './task-attempt.js';

export { PermanentTaskError, SourceRateLimited, TaskTimeout, type AttemptInfo } from './task-attempt.js';

type Answer = { outcome: string } | { skipped: string };

interface Attempt {
  job: TaskJobData;
  info: AttemptInfo;
}

/** A connector's answer for one task: its result, or the error that task's call ended in. */
type Applied = { result: ActionResult } | { error: unknown };

const ERASING: ReadonlySet<string> = ERASING_ACTIONS;

/** Batches in flight per source in one process: one being applied while the next fills. */
const BATCHES_IN_FLIGHT = 2;

export class TaskRunner {
  private readonly batches = new Map<string, DataLoader<Attempt, Answer, Attempt>>();

  constructor(private readonly deps: ExecutionDeps) {}

  run(job: TaskJobData, info: AttemptInfo): Promise<Answer> {
    let loader = this.batches.get(job.sourceId);
    if (!loader) {
      loader = flightLimitedLoader((attempts) => this.runBatch(job.sourceId, attempts), {
        maxBatchSize: this.deps.settings.taskBatchMax,
        maxInFlight: BATCHES_IN_FLIGHT,
      });
      this.batches.set(job.sourceId, loader);
    }
    return loader.load({ job, info });
  }

  private async runBatch(sourceId: string, attempts: readonly Attempt[]): Promise<Array<Answer | Error>> {
    // Only tasks of this source: a job's payload is not trusted to pair a task with the
    // queue it came through (a job added on another source's queue would apply the task's
    // record id to that other system).
    const rows = await this.deps.stores.tasks.startRunning(
      attempts.map((a) => a.job.taskId),
      sourceId,
    );
    // A task already finished (a job delivered again after its result was saved), named
    // twice in this batch, or of another source: nothing to do for that job.
    const byId = new Map(rows.map((t) => [t.id, t]));
    const running = attempts.map((a) => {
      const task = byId.get(a.job.taskId);
      byId.delete(a.job.taskId);
      return task;
    });
    const mine = running.flatMap((task, k) => (task ? [{ task, info: attempts[k]!.info }] : []));
    const tasks = mine.map((m) => m.task);
    const started = performance.now();
    const applied = tasks.length > 0 ? await this.applyAll(sourceId, tasks) : [];
    const ms = Math.round(performance.now() - started);

    const settled = new Map<string, SettledAttempt>();
    const now = new Date();
    mine.forEach(({ task, info }, i) => {
      const a = applied[i]!;
      const wait = { lastError: task.last_error, now, maxWaitMs: this.deps.settings.rateLimitedMaxMs };
      settled.set(task.id, afterUnverified('result' in a ? settleAttempt(a.result, info, true) : settleAttempt(a.error, info, false, wait), task));
    });
    // Only the outcomes of attempts still the task's latest are recorded, audited and answered.
    const saved = tasks.length > 0 ? await this.saveOutcomes(tasks, settled, ms) : new Set<string>();
    await this.afterRefusal(tasks.filter((t) => saved.has(t.id)));
    await Promise.all(
      tasks
        .filter((task) => saved.has(task.id))
        .map((task) => {
          const s = settled.get(task.id)!;
          taskOutcomes.inc({ source: task.source_id, action: task.action, outcome: s.metric });
          if (s.metric !== 'RATE_LIMITED') taskDuration.observe({ source: task.source_id, action: task.action }, ms / 1000);
          return s.audit ? this.auditTask(task, s.audit.outcome, s.audit.detail) : undefined;
        }),
    );
    return running.map((task) =>
      !task
        ? { skipped: 'task already finished, unknown or of another source' }
        : saved.has(task.id)
          ? settled.get(task.id)!.answer
          : { skipped: 'a later attempt of the task took over' },
    );
  }

  /**
   * R2, R10: a request refused while one of its erasing tasks was at the source kept its
   * tombstones (RequestActionsService.withdrawTombstones). Once its last such task has ended
   * without erasing anything, they go (audited `tombstone.withdraw`); one that erased keeps them.
   * Asked only after an erasing task of a request ends; one statement when none was refused.
   */
  private async afterRefusal(ended: readonly RunningTask[]): Promise<void> {
    const requestIds = requestIdsOf(ended.filter((t) => ERASING.has(t.action)));
    if (requestIds.length === 0) return;
    for (const requestId of (await this.deps.stores.requests.withdrawnRequests(requestIds)).keys()) {
      const { erased, atSource } = await this.deps.stores.tasks.erasuresOf(requestId);
      if (erased > 0 || atSource > 0) continue;
      const withdrawn = await this.deps.tombstones.withdrawForRequest(requestId);
      if (withdrawn === 0) continue;
      await this.deps.audit.record({
        actor: { id: 'system:worker', kind: 'worker' },
        action: AuditAction.TOMBSTONE_WITHDRAW,
        target: { type: 'request', id: requestId },
        params: { withdrawn },
        outcome: 'SUCCESS',
      });
    }
  }

  /** One statement for every outcome of the batch; returns the tasks whose outcome was recorded. */
  private async saveOutcomes(tasks: readonly RunningTask[], settled: Map<string, SettledAttempt>, ms: number): Promise<Set<string>> {
    return this.deps.stores.tasks.saveOutcomes(
      tasks.map((t) => ({ id: t.id, attempt: t.attempts, ...settled.get(t.id)!.row })),
      ms,
    );
  }

  /**
   * Applies every task of the batch, each answer in the tasks' order: erasures and
   * restrictions through the connector's batched call when it has one, the rest one by one.
   */
  private async applyAll(sourceId: string, tasks: readonly RunningTask[]): Promise<Applied[]> {
    let connector: Connector;
    try {
      connector = await this.deps.sources.connector(sourceId);
    } catch (error) {
      return tasks.map(() => ({ error }));
    }
    const out: Applied[] = new Array(tasks.length);
    // R8 and R6 at the moment of action: they bind whatever was decided, and whichever path made the task.
    const bound = await this.bindingRules(connector, sourceId, tasks);
    const indexed = tasks
      .map((t, i) => ({ t, i }))
      .filter(({ t, i }) => {
        const stop = bound.get(t.id);
        if (!stop) return true;
        out[i] = stop;
        return false;
      });
    const erasing = connector.eraseMany ? indexed.filter(({ t }) => ERASING.has(t.action)) : [];
    const restricting = connector.restrictMany ? indexed.filter(({ t }) => t.action === RecordAction.RESTRICT) : [];
    const batched = new Set([...erasing, ...restricting]);
    const calls = indexed
      .filter((member) => !batched.has(member))
      .map(async ({ t, i }) => {
        out[i] = await this.attempt((deadline) => this.apply(connector, t, deadline));
      });
    if (erasing.length > 0) {
      calls.push(this.inBatch(connector, erasing, out, () => connector.eraseMany!(erasing.map(({ t }) => ({ ref: refOf(t), plan: planOf(t) })))));
    }
    if (restricting.length > 0) {
      calls.push(
        this.inBatch(connector, restricting, out, () =>
          connector.restrictMany!(
            restricting.map(({ t }) => refOf(t)),
            true,
          ),
        ),
      );
    }
    await Promise.all(calls);
    return out;
  }

  /**
   * One batched call for `members`. If it fails with anything but a rate limit or a time-out,
   * its tasks are tried one by one, so one bad record fails only its own task.
   */
  private async inBatch(
    connector: Connector,
    members: readonly { t: RunningTask; i: number }[],
    out: Applied[],
    call: () => Promise<ActionResult[]>,
  ): Promise<void> {
    const batch = await this.attempt(call);
    if ('result' in batch && Array.isArray(batch.result) && batch.result.length === members.length) {
      members.forEach(({ i }, k) => (out[i] = { result: batch.result[k]! }));
      return;
    }
    const error = 'error' in batch ? batch.error : new Error('connector answered a different number of items');
    const whole = members.length === 1 || error instanceof TaskTimeout || (error as { code?: string }).code === 'RATE_LIMITED';
    await Promise.all(members.map(async ({ t, i }) => (out[i] = whole ? { error } : await this.attempt((deadline) => this.apply(connector, t, deadline)))));
  }

  /**
   * What stops a task now, whichever path made it (execution, a retry, a verification
   * re-run, the recreation sweep, whose records have no verification snapshot): an erasing
   * action on a record its source's retention holds by statute, judged from the record's
   * dates as the source holds them now (LEGAL_HOLD, R8); any action on a record whose
   * controller refused the task's request (CONTROLLER_REFUSED, R6). The records are read
   * from the source only when one of these can bind, so most batches cost nothing more.
   * A source that cannot be read fails the checked tasks like any connector error (retried).
   */
  private async bindingRules(connector: Connector, sourceId: string, tasks: readonly RunningTask[]): Promise<Map<string, Applied>> {
    const out = new Map<string, Applied>();
    const description = connector.describe();
    const statutory = mayHoldByStatute(description.kind, description.retention, description.rules);
    // R8: a hired candidate's application is the personnel file, hired perhaps after the decision or the run's approval.
    const holding = statutory || mayHoldPersonnelFiles(description.kind, description.rules);
    await this.withdrawnRequests(tasks, out);
    annotatedOnly(description, tasks, out);
    const refusing = await this.refusingRequests(sourceId, tasks);
    // R6: a request whose controllers instructed it acts only on records one of them still controls.
    const instructed = await this.deps.stores.requests.instructingControllers(sourceId, requestIdsOf(tasks));
    await this.recordHolds(sourceId, tasks, out);
    await this.sharedHolds(connector, sourceId, tasks, out);
    await this.retentionNowKeeps(connector, sourceId, description, tasks, out);
    const checked = tasks
      .filter((t) => !out.has(t.id))
      .filter((t) => (t.request_id !== null && (refusing.has(t.request_id) || instructed.has(t.request_id))) || (holding && ERASING.has(t.action)));
    if (checked.length === 0) return out;
    const ids = [...new Set(checked.map((t) => t.record_id))];
    const read = await this.attempt(() => connector.export(ids.map((recordId) => ({ sourceId, recordId }))));
    if ('error' in read) {
      for (const t of checked) out.set(t.id, { error: read.error });
      return out;
    }
    const records = new Map(read.result.map((r) => [r.recordId, r]));
    // R6: a controller that took its records back keeps them now; the group's hold does not bind its copy
    // of those records, and only of those (a record recreated since was never returned).
    const requestIds = [...new Set(checked.flatMap((t) => (t.request_id ? [t.request_id] : [])))];
    const returned =
      holding && requestIds.length ? await this.deps.stores.requests.returnedRecords(sourceId, requestIds, ids) : new Map<string, Map<string, string>>();
    const now = new Date();
    for (const t of checked) {
      const record = records.get(t.record_id);
      // Only the refusing controller's records: another controller's in the same source follow its own instruction.
      const refused = t.request_id ? refusing.get(t.request_id) : undefined;
      if (refused && ((record?.controllerId && refused.controllers.has(record.controllerId)) || refused.records.has(t.record_id))) {
        out.set(t.id, { error: new PermanentTaskError(finalFailure('CONTROLLER_REFUSED', 'the record’s controller refused the request (R6)')) });
        continue;
      }
      // Moved since to a controller that gave no instruction for this request (a contract handed
      // over): not this request's to change. Fails for good; the record stays as it is.
      const instructing = t.request_id ? instructed.get(t.request_id) : undefined;
      if (record?.controllerId && instructing && !instructing.has(record.controllerId)) {
        out.set(t.id, {
          error: new PermanentTaskError(controllerChangedError(t.action)),
        });
        continue;
      }
      // A record the source no longer has is under no hold: the action answers NOT_FOUND.
      if (!record || !holding || !ERASING.has(t.action)) continue;
      if (record.controllerId && t.request_id && returned.get(t.request_id)?.get(t.record_id) === record.controllerId) continue;
      const held = decisionRecordOfSource(record, description);
      const hold = (statutory ? legalHoldOf(held, description.retention, now) : null) ?? personnelFileHold(held);
      if (!hold) continue;
      const until = hold.until ? `; retained until ${hold.until.toISOString().slice(0, 10)}` : '; end of retention unknown from the record’s dates';
      out.set(t.id, { error: new PermanentTaskError(finalFailure('LEGAL_HOLD', `${t.action} refused, the record is kept under ${hold.basis}${until} (R8)`)) });
    }
    return out;
  }

  /**
   * R2: a request rejected or cancelled after its tasks were queued (the identity proved
   * false) acts on nothing more: its tasks fail for good with the reason, the records stay.
   * A batch already at the source when the request is rejected still finishes.
   */
  private async withdrawnRequests(tasks: readonly RunningTask[], out: Map<string, Applied>): Promise<void> {
    const requestIds = [...new Set(tasks.flatMap((t) => (t.request_id ? [t.request_id] : [])))];
    const withdrawn = await this.deps.stores.requests.withdrawnRequests(requestIds);
    for (const t of tasks) {
      const status = t.request_id ? withdrawn.get(t.request_id) : undefined;
      const reason = withdrawnReason(status);
      if (reason) out.set(t.id, { error: new PermanentTaskError(reason) });
    }
  }

  /**
   * Holds the gateway's own records put on a record after the task was queued, in one
   * statement per batch. A retention run's record (R9, R6) is held by an open request's
   * RETAIN or a controller's refusal since approval. A request's erasing or correcting task
   * is held by another open request's RETAIN on the same record (R8: a legal hold such as
   * litigation, or its wait for a controller): destroying or overwriting it would defeat that
   * request. Either fails for good with OPEN_REQUEST or CONTROLLER_REFUSED, and the record
   * stays as it is. The error text names no request (whoever reads this task's request reads
   * it, and the holding request may be outside their controllers): the holding request's id
   * goes to the task's held_by_request_id.
   */
  private async recordHolds(sourceId: string, tasks: readonly RunningTask[], out: Map<string, Applied>): Promise<void> {
    const checked = tasks.filter((t) => !out.has(t.id) && (t.retention_run_id !== null || HELD_BY_RETAIN.has(t.action)));
    if (checked.length === 0) return;
    const holds = await this.deps.stores.requests.recordHolds(sourceId, [...new Set(checked.map((t) => t.record_id))]);
    // When each task's request came: a restriction asked for after it holds its erasure.
    const restricted = [...holds.values()].some((hs) => hs.some((h) => h.restriction));
    const received = restricted
      ? await this.deps.stores.requests.receivedAt([...new Set(checked.flatMap((t) => (t.request_id ? [t.request_id] : [])))])
      : new Map<string, Date>();
    for (const t of checked) {
      const receivedAt = t.request_id ? (received.get(t.request_id) ?? null) : null;
      const hold = bindingHold({ requestId: t.request_id, action: t.action, receivedAt }, holds.get(t.record_id) ?? []);
      if (!hold) continue;
      const code = heldCode({ requestId: t.request_id }, hold);
      out.set(t.id, { error: new HeldByRequest(finalFailure(code, `left alone, ${heldBecause(t, hold)}`), hold.requestId) });
    }
  }

  /**
   * R8: an erasing task on a record whose data another record shares (footage that shows two
   * visits: the segments go whole), where a request keeps that other record, is left alone: its
   * erasure would destroy what the hold keeps. Asked of sources that can say (sharedWith), once
   * per batch, with the holds in one statement. A source that cannot answer fails the tasks (retried).
   */
  private async sharedHolds(connector: Connector, sourceId: string, tasks: readonly RunningTask[], out: Map<string, Applied>): Promise<void> {
    const erasing = connector.sharedWith ? tasks.filter((t) => !out.has(t.id) && ERASING.has(t.action)) : [];
    if (erasing.length === 0) return;
    const ids = [...new Set(erasing.map((t) => t.record_id))];
    const read = await this.attempt(() => connector.sharedWith!(ids.map((recordId) => ({ sourceId, recordId }))));
    if ('error' in read) {
      for (const t of erasing) out.set(t.id, { error: read.error });
      return;
    }
    const sharing = new Map(ids.map((id, k) => [id, (read.result[k] ?? []).filter((other) => other !== id)]));
    const holds = await this.deps.stores.requests.recordHolds(sourceId, [...new Set([...sharing.values()].flat())]);
    for (const t of erasing) {
      const hold = (sharing.get(t.record_id) ?? [])
        .map((other) => sharedHold({ requestId: t.request_id, action: t.action }, holds.get(other) ?? []))
        .find(Boolean);
      if (!hold) continue;
      out.set(t.id, {
        error: new HeldByRequest(sharedHoldError({ requestId: t.request_id }, hold), hold.requestId),
      });
    }
  }

  /**
   * R9: a retention run's record that its source's retention, as it is now, no longer lets go
   * (the source re-registered with a longer retention since the run was approved, or its record
   * dated anew), or lets go another way than approved (the source now anonymises or minimises
   * where the run deletes: the minimal record must stay), is left alone: its task fails for good
   * with the reason. Legal holds and personnel files are judged by bindingRules. A source that
   * cannot be read fails the tasks (retried).
   */
  private async retentionNowKeeps(
    connector: Connector,
    sourceId: string,
    description: SourceDescription,
    tasks: readonly RunningTask[],
    out: Map<string, Applied>,
  ): Promise<void> {
    const runTasks = tasks.filter((t) => t.retention_run_id !== null && !out.has(t.id));
    if (runTasks.length === 0) return;
    const read = await this.attempt(() => connector.export([...new Set(runTasks.map((t) => t.record_id))].map((recordId) => ({ sourceId, recordId }))));
    if ('error' in read) {
      for (const t of runTasks) out.set(t.id, { error: read.error });
      return;
    }
    const records = new Map(read.result.map((r) => [r.recordId, r]));
    const now = new Date();
    for (const t of runTasks) {
      const record = records.get(t.record_id);
      if (!record) continue;
      const item = planRetentionItem(record, description, now);
      if (item.kept === KeptReason.NOT_EXPIRED || item.kept === KeptReason.UNDATED)
        out.set(t.id, {
          error: new PermanentTaskError(finalFailure('RETENTION_CHANGED', `${item.kept}: ${item.detail}; left alone since the run was approved (R9)`)),
        });
      // The policy now destroys it another way (anonymise or minimise where the run deletes): not what was approved; the next run plans it anew.
      else if (item.action && item.action !== t.action)
        out.set(t.id, {
          error: new PermanentTaskError(
            finalFailure(
              'RETENTION_CHANGED',
              `${item.action}: the source's retention now says ${item.action}, the run was approved to ${t.action}; left alone (R9)`,
            ),
          ),
        });
    }
  }

  /**
   * The tasks' requests where a controller's instruction for this source is REFUSE, each with
   * the refusing controllers and the records its verification snapshot names as theirs.
   */
  private async refusingRequests(sourceId: string, tasks: readonly RunningTask[]): Promise<Map<string, RefusingControllers>> {
    const requestIds = [...new Set(tasks.flatMap((t) => (t.request_id ? [t.request_id] : [])))];
    if (requestIds.length === 0) return new Map();
    return this.deps.stores.requests.refusingRequests(sourceId, requestIds, [...new Set(tasks.map((t) => t.record_id))]);
  }

  /**
   * Runs one connector call under the per-attempt time limit; `work` is told by when a step of
   * it must end itself (performance.now() time, a little before that limit): the read-back.
   */
  private async attempt<T>(work: (deadline: number) => Promise<T>): Promise<{ result: T } | { error: unknown }> {
    const ms = this.deps.settings.taskTimeoutMs;
    // A step's own limit ends a little before the attempt's, so the step's failure is the one recorded.
    const deadline = performance.now() + ms - Math.min(STEP_MARGIN_MS, ms / 10);
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        work(deadline),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TaskTimeout(`no answer within ${ms} ms`)), ms);
        }),
      ]);
      return { result };
    } catch (error) {
      return { error };
    } finally {
      clearTimeout(timer);
    }
  }

  /** `deadline`: by when a step must end itself, before the attempt's time limit (performance.now() time). */
  private async apply(connector: Connector, task: RunningTask, deadline: number): Promise<ActionResult> {
    const ref = refOf(task);
    if (ERASING.has(task.action)) return connector.erase(ref, planOf(task));
    switch (task.action) {
      case RecordAction.RESTRICT:
        return connector.restrict(ref, true);
      case RecordAction.CORRECT:
      case RecordAction.ANNOTATE: {
        // Only the fields this record's source can take and the handler found inaccurate
        // (R14): the decision lists them; the other requested fields belong to other records.
        if (!task.request_id) throw new PermanentTaskError(finalFailure('INVALID_ACTION', `a retention run does not ${task.action.toLowerCase()}`));
        const request = await this.deps.stores.requests.correctionContext(task.request_id, task.source_id, task.record_id);
        const finding = request?.inaccuracy_finding;
        if (!request || !finding?.inaccurate)
          throw new PermanentTaskError(finalFailure('INACCURACY_NOT_ESTABLISHED', 'no finding that the data was inaccurate'));
        const fields = request.correction_fields;
        const accepted = new Set(finding.accepted ?? []);
        const changes = openCorrections(this.deps.keyrings.encryption, request).filter(
          (c) => accepted.has(c.field) && (fields === null || fields.includes(c.field)),
        );
        if (changes.length === 0) throw new PermanentTaskError(finalFailure('NOTHING_TO_CORRECT', 'no requested correction applies to this record'));
        const result = await connector.correct(ref, changes);
        if (task.action === RecordAction.CORRECT) await this.lookAgain(connector, ref, changes, result, deadline);
        return result;
      }
      default:
        throw new PermanentTaskError(finalFailure('INVALID_ACTION', `no task runs action ${task.action}`));
    }
  }

  /**
   * R14: a source that says a correction took is read back, and a field it still shows with
   * another value fails the task (VERIFICATION, field names only), so the person is never
   * told of a correction the record does not carry. Annotations sit beside the record in a
   * source's own form and are not compared. A read-back that fails after the source applied
   * the correction, or finds no record at all (deleted between the write and the read), fails
   * the attempt as AppliedUnverified: the change is recorded (APPLIED, applied_count 1) and the
   * retry, which the source answers ALREADY_APPLIED, reads back again (or NOT_FOUND: the
   * record is gone, the correction never verified; see afterUnverified). The read-back ends
   * by `deadline`, before the attempt's own time limit: one that has not answered by then
   * fails the same way, so the source's APPLIED is never lost to the attempt's time-out.
   */
  private async lookAgain(connector: Connector, ref: RecordRef, changes: readonly FieldChange[], result: ActionResult, deadline: number): Promise<void> {
    if (result.outcome !== 'APPLIED' && result.outcome !== 'ALREADY_APPLIED') return;
    let records: SourceRecord[];
    try {
      records = await readBackBefore(deadline, () => connector.export([ref]));
    } catch (error) {
      throw result.outcome === 'APPLIED' ? new AppliedUnverified(error) : error;
    }
    const record = records.find((r) => r.recordId === ref.recordId);
    if (!record) {
      // Gone between the write and the read (deleted meanwhile): the correction is not verified.
      const gone = new Error('the record was not found when read back');
      throw result.outcome === 'APPLIED' ? new AppliedUnverified(gone) : gone;
    }
    const still = uncorrectedFields(record, changes, connector.describe().fields, await this.deps.sources.readingOf(ref.sourceId));
    if (still.length > 0) {
      throw new PermanentTaskError(
        finalFailure('VERIFICATION', `the source answered ${result.outcome}, but the record still holds another value in ${still.join(', ')}`),
      );
    }
  }

  private async auditTask(task: RunningTask, outcome: 'SUCCESS' | 'FAILED', detail: string): Promise<void> {
    await this.deps.audit.record({
      actor: { id: 'system:worker', kind: 'worker' },
      action: AuditAction.TASK_EXECUTE,
      target: { type: 'task', id: task.id },
      params: {
        ...(task.request_id ? { requestId: task.request_id } : { retentionRunId: task.retention_run_id }),
        sourceId: task.source_id,
        recordId: task.record_id,
        action: task.action,
        detail,
      },
      outcome,
    });
  }
}

/**
 * R14: a source whose records are annotated, never overwritten (medical records), takes no
 * CORRECT, even one decided before it said so (re-registered as a medical source while the task waited):
 * the task fails for good and the record keeps its value, to be decided again. Nor an ANNOTATE
 * unless it says itself it annotates (cannotAnnotate): `correct` carries no mode, and a source
 * that does not annotate would overwrite the record with what it is sent.
 */
function annotatedOnly(description: SourceDescription, tasks: readonly RunningTask[], out: Map<string, Applied>): void {
  if (!sourceRulesOf(description.kind, description.rules).annotatesCorrections) return;
  const unannotatable = cannotAnnotate(description.kind, description.rules);
  for (const t of tasks) {
    if (out.has(t.id)) continue;
    if (t.action === RecordAction.CORRECT) {
      out.set(t.id, {
        error: new PermanentTaskError(
          finalFailure(
            'INVALID_ACTION',
            'CORRECT refused, the source’s records are annotated, never overwritten (R14); the record keeps its value: decide the correction again as ANNOTATE',
          ),
        ),
      });
    } else if (t.action === RecordAction.ANNOTATE && unannotatable) {
      out.set(t.id, {
        error: new PermanentTaskError(
          finalFailure(
            'NOT_SUPPORTED',
            'ANNOTATE refused, the source does not say it annotates its records (rules.annotatesCorrections), and a correction sent to it would overwrite them (R14); the record keeps its value',
          ),
        ),
      });
    }
  }
}

/** Why a record hold stops the task (names no request). */
function heldBecause(task: RunningTask, hold: RecordHold): string {
  if (task.request_id === null) {
    return `${hold.restriction ? 'a restriction the person asked for keeps' : 'another open request holds'} the record since the run was approved`;
  }
  // A restriction stands once answered: no close of a request ends it, only its lifting.
  if (hold.restriction) return 'a restriction the person asked for after this request keeps the record; it stands until lifted (R1)';
  return 'another open request holds the record (its RETAIN); retry once that request is closed';
}

/** How long before the attempt's time limit a step ends itself (a tenth of the limit when that is shorter). */
const STEP_MARGIN_MS = 100;

/** `read`, ended by a TaskTimeout at `deadline` (at once when that is past). */
async function readBackBefore<T>(deadline: number, read: () => Promise<T>): Promise<T> {
  const ms = Math.max(0, Math.floor(deadline - performance.now()));
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TaskTimeout(`the read-back did not answer within the attempt's time limit`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const requestIdsOf = (tasks: readonly RunningTask[]): string[] => [...new Set(tasks.flatMap((t) => (t.request_id ? [t.request_id] : [])))];
const refOf = (task: RunningTask): RecordRef => ({ sourceId: task.source_id, recordId: task.record_id });
// A retention run's erasure names the run where a request's names the request (R9).
const planOf = (task: RunningTask): ErasurePlan => ({
  action: task.action as ErasurePlan['action'],
  requestId: (task.request_id ?? task.retention_run_id)!,
  taskId: task.id,
});

/** The record as the source holds it now, as the pure rules read it. */
const decisionRecordOfSource = (record: SourceRecord, source: SourceDescription): DecisionRecord => ({
  sourceKind: source.kind,
  ...(source.rules ? { sourceRules: source.rules } : {}),
  recordType: record.recordType,
  relationship: record.relationship,
  dates: record.dates,
  controllerId: record.controllerId ?? null,
  facts: record.facts,
});
