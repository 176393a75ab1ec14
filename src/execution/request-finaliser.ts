// When a request's jobs are done: look again (discovery with the request's identifiers,
// over the sources that were changed), reopen what is still there, and close the request
// as COMPLETED only when verification passes and no task failed; otherwise
// PARTIALLY_COMPLETED with the reasons. Writes the response summary.
import { ActionOutcome, RecordAction, RequestStatus, RequestType, TaskStatus, TERMINAL_TASK_STATUSES, type SourceKind } from '../domain/vocabulary.js';
import { afterErasureClosed } from '../requests/services/erasure-aftermath.js';
import { normaliseQueryIdentifiers, normaliseRecordIdentifiers, type NormalisedIdentifier } from '../identity/index.js';
import { finalFailureToPerson } from './final-failure.js';
import type { SourceRecord } from '../../connectors/contract.js';
import { withinTime } from '../domain/time-limit.js';
import { failureCodeOf } from '../sources/failure-code.js';
import { jurisdictionOf } from '../requests/deadlines.js';
import { buildResponseSummary, type SourceGap, type SummaryRecordInput, type SummarySourceInput, type TaskState } from '../requests/response-summary.js';
import { sourcesGoneWithout } from '../requests/discovery-gaps.js';
import type { ExecutionDeps } from './execution-deps.js';
import type { ExecutionService, TaskRow } from './execution.service.js';
import { openIdentifiers } from './request-secrets.js';
import { TaskTimeout, UNVERIFIED } from './task-attempt.js';
import { FinaliseBatches, type DecisionRow, type FinalisedRequestRow } from './finalise-batches.js';
import { groupBy } from '../domain/group-by.js';
import { stillPlanned, type FinaliseJobData } from './task-plan.js';
import { ERASING_ACTIONS } from '../requests/decisions.js';
import { AuditAction } from '../audit/audit-actions.js';

export const WORKER_ACTOR = 'system:worker';
/** Verification re-runs per execution round before a record that keeps coming back is reported. */
export const MAX_VERIFICATION_RERUNS = 2;

/** The tasks are not all finished (a job still in flight): try the finalise job again later. */
export class TasksStillRunning extends Error {}

export interface VerificationFinding {
  taskId: string;
  sourceId: string;
  recordId: string;
  action: string;
}

export interface FinaliseOutcome {
  status: RequestStatus | 'REOPENED' | 'UNCHANGED';
  findings: VerificationFinding[];
  reasons: string[];
}

export class RequestFinaliser {
  private readonly batches: FinaliseBatches;

  constructor(
    private readonly deps: ExecutionDeps,
    private readonly execution: ExecutionService,
  ) {
    this.batches = new FinaliseBatches(deps);
  }

  async finalise(job: FinaliseJobData): Promise<FinaliseOutcome> {
    const { requestId } = job;
    // Read together with the other requests finishing now.
    const { request, tasks: all, recordTypes, decisions } = await this.batches.reads.load(requestId);
    if (!request || request.status !== RequestStatus.EXECUTING) return { status: 'UNCHANGED', findings: [], reasons: [] };
    const open = all.filter((t) => !TERMINAL_TASK_STATUSES.has(t.status as TaskStatus));
    if (open.length > 0) throw new TasksStillRunning(`${open.length} task(s) of request ${requestId} not finished`);
    // A failed task whose record a retry's search again withheld (its decision now RETAIN) is no failure of the answer.
    const tasks = stillPlanned(
      all,
      decisions.map((d) => ({ sourceId: d.source_id, recordId: d.record_id, action: d.action, followUpAction: d.follow_up_action })),
    );

    const without = await this.sourcesGoneWithout(request);
    const verification = await this.verifyRemoved(job, request, tasks, recordTypes);
    if (verification.reopened) return { status: 'REOPENED', findings: verification.findings, reasons: [verification.reopened] };
    const reasons = [...without.reasons, ...verification.reasons, ...failedTaskReasons(tasks)];
    const gaps = [...without.gaps, ...verification.gaps];
    const complete = reasons.length === 0;
    const notDone = new Set([...verification.findings.map((f) => f.taskId), ...verification.unverified]);
    const now = new Date();
    const summary = buildResponseSummary({
      requestId,
      requestType: request.type as RequestType,
      receivedAt: new Date(request.received_at),
      verifiedAt: request.verified_at ? new Date(request.verified_at) : null,
      dueAt: request.due_at ? new Date(request.due_at) : null,
      extendedDueAt: request.extended_due_at ? new Date(request.extended_due_at) : null,
      extensionReason: request.extension_reason,
      respondedAt: now,
      timeZone: jurisdictionOf(request.jurisdiction).timeZone,
      sources: await this.summarySources(tasks, decisions, notDone, recordTypes),
      gaps,
    });
    const status = complete ? RequestStatus.COMPLETED : RequestStatus.PARTIALLY_COMPLETED;
    // Closed in one transaction with the other requests finishing now; only from EXECUTING
    // (if another finaliser closed it first, nothing more is recorded).
    const closedHere = await this.batches.closings.load({
      requestId,
      event: complete ? 'complete' : 'completePartially',
      actor: WORKER_ACTOR,
      at: now,
      reason: complete ? null : reasons.join('; ').slice(0, 2000),
      response: { ...summary, reasons },
      verifiedTaskIds: verification.verifiedTaskIds,
      audit: {
        actor: { id: WORKER_ACTOR, kind: 'worker' },
        action: complete ? AuditAction.REQUEST_COMPLETE : AuditAction.REQUEST_COMPLETE_PARTIALLY,
        target: { type: 'request', id: requestId },
        params: { reasons },
        outcome: complete ? 'SUCCESS' : 'FAILED',
      },
    });
    this.deps.logger.info({ requestId, status, reasons: reasons.length }, 'request finalised');
    // Any request may have erased records (R16: a child's online data), not only an erasure.
    if (closedHere) await this.afterErasureClosed(requestId, now);
    return { status, findings: verification.findings, reasons };
  }

  /** R1: a source the handler went without is named in every answer, never complete. */
  private async sourcesGoneWithout(request: FinalisedRequestRow): Promise<{ reasons: string[]; gaps: SourceGap[] }> {
    const without = sourcesGoneWithout(request.discovery_outcome);
    const reasons: string[] = [];
    const gaps: SourceGap[] = [];
    for (const sourceId of without?.sourceIds ?? []) {
      reasons.push(`source ${sourceId} could not be searched (the handler went on without it: ${without!.reason})`);
      gaps.push({
        sourceId,
        sourceName: await this.sourceName(sourceId),
        kind: 'NOT_SEARCHED',
        reason: `it did not answer when we searched; ${without!.reason}`,
      });
    }
    return { reasons, gaps };
  }

  /**
   * Verification: every removed record must be gone (a MINIMISE may leave a record of
   * another type). Discovery runs again over the sources that were changed; a record found
   * again reopens its task (up to MAX_VERIFICATION_RERUNS), then is reported.
   */
  private async verifyRemoved(job: FinaliseJobData, request: FinalisedRequestRow, tasks: TaskRow[], recordTypes: Map<string, string>): Promise<Verification> {
    const removed = tasks.filter((t) => t.status === TaskStatus.SUCCEEDED && ERASING_ACTIONS.has(t.action as RecordAction));
    const verification: Verification = { findings: [], reasons: [], gaps: [], verifiedTaskIds: [], unverified: new Set() };
    if (removed.length === 0) return verification;
    const changed = [...new Set(removed.map((t) => t.source_id))];
    // A source disabled (or removed) since its tasks ran cannot be searched: its removals
    // stay unverified, named, instead of failing the finaliser on every try.
    const active = new Set((await this.deps.sources.list()).map((s) => s.id));
    const sourceIds = changed.filter((id) => active.has(id));
    for (const sourceId of changed.filter((id) => !active.has(id))) {
      verification.reasons.push(`verification incomplete: source ${sourceId} is no longer active`);
      verification.gaps.push({
        sourceId,
        sourceName: await this.sourceName(sourceId),
        kind: 'NOT_VERIFIED',
        reason: 'the system was disabled or removed before it could be searched again',
      });
      for (const t of removed) if (t.source_id === sourceId) verification.unverified.add(t.id);
    }
    if (sourceIds.length === 0) return verification;
    const identifiers = normaliseQueryIdentifiers(openIdentifiers(this.deps.keyrings.encryption, request));
    const resolution = await this.deps.discovery.discover({ identifiers, sourceIds, includeRelated: true });
    const unanswered = resolution.sources.filter((s) => s.status !== 'ANSWERED');
    for (const s of unanswered) {
      verification.reasons.push(`verification incomplete: source ${s.sourceId} ${s.status}${s.error ? ` (${s.error})` : ''}`);
      verification.gaps.push({
        sourceId: s.sourceId,
        sourceName: await this.sourceName(s.sourceId),
        kind: 'NOT_VERIFIED',
        reason: `the system did not answer (${s.status})`,
      });
      // Its tasks are done but not checked: retryFailedTasks verifies them again.
      for (const t of removed) if (t.source_id === s.sourceId) verification.unverified.add(t.id);
    }
    const answered = new Set(sourceIds.filter((id) => !unanswered.some((s) => s.sourceId === id)));
    const heldStill = await this.stillHeld(
      removed.filter((t) => answered.has(t.source_id)),
      identifiers,
      verification,
    );
    verification.findings = [
      ...foundAgain(removed, resolution.records, recordTypes),
      ...heldStill.filter((f) => !resolution.records.some((r) => r.sourceId === f.sourceId && r.recordId === f.recordId)),
    ];
    if (verification.findings.length > 0) {
      const reopened = await this.reportFindings(job, verification.findings);
      if (reopened) return { ...verification, reopened };
      for (const f of verification.findings) verification.reasons.push(`verification: ${f.sourceId} record ${f.recordId} still found after ${f.action}`);
    }
    if (unanswered.length === 0 && verification.findings.length === 0)
      verification.verifiedTaskIds = removed.filter((t) => !verification.unverified.has(t.id)).map((t) => t.id);
    return verification;
  }

  /**
   * Verification looks again by record id too, not only through the source's search: a source
   * whose search no longer finds a record (its index dropped it, or it says so) may still hold
   * it. An erased record it still exports with one of the person's identifiers, or a purged one
   * it still exports at all, is found again. Anonymised and minimised records stay by design.
   * A source that cannot be read leaves its removals unverified, named.
   */
  private async stillHeld(removed: TaskRow[], identifiers: NormalisedIdentifier[], verification: Verification): Promise<VerificationFinding[]> {
    const gone = removed.filter((t) => t.action === RecordAction.ERASE || t.action === RecordAction.PURGE);
    const wanted = new Set(identifiers.map((i) => `${i.type}\u0000${i.value}`));
    const findings: VerificationFinding[] = [];
    for (const [sourceId, tasks] of groupBy(gone, (t) => t.source_id)) {
      let records: SourceRecord[];
      try {
        const connector = await this.deps.sources.connector(sourceId);
        const read = connector.export([...new Set(tasks.map((t) => t.record_id))].map((recordId) => ({ sourceId, recordId })));
        records = await withinTime(read, this.deps.settings.taskTimeoutMs, () => new TaskTimeout('the read-back did not answer in time'));
      } catch (error) {
        verification.reasons.push(`verification incomplete: source ${sourceId} could not be read back (${failureCodeOf(error)})`);
        verification.gaps.push({ sourceId, sourceName: await this.sourceName(sourceId), kind: 'NOT_VERIFIED', reason: 'the system did not answer' });
        for (const t of tasks) verification.unverified.add(t.id);
        continue;
      }
      const reading = await this.deps.sources.readingOf(sourceId);
      const held = new Map(records.map((r) => [r.recordId, r]));
      for (const t of tasks) {
        const record = held.get(t.record_id);
        if (!record) continue;
        const names = normaliseRecordIdentifiers(record.identifiers, reading).some((i) => wanted.has(`${i.type}\u0000${i.value}`));
        if (t.action === RecordAction.PURGE || names) findings.push({ taskId: t.id, sourceId, recordId: t.record_id, action: t.action });
      }
    }
    return findings;
  }

  /** Logs and audits records found again; reopens their tasks while reruns remain (returns the reason then). */
  private async reportFindings(job: FinaliseJobData, findings: VerificationFinding[]): Promise<string | null> {
    const { requestId } = job;
    this.deps.logger.warn(
      { requestId, findings: findings.map((f) => ({ taskId: f.taskId, sourceId: f.sourceId, recordId: f.recordId })) },
      'verification found records that should be gone',
    );
    await this.deps.audit.record({
      actor: { id: WORKER_ACTOR, kind: 'worker' },
      action: AuditAction.REQUEST_VERIFICATION_FAILED,
      target: { type: 'request', id: requestId },
      params: { findings },
      outcome: 'FAILED',
    });
    if (job.verifications >= MAX_VERIFICATION_RERUNS) return null;
    const reason = 'VERIFICATION: the record was found again after the task succeeded; reopened';
    await this.execution.reopen(
      requestId,
      findings.map((f) => f.taskId),
      `${job.round.split('v')[0]}v${job.verifications + 1}`,
      job.verifications + 1,
      reason,
    );
    return reason;
  }

  /**
   * R10, R11: the person's older access packages holding what was erased are destroyed, and a
   * completed erasure's sealed identifiers (verification above was their last use). A failure here is only
   * logged: the request is closed, and the package sweep does the same on its next run.
   */
  private async afterErasureClosed(requestId: string, now: Date): Promise<void> {
    try {
      await afterErasureClosed(this.deps, requestId, now);
    } catch (error) {
      this.deps.logger.warn({ requestId, err: (error as Error).message }, 'erasure aftermath deferred to the package sweep');
    }
  }

  private async sourceName(sourceId: string): Promise<string> {
    return (await this.deps.sources.find(sourceId))?.name ?? sourceId;
  }

  private async summarySources(tasks: TaskRow[], decisions: DecisionRow[], unverified: Set<string>, types: Map<string, string>): Promise<SummarySourceInput[]> {
    const taskOf = new Map(tasks.map((t) => [`${t.source_id}/${t.record_id}/${t.action}`, t]));
    const stateOf = (t: TaskRow | undefined): TaskState | undefined =>
      !t ? undefined : t.status === TaskStatus.SUCCEEDED && !unverified.has(t.id) ? 'DONE' : t.status === TaskStatus.FAILED ? 'FAILED' : 'PENDING';
    // Each decision's record, and a follow-up that went with another action.
    const itemsOf = (d: DecisionRow): SummaryRecordInput[] => {
      const key = `${d.source_id}/${d.record_id}`;
      const main = taskOf.get(`${key}/${d.action}`);
      const items: SummaryRecordInput[] = [
        {
          recordId: d.record_id,
          recordType: types.get(key),
          action: d.action as RecordAction,
          basis: d.basis,
          retainUntil: d.retain_until ? new Date(d.retain_until) : null,
          reason: d.reason,
          state: stateOf(main),
          outcome: main?.outcome ?? null,
          applied: (main?.applied_count ?? 0) > 0,
          unverified: main !== undefined && appliedUnverified(main),
          notDoneBecause: main?.status === TaskStatus.FAILED ? finalFailureToPerson(main.last_error ?? main.outcome) : null,
          completedAt: main?.status === TaskStatus.SUCCEEDED ? now() : null,
        },
      ];
      for (const follow of FOLLOW_UPS) {
        const task = d.action !== follow ? taskOf.get(`${key}/${follow}`) : undefined;
        if (task)
          items.push({
            recordId: d.record_id,
            recordType: types.get(key),
            action: follow,
            basis: d.basis,
            state: stateOf(task),
            outcome: task.outcome,
            applied: task.applied_count > 0,
            unverified: appliedUnverified(task),
            notDoneBecause: task.status === TaskStatus.FAILED ? finalFailureToPerson(task.last_error ?? task.outcome) : null,
            completedAt: task.status === TaskStatus.SUCCEEDED ? now() : null,
          });
      }
      return items;
    };
    const out: SummarySourceInput[] = [];
    for (const [sourceId, mine] of groupBy(decisions, (d) => d.source_id)) {
      const source = await this.deps.sources.find(sourceId);
      out.push({ source: { id: sourceId, name: source?.name ?? sourceId, kind: (source?.kind ?? 'OTHER') as SourceKind }, records: mine.flatMap(itemsOf) });
    }
    return out;
  }
}

const now = () => new Date();

/** Second steps a decision can carry (task-plan.ts): a restriction under legal hold, an erasure after release (R16). */
const FOLLOW_UPS = [RecordAction.RESTRICT, RecordAction.ERASE] as const;

/** What verification learnt of the removed records. */
interface Verification {
  findings: VerificationFinding[];
  reasons: string[];
  gaps: SourceGap[];
  /** Tasks whose records were checked and found gone. */
  verifiedTaskIds: string[];
  /** Tasks done but not checked (their source did not answer). */
  unverified: Set<string>;
  /** Set when the findings reopened their tasks: the reason. */
  reopened?: string;
}

/** The removed records discovery found again; a minimised record may stay as a minimal record of another type (recruiting activity). */
function foundAgain(
  removed: TaskRow[],
  records: readonly { sourceId: string; recordId: string; recordType: string }[],
  recordTypes: Map<string, string>,
): VerificationFinding[] {
  const found = new Map(records.map((r) => [`${r.sourceId}/${r.recordId}`, r]));
  return removed
    .filter((t) => {
      const again = found.get(`${t.source_id}/${t.record_id}`);
      if (!again) return false;
      if (t.action === RecordAction.MINIMISE) return again.recordType === (recordTypes.get(`${t.source_id}/${t.record_id}`) ?? again.recordType);
      return true;
    })
    .map((t) => ({ taskId: t.id, sourceId: t.source_id, recordId: t.record_id, action: t.action }));
}

/** R14: the source applied the change, and the task's attempts ran out before it was read back. */
function appliedUnverified(t: TaskRow): boolean {
  return t.status === TaskStatus.FAILED && t.outcome === ActionOutcome.APPLIED && (t.last_error?.startsWith(`${UNVERIFIED}:`) ?? false);
}

function failedTaskReasons(tasks: TaskRow[]): string[] {
  return tasks
    .filter((t) => t.status === TaskStatus.FAILED)
    .map(
      (t) =>
        `task ${t.id} (${t.action} ${t.source_id} record ${t.record_id}) ${appliedUnverified(t) ? 'applied, not verified' : 'failed'}: ${t.last_error ?? t.outcome ?? 'unknown'}`,
    );
}
