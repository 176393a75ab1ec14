// Approval and execution: a handler approves a reviewed request; an access request is
// answered at once with its package, every other type is handed to execution
// (src/execution) after the same checks. Failed tasks are retried here, and a completed
// access request gets a fresh one-time link.
import type { EntityManager } from 'typeorm';
import { AuditAction } from '../../audit/audit-actions.js';
import { canSeeController, type Principal } from '../../auth/index.js';
import { DomainError } from '../../domain/errors.js';
import { withinTime } from '../../domain/time-limit.js';
import { RecordAction, RequestStatus, RequestType, ReviewState, TaskStatus } from '../../domain/vocabulary.js';
import { sourcesBlockingExecution } from '../discovery-gaps.js';
import { RequestRuleError, requireReason } from '../errors.js';
import { withSourcesNotSearched } from '../response-summary.js';
import { OPEN_FOR_REVIEW } from '../review-window.js';
import { assertIdentityVerified, transition } from '../state-machine.js';
import type { DataSubjectRequestEntity, RecordDecisionEntity, RequestRecordEntity } from '../store/request.store.js';
import type { BuiltPackage, IssuedLink } from './access-package.service.js';
import { assertInaccuracyEstablished } from '../rectification-checks.js';
import { changeRequest, stateOf } from './request-change.js';
import type { RequestContext } from './request-context.js';
import type { PreparedExecution } from './request-executor.js';
import { isActedOn, recordKey } from '../snapshot.js';
import {
  becauseByKey,
  CHANGING,
  NOTHING_WITHHELD,
  searchAgain,
  withheld,
  withheldAudit,
  withheldCount,
  withholding,
  type Guarded,
  type Recheck,
} from './person-recheck.js';

export interface ExecuteResult {
  request: DataSubjectRequestEntity;
  /**
   * ACCESS: the package's one-time link; an erasure returning records to one controller: its
   * package's (null when several controllers take records back: see `returned`). Shown only now.
   */
  link: IssuedLink | null;
  /** R6: per controller taking its records back, the one-time link of its own package. Shown only now. */
  returned?: ReturnedLink[];
}

export interface ReturnedLink {
  controllerId: string;
  link: IssuedLink | null;
}

/** One controller's returned records, exported into its own package. */
interface ControllerExport extends Pick<BuiltPackage, 'pkg' | 'released'> {
  controllerId: string;
}

/** A request that passed every check of approval, with what the checks read. */
interface Approvable {
  request: DataSubjectRequestEntity;
  records: RequestRecordEntity[];
  decisions: RecordDecisionEntity[];
  /** Approved before, its execution not started: the same call starts it. */
  resuming: boolean;
  now: Date;
}

export class RequestApprovalService {
  constructor(private readonly ctx: RequestContext) {}

  async execute(requestId: string, principal: Principal): Promise<ExecuteResult> {
    const approvable = await this.assertApprovable(requestId, principal);
    if (approvable.request.type === RequestType.ACCESS && !approvable.resuming) return this.answerAccess(approvable, principal);
    const returned = await this.startExecution(approvable, principal);
    // One controller: its package is the answer's accessPackage, as always; several: each has its own.
    const link = returned.length === 1 ? returned[0]!.link : null;
    return { request: await this.ctx.visible.loadVisible(requestId, principal), link, returned };
  }

  /** Every check of approval, in the order a handler should learn of them (R2, review, R1, R6, R7, R8, R14). */
  private async assertApprovable(requestId: string, principal: Principal): Promise<Approvable> {
    const { deps, visible, decisions: recordDecisions } = this.ctx;
    const request = await visible.loadVisible(requestId, principal);
    // R2 first: nothing is released, corrected or erased before verification.
    assertIdentityVerified(request, 'execute a request');
    const now = this.ctx.now();
    // Approved, but its execution did not start (a source or the database did not answer in
    // time): the same call starts it, after the same checks.
    // (An access request is APPROVED only when its package is stored and erasures follow it, R16.)
    const resuming = request.status === RequestStatus.APPROVED;
    // Outside review the state machine answers (INVALID_TRANSITION naming the state);
    // inside it, the specific reason approval must wait comes first.
    if (!OPEN_FOR_REVIEW.includes(request.status) && !resuming) transition(stateOf(request), 'approve', { actor: principal.id, at: now });
    const records = await deps.stores.requests.recordsOf([requestId]);
    // Before any check that counts or names sources: those are all the principal's to see.
    await visible.assertWhole(request, records, principal);
    const pending = records.filter((r) => r.reviewState === ReviewState.PENDING);
    if (pending.length) {
      throw new DomainError('MATCHES_PENDING_REVIEW', `${pending.length} REVIEW record(s) must be confirmed or rejected first`, {
        pending: pending.map((r) => ({ sourceId: r.sourceId, recordId: r.recordId })),
      });
    }
    // R1: every source searched, or the handler's recorded decision to go without it.
    const unsearched = sourcesBlockingExecution(request.discoveryOutcome);
    if (unsearched.length) {
      throw new DomainError(
        'DISCOVERY_INCOMPLETE',
        `${unsearched.length} source(s) could not be searched: search them again with rediscoverSources, or record the decision to go without them with proceedWithoutSources`,
        { sourceIds: unsearched },
      );
    }
    const decisions = await deps.stores.requests.decisionsOf([requestId]);
    const waiting = decisions.filter((d) => d.needsController);
    if (waiting.length) {
      throw new RequestRuleError('CONTROLLER_INSTRUCTION_REQUIRED', `${waiting.length} record(s) wait for their controller's instruction`, {
        sourceIds: [...new Set(waiting.map((d) => d.sourceId))],
      });
    }
    // R14: nothing is corrected before a handler found the data inaccurate.
    if (request.type === RequestType.RECTIFICATION) assertInaccuracyEstablished(request.inaccuracyFinding);
    // R6, R8: a controller's refusal and a legal hold bind every decision, overridden or not.
    await recordDecisions.assertAllowed(records, decisions, requestId, now);
    if (!resuming) transition(stateOf(request), 'approve', { actor: principal.id, at: now });
    return { request, records, decisions, resuming, now };
  }

  /**
   * ACCESS: the package is built, stored and its one-time link issued in one step; the
   * request completes. When records are to be deleted once released (R16: a child's data in
   * an online service), it stays approved with its package and execution erases them.
   */
  private async answerAccess({ request, records, decisions: decided, now }: Approvable, principal: Principal): Promise<ExecuteResult> {
    const { deps, packages } = this.ctx;
    // R1: the sources gone without are named in the archive too, not only in the letter.
    const gaps = await this.ctx.decisions.sourceGaps(request);
    const actedOn = records.filter(isActedOn);
    // R13, R16: a record the sources no longer tie to the person is withheld, not exported (R6: nor one now another controller's).
    let stale: Recheck = NOTHING_WITHHELD;
    let decisions = decided;
    const prepare = async () => {
      stale = await searchAgain(deps, this.ctx.secrets.identifiersOf(request), request.discoveryOutcome, actedOn, decided);
      decisions = withholding(decided, stale);
      return packages.build(request, actedOn, decisions, now, { notSearched: gaps });
    };
    // Exports happen before anything is stored: a source failing or hanging leaves the request as it was.
    const built = await withinTime(
      prepare(),
      deps.executor.timeLimitMs,
      () =>
        new DomainError('EXECUTION_TIMEOUT', 'Execution stopped: a source did not export in time; nothing was released, call executeRequest again', {
          requestId: request.id,
        }),
    );
    built.response = withSourcesNotSearched(built.response, gaps);
    const erasedAfter = decisions.filter((d) => d.followUpAction === RecordAction.ERASE).length;
    let link: IssuedLink | null = null;
    await changeRequest(deps, request, principal, now, async (c) => {
      c.move('approve');
      // Stored as withheld too, so neither the answer nor an erasure that follows the release acts on them.
      await this.storeWithheld(c.m, decided, stale);
      link = await packages.store(c.m, request.id, built.pkg, now, principal);
      c.set({ response: built.response });
      c.audit(AuditAction.REQUEST_EXECUTE, {
        type: request.type,
        released: built.released,
        sha256: built.pkg.sha256,
        ...(erasedAfter ? { erasedAfter } : {}),
        ...withheldAudit(stale),
      });
      if (erasedAfter) return;
      c.move('startExecution');
      if (gaps.length) c.move('completePartially', gaps.map((g) => `source ${g.sourceId} could not be searched`).join('; '));
      else c.move('complete');
    });
    // The worker closes it once the erasures are done and verified; a failure to queue leaves it
    // APPROVED with its package, and executeRequest again starts them.
    if (erasedAfter) await this.queueExecution(request.id, principal);
    return { request: await this.ctx.visible.loadVisible(request.id, principal), link };
  }

  /** Every other type: the source calls prepared, the approval stored, then execution started (tombstones and tasks). */
  private async startExecution({ request, records, decisions: decided, resuming, now }: Approvable, principal: Principal): Promise<ReturnedLink[]> {
    const { deps, packages } = this.ctx;
    const requestId = request.id;
    // R13: a record the sources no longer tie to the person is neither returned, erased, restricted nor corrected (R6: nor one now another controller's).
    const stale = await this.noLongerThePersons(request, records, decided, CHANGING, 'executeRequest');
    const decisions = withholding(decided, stale);
    if (resuming && withheldCount(stale)) {
      await changeRequest(deps, request, principal, now, async (c) => {
        await this.storeWithheld(c.m, decided, stale);
        c.audit(AuditAction.REQUEST_EXECUTE, { type: request.type, resumed: true, ...withheldAudit(stale) });
      });
    }
    // R6: records their controller takes back are exported before anything is erased, once
    // (a resumed execution keeps the export made the first time).
    const returned = await this.exportForControllers(request, records, decisions, resuming, now);
    // Source calls first, bounded (EXECUTION_TIMEOUT): a source that hangs leaves the request as it was.
    const prepared = await deps.executor.prepare(requestId);
    // Approved here; the executor moves it to EXECUTING in the one bounded transaction that
    // writes its tombstones and tasks, so a failure there leaves it APPROVED with nothing done.
    const links: ReturnedLink[] = [];
    if (!resuming) {
      await changeRequest(deps, request, principal, now, async (c) => {
        c.move('approve');
        // Stored before the tasks are planned from the decisions: the executor queues nothing for them.
        await this.storeWithheld(c.m, decided, stale);
        for (const r of returned)
          links.push({ controllerId: r.controllerId, link: await packages.store(c.m, requestId, r.pkg, now, principal, r.controllerId) });
        c.audit(AuditAction.REQUEST_EXECUTE, {
          type: request.type,
          decisions: decisions.length,
          ...withheldAudit(stale),
          ...(returned.length
            ? {
                returnedToControllers: returned.reduce((n, r) => n + r.released, 0),
                returnedPackages: returned.map((r) => ({ controllerId: r.controllerId, released: r.released, sha256: r.pkg.sha256 })),
              }
            : {}),
        });
      });
    }
    await this.queueExecution(requestId, principal, prepared);
    return links;
  }

  /**
   * The records execution would change (erase, restrict, correct, a follow-up: `guarded`) that
   * a search again, just before anything is queued, no longer ties to the person or finds held
   * for another controller; bounded like the other source calls (EXECUTION_TIMEOUT), a source
   * that does not answer is SOURCE_UNAVAILABLE. `again`: the call the handler makes again.
   */
  private async noLongerThePersons(
    request: DataSubjectRequestEntity,
    records: RequestRecordEntity[],
    decisions: RecordDecisionEntity[],
    guarded: Guarded,
    again: 'executeRequest' | 'retryFailedTasks',
  ): Promise<Recheck> {
    const { deps } = this.ctx;
    return withinTime(
      searchAgain(
        deps,
        this.ctx.secrets.identifiersOf(request),
        request.discoveryOutcome,
        records.filter(isActedOn),
        decisions,
        guarded,
        'erased, restricted or corrected',
      ),
      deps.executor.timeLimitMs,
      () =>
        new DomainError(
          'EXECUTION_TIMEOUT',
          `Execution stopped: a source was not searched again in time; nothing was erased, restricted or corrected, call ${again} again`,
          {
            requestId: request.id,
          },
        ),
    );
  }

  /** The withheld records' decisions stored as kept, so neither the answer nor a task acts on them. */
  private async storeWithheld(m: EntityManager, decisions: readonly RecordDecisionEntity[], stale: Recheck): Promise<void> {
    const why = becauseByKey(stale);
    for (const d of decisions) {
      const because = why.get(recordKey(d));
      if (because) await this.ctx.deps.stores.requests.updateDecision(m, d.id, withheld(d.action, because));
    }
  }

  /** Tombstones and tasks of an approved request, queued; EXECUTION_NOT_STARTED when they could not be. */
  private async queueExecution(requestId: string, principal: Principal, prepared?: PreparedExecution): Promise<void> {
    const { deps } = this.ctx;
    try {
      await deps.executor.execute(requestId, principal.id, prepared);
    } catch (error) {
      deps.logger.error({ requestId, err: (error as Error).message }, 'execution did not start');
      if (error instanceof DomainError) throw error;
      throw new DomainError('EXECUTION_NOT_STARTED', 'The request was approved but its tasks could not be queued; retry with retryFailedTasks', { requestId });
    }
  }

  /**
   * R6: the records whose controller instructed their return, exported from their sources
   * into one sealed package per controller (special categories, cards masked and other
   * people withheld as in any copy), for the handler to send to that controller: no
   * controller receives another's records. None when nothing is returned, or on a resumed
   * execution (the packages were stored with the approval).
   */
  private async exportForControllers(
    request: DataSubjectRequestEntity,
    records: RequestRecordEntity[],
    decisions: RecordDecisionEntity[],
    resuming: boolean,
    now: Date,
  ): Promise<ControllerExport[]> {
    const returning = decisions.filter((d) => d.returnToController && d.action === RecordAction.ERASE);
    if (resuming || returning.length === 0) return [];
    const byController = new Map<string, RecordDecisionEntity[]>();
    for (const d of returning) byController.set(d.returnToController!, [...(byController.get(d.returnToController!) ?? []), d]);
    const { deps, packages } = this.ctx;
    const build = async (): Promise<ControllerExport[]> => {
      const out: ControllerExport[] = [];
      for (const [controllerId, own] of byController) {
        const keys = new Set(own.map((d) => `${d.sourceId}\u0000${d.recordId}`));
        const asReleased: RecordDecisionEntity[] = own.map((d) => ({ ...d, action: RecordAction.RELEASE }));
        const built = await packages.build(
          request,
          records.filter((r) => keys.has(`${r.sourceId}\u0000${r.recordId}`)),
          asReleased,
          now,
          { controllerId },
        );
        out.push({ controllerId, pkg: built.pkg, released: built.released });
      }
      return out;
    };
    return withinTime(
      build(),
      deps.executor.timeLimitMs,
      () =>
        new DomainError('EXECUTION_TIMEOUT', 'Execution stopped: a source did not export in time; nothing was returned or erased, call executeRequest again', {
          requestId: request.id,
        }),
    );
  }

  async retryFailedTasks(requestId: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, visible } = this.ctx;
    // Re-runs and re-verifies removals of any record of the request: like execution, only for
    // a principal who sees the whole request (FORBIDDEN otherwise).
    const { request } = await visible.loadWhole(requestId, principal);
    assertIdentityVerified(request, 'retry tasks of');
    if (![RequestStatus.EXECUTING, RequestStatus.PARTIALLY_COMPLETED].includes(request.status as RequestStatus)) {
      throw new RequestRuleError('INVALID_TRANSITION', `Cannot retry tasks of a request in state ${request.status}`, { currentStatus: request.status });
    }
    // R13, R6: the records whose failed tasks would run again are searched for again first, as
    // at execution; a record no longer the person's, or now another controller's, is withheld
    // (its decision kept, its task not queued again). A source that does not answer: nothing is queued.
    const records = await deps.stores.requests.recordsOf([requestId]);
    const decisions = await deps.stores.requests.decisionsOf([requestId]);
    // A task the source applied before failing (a correction not read back) changed the record already: not withheld.
    const failed = (await deps.stores.tasks.withStatus(requestId, [TaskStatus.FAILED])).filter((t) => t.applied_count === 0);
    const rerun = new Set(failed.map((t) => recordKey({ sourceId: t.source_id, recordId: t.record_id })));
    const failing: Guarded = (d) => CHANGING(d) && rerun.has(recordKey(d));
    const stale = await this.noLongerThePersons(request, records, decisions, failing, 'retryFailedTasks');
    const withholds = withheldCount(stale) > 0 ? (m: EntityManager) => this.storeWithheld(m, decisions, stale) : undefined;
    await deps.executor.retryFailed(requestId, principal.id, withholds);
    await deps.audit.record({
      actor: { id: principal.id, kind: principal.kind },
      action: AuditAction.REQUEST_RETRY_FAILED_TASKS,
      target: { type: 'request', id: requestId },
      ...(withheldCount(stale) ? { params: withheldAudit(stale) } : {}),
      outcome: 'SUCCESS',
    });
    return visible.loadVisible(requestId, principal);
  }

  /**
   * A fresh one-time link (the previous link stops working): of the person's access package,
   * for a principal who sees the whole request; or, with `controllerId`, of the package of
   * records returned to that controller (R6), for a principal who sees that controller's
   * records (for anyone else that package is answered as absent).
   */
  async renewAccessPackageLink(requestId: string, principal: Principal, controllerId: string | null = null): Promise<ExecuteResult> {
    if (controllerId === null) {
      const { request } = await this.ctx.visible.loadWhole(requestId, principal);
      return { request, link: await this.ctx.packages.renew(request, principal) };
    }
    const request = await this.ctx.visible.loadVisible(requestId, principal);
    if (!canSeeController(principal, controllerId)) throw new DomainError('NO_ACCESS_PACKAGE', 'This request returned no package to that controller');
    const link = await this.ctx.packages.renew(request, principal, controllerId);
    return { request, link: null, returned: [{ controllerId, link }] };
  }

  /**
   * Revokes a built package (the identity proved false, the link went to the wrong address),
   * scoped like renewAccessPackageLink: the person's package for a principal who sees the
   * whole request; with `controllerId`, the package returned to that controller (R6) for a
   * principal who sees that controller's records. The request stays in its state (a
   * completed one was answered; the revocation is its record).
   */
  async revokeAccessPackage(requestId: string, principal: Principal, controllerId: string | null, reason: string): Promise<DataSubjectRequestEntity> {
    const why = requireReason(reason, 'Revoking an access package');
    const { visible, packages } = this.ctx;
    if (controllerId === null) {
      const { request } = await visible.loadWhole(requestId, principal);
      await packages.revoke(request, principal, null, why);
    } else {
      const request = await visible.loadVisible(requestId, principal);
      if (!canSeeController(principal, controllerId)) throw new DomainError('NO_ACCESS_PACKAGE', 'This request returned no package to that controller');
      await packages.revoke(request, principal, controllerId, why);
    }
    return visible.loadVisible(requestId, principal);
  }
}
