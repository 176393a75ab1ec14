// One change to a request, all or nothing: the row is updated under its version
// (optimistic lock: two handlers acting at once cannot both win), every status move is
// stored with its transition (RequestStore.applyMoves) and every audit entry commits in
// the same transaction.
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditLog } from '../../audit/index.js';
import { AuditOutcome, type KnownAuditAction } from '../../audit/audit-actions.js';
import type { Principal } from '../../auth/index.js';
import { RequestStatus } from '../../domain/vocabulary.js';
import { transition, type RequestEvent, type RequestState, type TransitionRecord } from '../state-machine.js';
import type { DataSubjectRequestEntity, RequestFields as Fields, RequestStore } from '../store/request.store.js';
import { concurrentUpdate } from '../request-errors.js';

export interface RequestChange {
  m: EntityManager;
  request: DataSubjectRequestEntity;
  now: Date;
  actor: string;
  set(fields: Fields): void;
  /** Applies one state-machine event (INVALID_TRANSITION names the current state). */
  move(event: RequestEvent, reason?: string | null): void;
  audit(action: KnownAuditAction, params?: unknown, controllerId?: string | null): void;
}

export function stateOf(request: { status: string; heldFrom: string | null }): RequestState {
  return { status: request.status as RequestStatus, ...(request.heldFrom ? { heldFrom: request.heldFrom as RequestStatus } : {}) };
}

export async function changeRequest<T>(
  deps: { dataSource: DataSource; audit: AuditLog; stores: { requests: RequestStore } },
  request: DataSubjectRequestEntity,
  principal: Principal,
  now: Date,
  work: (change: RequestChange) => Promise<T> | T,
): Promise<T> {
  return deps.dataSource.transaction(async (m) => {
    const fields: Fields = {};
    const moves: TransitionRecord[] = [];
    const audits: { action: KnownAuditAction; params?: unknown; controllerId?: string | null }[] = [];
    let state = stateOf(request);
    const change: RequestChange = {
      m,
      request,
      now,
      actor: principal.id,
      set: (f) => Object.assign(fields, f),
      move: (event, reason) => {
        const result = transition(state, event, { actor: principal.id, at: now, reason: reason ?? null });
        state = result.state;
        moves.push(result.record);
        fields.status = result.state.status;
        fields.heldFrom = result.state.heldFrom ?? null;
        if (event === 'hold') fields.holdReason = result.record.reason;
        if (event === 'resume') fields.holdReason = null;
      },
      audit: (action, params, controllerId) => audits.push({ action, params, controllerId: controllerId ?? null }),
    };
    const result = await work(change);
    const transitions = moves.map((r) => ({ requestId: request.id, from: r.from, to: r.to, event: r.event, actor: r.actor, at: r.at, reason: r.reason }));
    const changed = await deps.stores.requests.applyMoves(m, [{ requestId: request.id, version: request.version, fields, updatedAt: now, transitions }]);
    if (!changed.has(request.id)) throw concurrentUpdate(request.id);
    for (const a of audits) {
      await deps.audit.record(
        {
          actor: { id: principal.id, kind: principal.kind },
          action: a.action,
          target: { type: 'request', id: request.id },
          params: a.params,
          outcome: AuditOutcome.SUCCESS,
          controllerId: a.controllerId,
        },
        m,
      );
    }
    return result;
  });
}
