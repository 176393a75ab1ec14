// Retention runs (R9): what is past retention in every source, destroyed with the same
// guarantees as an erasure request. prepare() lists each source's expired records
// (listExpired) and plans them (retention-plan.ts) into a persisted preview; approve()
// re-checks holds, writes one task per planned item and queues them in one flow whose
// parent (finalise) verifies every destruction and closes the run. Tasks run through the
// same TaskRunner as a request's: exactly once in effect, statutory holds checked again
// at the moment of action.
import type { DataSource, EntityManager } from 'typeorm';
import type { Connector, PurgeReport, SourceRecord } from '../../connectors/contract.js';
import { DomainError } from '../domain/errors.js';
import { RecordAction, RetentionRunStatus, TaskStatus } from '../domain/vocabulary.js';
import { AuditAction, type AuditLog } from '../audit/index.js';
import type { Logger } from '../logging/logger.js';
import type { AnyFlowProducer, AnyQueue, QueueBackend } from '../queue/queue-backend.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import type { Stores } from '../app/stores.js';
import type { ExecutionSettings } from '../execution/execution-settings.js';
import { auditActor } from '../execution/execution-deps.js';
import { ERASING_ACTIONS } from '../requests/decisions.js';
import { finaliseQueueName, jobIsLive, retentionRunFlow, taskQueueName, type QueuedTask } from '../execution/task-jobs.js';
import { finaliseRunJobId, type FinaliseRunJobData } from '../execution/task-plan.js';
import type { RunTaskRow } from '../execution/store/task.store.js';
import { stampRequeued, strandedTasks } from '../execution/stranded-work.js';
import {
  KeptReason,
  keptForSharedData,
  planRetentionItem,
  summariseSource,
  unlistedSource,
  type PlannedRetentionItem,
  type SourceRetentionSummary,
} from './retention-plan.js';
import type { NewRetentionItem, RetentionRunOutcome, RetentionRunRow } from './store/retention-run.store.js';
import { retentionRunOutcomes } from './retention-metrics.js';
import { safeFailureMessage } from '../sources/failure-code.js';

export interface RetentionDeps {
  dataSource: DataSource;
  stores: Stores;
  sources: SourceRegistry;
  audit: AuditLog;
  logger: Logger;
  queues: QueueBackend;
  settings: ExecutionSettings;
}

export const SCHEDULER_ACTOR = 'system:scheduler';
const WORKER_ACTOR = 'system:worker';
/** Records asked of a source per listExpired page. */
const PAGE = 500;
/** Verification re-runs of a run before a record that keeps coming back is reported. */
const MAX_VERIFICATION_RERUNS = 2;

const notFound = (id: string) => new DomainError('RETENTION_RUN_NOT_FOUND', 'No retention run with that id', { retentionRunId: id });
const notPreviewed = (run: RetentionRunRow) =>
  new DomainError(
    'RETENTION_RUN_NOT_PREVIEWED',
    `The retention run is ${run.status}: only a previewed run can be approved or cancelled` +
      (run.superseded_by ? `; approve the newer preview ${run.superseded_by} instead` : ''),
    { currentStatus: run.status, ...(run.superseded_by ? { supersededBy: run.superseded_by } : {}) },
  );

export class RetentionRunService {
  private flows: AnyFlowProducer | null = null;

  constructor(private readonly deps: RetentionDeps) {}

  /**
   * A preview of what is past retention at `asOf` in these sources (default: every active
   * source), persisted as a PREVIEWED run with every planned item. A source that cannot
   * list its expired records, or does not answer, is named in the preview, never skipped.
   * Earlier previews of exactly these sources still waiting for approval are closed
   * SUPERSEDED by it in the same transaction.
   */
  async prepare(input: { actor: string; sourceIds?: readonly string[]; asOf?: Date; automatic?: boolean }): Promise<RetentionRunRow> {
    const asOf = input.asOf ?? new Date();
    const active = (await this.deps.sources.list()).map((s) => s.id);
    const unknown = (input.sourceIds ?? []).filter((id) => !active.includes(id));
    if (unknown.length > 0) throw new DomainError('SOURCE_NOT_FOUND', 'No active source with that id', { sourceIds: unknown });
    const sourceIds = input.sourceIds ? active.filter((id) => input.sourceIds!.includes(id)) : active;
    const summary: SourceRetentionSummary[] = [];
    const items: NewRetentionItem[] = [];
    for (const sourceId of sourceIds) {
      const listed = await this.planSource(sourceId, asOf);
      if ('error' in listed) {
        summary.push(unlistedSource(sourceId, listed.error));
        continue;
      }
      summary.push(summariseSource(sourceId, listed.items));
      for (const i of listed.items)
        items.push({ sourceId, recordId: i.recordId, recordType: i.recordType, start: i.start, action: i.action, kept: i.kept, detail: i.detail });
    }
    const automatic = input.automatic ?? false;
    const { id, superseded } = await this.deps.dataSource.transaction(async (m) => {
      await this.deps.stores.retentionRuns.lockPreparation(m);
      const runId = await this.deps.stores.retentionRuns.insertPreview({ asOf, sourceIds, summary, automatic, preparedBy: input.actor }, items, m);
      // Earlier previews of the same sources, never approved, now show a stale picture: closed,
      // pointing here. Only those prepared the same way: the schedule approves its automatic
      // preview a moment after preparing it, and a handler's preview in that moment must not
      // fail the day's pass (nor the schedule's close a handler's).
      const replaced = await this.deps.stores.retentionRuns.supersedePreviews(sourceIds, runId, automatic, m);
      for (const old of replaced) {
        await this.deps.audit.record(
          {
            actor: auditActor(input.actor),
            action: AuditAction.RETENTION_SUPERSEDE,
            target: { type: 'retention-run', id: old },
            params: { supersededBy: runId },
            outcome: 'SUCCESS',
          },
          m,
        );
      }
      await this.deps.audit.record(
        {
          actor: auditActor(input.actor),
          action: AuditAction.RETENTION_PREPARE,
          target: { type: 'retention-run', id: runId },
          params: {
            asOf: asOf.toISOString(),
            sources: summary.map((s) => ({ sourceId: s.sourceId, listable: s.listable, toDestroy: s.toDestroy.reduce((n, t) => n + t.count, 0) })),
          },
          outcome: 'SUCCESS',
        },
        m,
      );
      return { id: runId, superseded: replaced };
    });
    this.deps.logger.info({ retentionRunId: id, items: items.length, superseded }, 'retention run previewed');
    return (await this.deps.stores.retentionRuns.find(id))!;
  }

  /** Lists one source's expired records page by page and plans each; an error names why the source could not be listed. */
  private async planSource(sourceId: string, asOf: Date): Promise<{ items: PlannedRetentionItem[] } | { error: string }> {
    try {
      const connector = await this.deps.sources.connector(sourceId);
      if (!connector.listExpired) return { error: 'NOT_SUPPORTED: the source cannot list its records past retention' };
      const description = connector.describe();
      const items: PlannedRetentionItem[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await connector.listExpired(asOf, PAGE, after);
        const holds = await this.deps.stores.requests.recordHolds(
          sourceId,
          page.records.map((r: SourceRecord) => r.recordId),
        );
        // A run is held by any hold; the first names it (a refusal first).
        const planned = page.records.map((record: SourceRecord) => planRetentionItem(record, description, asOf, holds.get(record.recordId)?.[0]));
        items.push(...(await this.keptForSharedData(connector, sourceId, planned)));
        if (!page.next) break;
        after = page.next;
      }
      return { items };
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'ERROR';
      this.deps.logger.warn({ sourceId, code }, 'retention run could not list a source');
      return { error: `${code}: the source could not be listed (${safeFailureMessage(error)})`.slice(0, 300) };
    }
  }

  /**
   * R8: the items whose data a held record shares (footage of a visit another request keeps),
   * kept with the reason; asked of sources that can say (sharedWith), once per page.
   */
  private async keptForSharedData(connector: Connector, sourceId: string, planned: PlannedRetentionItem[]): Promise<PlannedRetentionItem[]> {
    const acting = planned.filter((i) => i.action);
    if (!connector.sharedWith || acting.length === 0) return planned;
    const sharing = await connector.sharedWith(acting.map((i) => ({ sourceId, recordId: i.recordId })));
    const sharedBy = new Map(acting.map((i, k) => [i.recordId, sharing[k] ?? []]));
    const holds = await this.deps.stores.requests.recordHolds(sourceId, [...new Set(sharing.flat())]);
    return planned.map((i) => keptForSharedData(i, sharedBy.get(i.recordId) ?? [], holds));
  }

  /**
   * Approves exactly what was previewed and queues it. Holds are checked again: a record
   * an open request or a controller's refusal came to hold since the preview is kept,
   * with its reason. Safe to call twice: the second finds the run no longer PREVIEWED.
   */
  async approve(runId: string, actor: string): Promise<RetentionRunRow> {
    const { tasks } = await this.deps.dataSource.transaction(async (m) => {
      const run = await this.deps.stores.retentionRuns.lock(runId, m);
      if (!run) throw notFound(runId);
      if (run.status !== RetentionRunStatus.PREVIEWED) throw notPreviewed(run);
      const planned = await this.deps.stores.retentionRuns.items(runId, 'planned', m);
      const held: { sourceId: string; recordId: string; reason: string; detail: string }[] = [];
      const bySource = new Map<string, string[]>();
      for (const i of planned) bySource.set(i.source_id, [...(bySource.get(i.source_id) ?? []), i.record_id]);
      for (const [sourceId, recordIds] of bySource) {
        for (const [recordId, [hold]] of await this.deps.stores.requests.recordHolds(sourceId, recordIds)) {
          if (!hold) continue;
          const detail =
            hold.reason === KeptReason.CONTROLLER_REFUSED
              ? `since the preview, the controller refused request ${hold.requestId} (R6)`
              : hold.reason === KeptReason.RESTRICTED
                ? `since the preview, restriction request ${hold.requestId} restricted this record (R1)`
                : `since the preview, request ${hold.requestId} holds this record`;
          held.push({ sourceId, recordId, reason: hold.reason, detail });
        }
      }
      await this.deps.stores.retentionRuns.markKept(runId, held, m);
      const heldKeys = new Set(held.map((h) => `${h.sourceId}\u0000${h.recordId}`));
      const go = planned.filter((i) => !heldKeys.has(`${i.source_id}\u0000${i.record_id}`));
      await this.deps.stores.tasks.insertPlannedForRun(
        runId,
        go.map((i) => ({ sourceId: i.source_id, recordId: i.record_id, action: i.action! })),
        m,
      );
      if (
        !(await this.deps.stores.retentionRuns.move(
          runId,
          RetentionRunStatus.PREVIEWED,
          RetentionRunStatus.EXECUTING,
          { approvedBy: actor, outcome: { destroyed: 0, failed: 0, heldSincePreview: held.length, reasons: [] } },
          m,
        ))
      )
        throw notPreviewed(run);
      await this.deps.audit.record(
        {
          actor: auditActor(actor),
          action: AuditAction.RETENTION_APPROVE,
          target: { type: 'retention-run', id: runId },
          params: { tasks: go.length, heldSincePreview: held.length, automatic: run.automatic },
          outcome: 'SUCCESS',
        },
        m,
      );
      return { tasks: await this.deps.stores.tasks.rowsOfRun(runId, [TaskStatus.QUEUED], m) };
    });
    await this.enqueue(runId, tasks, '0', 0);
    this.deps.logger.info({ retentionRunId: runId, tasks: tasks.length }, 'retention run approved and queued');
    return (await this.deps.stores.retentionRuns.find(runId))!;
  }

  async cancel(runId: string, actor: string): Promise<RetentionRunRow> {
    await this.deps.dataSource.transaction(async (m) => {
      const run = await this.deps.stores.retentionRuns.lock(runId, m);
      if (!run) throw notFound(runId);
      if (run.status !== RetentionRunStatus.PREVIEWED) throw notPreviewed(run);
      await this.deps.stores.retentionRuns.move(runId, RetentionRunStatus.PREVIEWED, RetentionRunStatus.CANCELLED, { cancelledBy: actor, finished: true }, m);
      await this.deps.audit.record(
        { actor: auditActor(actor), action: AuditAction.RETENTION_CANCEL, target: { type: 'retention-run', id: runId }, params: {}, outcome: 'SUCCESS' },
        m,
      );
    });
    return (await this.deps.stores.retentionRuns.find(runId))!;
  }

  /**
   * The daily schedule: sources whose policy says autoExecute (footage) get a run executed
   * at once, approved by the scheduler; the others a preview for a handler to approve.
   */
  async runScheduled(asOf: Date = new Date()): Promise<{ automatic: string | null; preview: string | null; purged: Record<string, PurgeReport> }> {
    const automatic: string[] = [];
    const approved: string[] = [];
    for (const source of await this.deps.sources.list()) {
      const auto = await this.deps.sources
        .connector(source.id)
        .then((c) => c.describe().retention.autoExecute === true)
        .catch(() => false);
      (auto ? automatic : approved).push(source.id);
    }
    let auto: string | null = null;
    if (automatic.length > 0) {
      const run = await this.prepare({ actor: SCHEDULER_ACTOR, sourceIds: automatic, asOf, automatic: true });
      auto = (await this.approve(run.id, SCHEDULER_ACTOR)).id;
    }
    const preview = approved.length > 0 ? (await this.prepare({ actor: SCHEDULER_ACTOR, sourceIds: approved, asOf })).id : null;
    return { automatic: auto, preview, purged: await this.purgeUnreferenced(asOf) };
  }

  /**
   * Items past their maximum age that no record points to (footage of no visit): the
   * sources that have purgeExpired remove them. Records themselves go through runs.
   */
  private async purgeUnreferenced(now: Date): Promise<Record<string, PurgeReport>> {
    const out: Record<string, PurgeReport> = {};
    for (const source of await this.deps.sources.list()) {
      // A source whose connector cannot be built (a secret not set) must not stop the others.
      const connector = await this.deps.sources.connector(source.id).catch(() => null);
      if (!connector?.purgeExpired) continue;
      const result = await connector.purgeExpired(now);
      out[source.id] = result;
      if ((result.filesNotRemoved ?? 0) > 0) this.deps.logger.warn({ sourceId: source.id, ...result }, 'expiry purge left files on disk');
    }
    return out;
  }

  async find(runId: string): Promise<RetentionRunRow> {
    const run = await this.deps.stores.retentionRuns.find(runId);
    if (!run) throw notFound(runId);
    return run;
  }

  /** The latest runs first; after `before` (a run id) for the next page (RETENTION_RUN_NOT_FOUND when it is none). */
  async list(limit: number, status?: RetentionRunStatus, before?: string): Promise<RetentionRunRow[]> {
    if (before !== undefined && !(await this.deps.stores.retentionRuns.find(before))) throw notFound(before);
    return this.deps.stores.retentionRuns.list(limit, status, before);
  }

  /**
   * The run's parent job, once its tasks are done: every destruction that succeeded is
   * verified in its source (export finds nothing, or the record in its erased state); a
   * record found again reopens its task (up to MAX_VERIFICATION_RERUNS), then is reported.
   * COMPLETED only when every task succeeded and every destruction was verified.
   */
  async finalise(job: FinaliseRunJobData): Promise<{ status: string; reasons: string[] }> {
    const runId = job.retentionRunId;
    const run = await this.deps.stores.retentionRuns.find(runId);
    if (!run || run.status !== RetentionRunStatus.EXECUTING) return { status: run?.status ?? 'UNKNOWN', reasons: [] };
    const tasks = await this.deps.stores.tasks.rowsOfRun(runId);
    const open = tasks.filter((t) => t.status !== TaskStatus.SUCCEEDED && t.status !== TaskStatus.FAILED);
    // A parent runs when its children are done; open tasks mean a later round still runs.
    if (open.length > 0) return { status: run.status, reasons: [`${open.length} task(s) still open`] };
    const reasons: string[] = [];
    const done = tasks.filter((t) => t.status === TaskStatus.SUCCEEDED && ERASING_ACTIONS.has(t.action as RecordAction));
    const { verified, foundAgain, unverified } = await this.verify(done);
    if (foundAgain.length > 0 && job.verifications < MAX_VERIFICATION_RERUNS) {
      const reopened = await this.deps.stores.tasks.reopenOfRun(
        runId,
        foundAgain.map((t) => t.id),
        'VERIFICATION: the record was still found after the task succeeded; reopened',
      );
      await this.enqueue(runId, reopened, `${job.round.split('v')[0]}v${job.verifications + 1}`, job.verifications + 1);
      return { status: run.status, reasons: ['verification found records again: reopened'] };
    }
    for (const t of foundAgain) reasons.push(`verification: ${t.source_id} record ${t.record_id} still found after ${t.action}`);
    reasons.push(...unverified.reasons);
    const failed = tasks.filter((t) => t.status === TaskStatus.FAILED);
    for (const t of failed) reasons.push(`task ${t.id} (${t.action} ${t.source_id} record ${t.record_id}) failed: ${t.last_error ?? t.outcome ?? 'unknown'}`);
    const status = reasons.length === 0 ? RetentionRunStatus.COMPLETED : RetentionRunStatus.PARTIALLY_COMPLETED;
    const outcome: RetentionRunOutcome = {
      destroyed: verified.length,
      failed: failed.length,
      heldSincePreview: run.outcome?.heldSincePreview ?? 0,
      reasons: reasons.slice(0, 100),
    };
    const closed = await this.deps.dataSource.transaction(async (m: EntityManager) => {
      await this.deps.stores.tasks.markVerified(
        verified.map((t) => t.id),
        m,
      );
      if (!(await this.deps.stores.retentionRuns.move(runId, RetentionRunStatus.EXECUTING, status, { finished: true, outcome }, m))) return false;
      await this.deps.audit.record(
        {
          actor: { id: WORKER_ACTOR, kind: 'worker' },
          action: AuditAction.RETENTION_CLOSE,
          target: { type: 'retention-run', id: runId },
          params: { status, destroyed: outcome.destroyed, failed: outcome.failed, heldSincePreview: outcome.heldSincePreview },
          outcome: status === RetentionRunStatus.COMPLETED ? 'SUCCESS' : 'FAILED',
        },
        m,
      );
      return true;
    });
    if (closed) retentionRunOutcomes.inc({ outcome: status, automatic: String(run.automatic) });
    this.deps.logger.info({ retentionRunId: runId, status, destroyed: outcome.destroyed, failed: outcome.failed }, 'retention run closed');
    return { status, reasons };
  }

  /**
   * A run's work the queues no longer hold (Redis flushed or restarted empty, a job given up):
   * for each run EXECUTING, approved before `quietSince` and with no task activity since, its
   * open tasks whose job is gone are queued again under fresh job ids with a new finalise
   * parent (a run with no open task gets the parent alone, so it is verified and closed).
   * Audited. Returns the runs queued again.
   */
  async requeueStranded(quietSince: Date, queueOf: (name: string) => AnyQueue, actor = SCHEDULER_ACTOR): Promise<string[]> {
    const { tasks: taskStore, retentionRuns } = this.deps.stores;
    const quiet = await taskStore.quietSince('run', await retentionRuns.executingApprovedBefore(quietSince), quietSince);
    const requeued: string[] = [];
    for (const runId of quiet) {
      const gone = await strandedTasks(
        await taskStore.rowsOfRun(runId),
        (t) => jobIsLive(queueOf(taskQueueName(t.source_id)), t.job_id ?? t.id),
        () => jobIsLive(queueOf(finaliseQueueName), finaliseRunJobId(runId)),
      );
      if (!gone) continue;
      const round = stampRequeued(gone, Date.now());
      await taskStore.requeueStranded(gone);
      await this.deps.audit.record({
        actor: auditActor(actor),
        action: AuditAction.RETENTION_REQUEUE_STRANDED,
        target: { type: 'retention-run', id: runId },
        params: { tasks: gone.map((t) => t.id) },
        outcome: 'SUCCESS',
      });
      await this.enqueue(runId, gone, round, 0);
      this.deps.logger.warn({ retentionRunId: runId, tasks: gone.length }, 'stranded retention run work queued again');
      requeued.push(runId);
    }
    return requeued;
  }

  /** Looks for each destroyed record in its source: gone, or in its erased state. */
  private async verify(done: readonly RunTaskRow[]): Promise<{ verified: RunTaskRow[]; foundAgain: RunTaskRow[]; unverified: { reasons: string[] } }> {
    const verified: RunTaskRow[] = [];
    const foundAgain: RunTaskRow[] = [];
    const reasons: string[] = [];
    const bySource = new Map<string, RunTaskRow[]>();
    for (const t of done) bySource.set(t.source_id, [...(bySource.get(t.source_id) ?? []), t]);
    for (const [sourceId, mine] of bySource) {
      let found: Map<string, SourceRecord>;
      try {
        const connector = await this.deps.sources.connector(sourceId);
        const records = await connector.export(mine.map((t) => ({ sourceId, recordId: t.record_id })));
        found = new Map(records.map((r) => [r.recordId, r]));
      } catch (error) {
        reasons.push(`verification incomplete: source ${sourceId} did not answer (${(error as { code?: string }).code ?? 'ERROR'})`);
        continue;
      }
      for (const t of mine) (erasedState(t.action, found.get(t.record_id)) ? verified : foundAgain).push(t);
    }
    return { verified, foundAgain, unverified: { reasons } };
  }

  private async enqueue(runId: string, tasks: readonly RunTaskRow[], round: string, verifications: number): Promise<void> {
    this.flows ??= this.deps.queues.flowProducer();
    const queued: QueuedTask[] = tasks.map((t) => ({ id: t.id, retentionRunId: runId, sourceId: t.source_id }));
    const jobIds = new Map(tasks.map((t) => [t.id, t.job_id ?? t.id]));
    await this.flows.add(retentionRunFlow(this.deps.settings, runId, queued, round, verifications, (t) => jobIds.get(t.id)!));
  }

  async close(): Promise<void> {
    await this.flows?.close();
  }
}

/**
 * Whether a record read back after its destruction is in the state the action leaves:
 * gone; anonymised (no identifiers left); minimised to a record of another type.
 */
export function erasedState(action: string, found: SourceRecord | undefined): boolean {
  if (!found) return true;
  if (action === RecordAction.ANONYMISE) return found.identifiers.length === 0 || found.facts?.anonymised === true;
  return false;
}
