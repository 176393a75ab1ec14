// The request actions outside the review: cancel, hold, resume, reject, extend the
// deadline (R5) and record the acknowledgement (R3).
import { AuditAction } from '../../audit/audit-actions.js';
import type { Principal } from '../../auth/index.js';
import { RequestStatus } from '../../domain/vocabulary.js';
import { extendDeadline } from '../deadlines.js';
import { RequestRuleError } from '../errors.js';
import type { DataSubjectRequestEntity } from '../store/request.store.js';
import { changeRequest, stateOf, type RequestChange } from './request-change.js';
import { PackageDestroyedReason } from './package-retention.js';
import type { RequestContext } from './request-context.js';

export class RequestActionsService {
  constructor(private readonly ctx: RequestContext) {}

  async cancel(requestId: string, reason: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    return this.move(requestId, 'cancel', reason, principal);
  }

  async hold(requestId: string, reason: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    return this.move(requestId, 'hold', reason, principal);
  }

  async resume(requestId: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    return this.move(requestId, 'resume', null, principal);
  }

  /**
   * A closed request was answered and stays so (docs/requests.md "Revoking a package"): what
   * it sent is stopped with revokeAccessPackage, which the refusal names.
   */
  async reject(requestId: string, reason: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    try {
      return await this.move(requestId, 'reject', reason, principal);
    } catch (error) {
      const status = error instanceof RequestRuleError && error.code === 'INVALID_TRANSITION' ? error.details.currentStatus : undefined;
      if (status !== RequestStatus.COMPLETED && status !== RequestStatus.PARTIALLY_COMPLETED) throw error;
      throw new RequestRuleError(
        'INVALID_TRANSITION',
        `Cannot reject a request in state ${String(status)}: it was answered. To stop a package it sent, use revokeAccessPackage`,
        (error as RequestRuleError).details,
      );
    }
  }

  /** The deadline of the whole request: the principal must see all of it (FORBIDDEN otherwise). */
  async extendDeadline(requestId: string, reason: string, months: number | null | undefined, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, visible } = this.ctx;
    const { request } = await visible.loadWhole(requestId, principal);
    const now = this.ctx.now();
    if (stateOf(request).status === RequestStatus.COMPLETED || ['PARTIALLY_COMPLETED', 'REJECTED', 'CANCELLED'].includes(request.status)) {
      throw new RequestRuleError('INVALID_TRANSITION', `Cannot extend the deadline of a request in state ${request.status}`, { currentStatus: request.status });
    }
    const ext = extendDeadline(
      { dueAt: request.dueAt, extendedDueAt: request.extendedDueAt, now, reason, ...(months ? { months } : {}), jurisdiction: request.jurisdiction },
      deps.settings.deadlines,
    );
    await changeRequest(deps, request, principal, now, (c) => {
      c.set({ extendedDueAt: ext.extendedDueAt, extensionReason: ext.reason });
      c.audit(AuditAction.REQUEST_EXTEND_DEADLINE, { months: ext.months, reason: ext.reason });
    });
    return visible.loadVisible(requestId, principal);
  }

  /**
   * R5: the extension notice was sent to the person (the handler sends it; the gateway keeps
   * when and who). Once: a second call returns the request as it is. NO_EXTENSION without one.
   */
  async recordExtensionNoticeSent(requestId: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, visible } = this.ctx;
    const { request } = await visible.loadWhole(requestId, principal);
    if (!request.extendedDueAt) throw new RequestRuleError('NO_EXTENSION', 'The deadline was not extended: there is no extension notice to send');
    if (request.extensionNoticeSentAt) return request;
    await changeRequest(deps, request, principal, this.ctx.now(), (c) => {
      c.set({ extensionNoticeSentAt: c.now, extensionNoticeSentBy: principal.id });
      c.audit(AuditAction.REQUEST_EXTENSION_NOTICE_SENT, { extendedDueAt: request.extendedDueAt!.toISOString() });
    });
    return visible.loadVisible(requestId, principal);
  }

  /** R3: the acknowledgement was sent to the person, for the whole request: the principal must see all of it. */
  async acknowledge(requestId: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, visible } = this.ctx;
    const { request } = await visible.loadWhole(requestId, principal);
    if (request.acknowledgedAt) return request;
    await changeRequest(deps, request, principal, this.ctx.now(), (c) => {
      c.set({ acknowledgedAt: c.now });
      c.audit(AuditAction.REQUEST_ACKNOWLEDGE);
    });
    return visible.loadVisible(requestId, principal);
  }

  private async destroyPackages(c: RequestChange, event: 'reject' | 'cancel'): Promise<void> {
    const store = this.ctx.deps.stores.requests;
    const reason = event === 'reject' ? PackageDestroyedReason.REQUEST_REJECTED : PackageDestroyedReason.REQUEST_CANCELLED;
    const live = await store.livePackagesOfRequest(c.m, c.request.id);
    for (const p of await store.destroyPackages(c.m, live, reason, c.now)) c.audit(AuditAction.REQUEST_PACKAGE_DESTROYED, { packageId: p.packageId, reason });
  }

  /**
   * R10: a request refused while it executes (a forged identity) must not leave the real
   * person marked erased, for the feeds' guard and the recreation sweep. Its own tombstones
   * go in the same transaction; other erasures of the person keep theirs. A count only.
   * But a record it erased already, or may be erasing now (a task at the source, which
   * finishes), is gone: its tombstones stay, or the next feed would bring it back (audited
   * `tombstone.kept` with the counts). If the task at the source erases nothing after all,
   * the worker withdraws them when it ends (TaskRunner.afterRefusal).
   */
  private async withdrawTombstones(c: RequestChange): Promise<void> {
    const { erased, atSource } = await this.ctx.deps.stores.tasks.erasuresOf(c.request.id, c.m, true);
    if (erased > 0 || atSource > 0) {
      c.audit(AuditAction.TOMBSTONE_KEPT, { erased, atSource });
      return;
    }
    const withdrawn = await this.ctx.deps.tombstones.withdrawForRequest(c.request.id, c.m);
    if (withdrawn > 0) c.audit(AuditAction.TOMBSTONE_WITHDRAW, { withdrawn });
  }

  /** A state-machine move on the whole request: the principal must see all of it. */
  private async move(
    requestId: string,
    event: 'cancel' | 'hold' | 'resume' | 'reject',
    reason: string | null,
    principal: Principal,
  ): Promise<DataSubjectRequestEntity> {
    const { request } = await this.ctx.visible.loadWhole(requestId, principal);
    await changeRequest(this.ctx.deps, request, principal, this.ctx.now(), async (c) => {
      c.move(event, reason);
      c.audit(`request.${event}`, { reason });
      // A request refused or withdrawn after its package was built (a child's access still
      // erasing, an erasure's return to a controller) releases nothing: its link stops serving it.
      if (event === 'reject' || event === 'cancel') {
        await this.destroyPackages(c, event);
        await this.withdrawTombstones(c);
      }
    });
    return this.ctx.visible.loadVisible(requestId, principal);
  }
}
