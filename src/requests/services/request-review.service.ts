// Review: a handler confirms or rejects the uncertain matches, records a controller's
// instruction (R6, R7), overrides a decision, and records the finding on accuracy (R14).
// Every change recomputes the decisions it touches and settles the request between
// review and the controller gate.
import { AuditAction } from '../../audit/audit-actions.js';
import type { Principal } from '../../auth/index.js';
import { DomainError } from '../../domain/errors.js';
import { ControllerDecision, RecordAction, RequestType, ReviewState, sourceRulesOf } from '../../domain/vocabulary.js';
import { assertOverrideFits, overrideDecision } from '../decisions.js';
import { RequestRuleError } from '../errors.js';
import { assertOpenForReview } from '../review-window.js';
import type { DataSubjectRequestEntity, RecordDecisionEntity, RequestRecordEntity } from '../store/request.store.js';
import { buildInaccuracyFinding, type InaccuracyFindingInput } from '../rectification-checks.js';
import { instructionKey } from './record-decisions.js';
import { changeRequest } from './request-change.js';
import type { RequestContext } from './request-context.js';
import { badInput, outsideScope } from '../request-errors.js';
import { decisionOf, isActedOn, recordKey } from '../snapshot.js';
import { canSeeRecord } from '../visibility.js';

export interface RecordRefInput {
  sourceId: string;
  recordId: string;
}

export interface ControllerInstructionInput {
  sourceId: string;
  /** The controller instructing; may be left out when the source holds records of one controller only for this request. */
  controllerId?: string | null;
  decision: ControllerDecision;
  reference?: string | null;
}

export interface OverrideInput extends RecordRefInput {
  action: RecordAction;
  reason: string;
}

/** Audit action of a handler's finding on accuracy (R14). */
export const INACCURACY_FINDING_AUDIT = AuditAction.REQUEST_INACCURACY_FINDING;

export class RequestReviewService {
  constructor(private readonly ctx: RequestContext) {}

  async confirmMatches(requestId: string, refs: RecordRefInput[], principal: Principal): Promise<DataSubjectRequestEntity> {
    return this.settleMatches(requestId, refs, principal, ReviewState.CONFIRMED);
  }

  async rejectMatches(requestId: string, refs: RecordRefInput[], principal: Principal): Promise<DataSubjectRequestEntity> {
    return this.settleMatches(requestId, refs, principal, ReviewState.REJECTED);
  }

  private async settleMatches(
    requestId: string,
    refs: RecordRefInput[],
    principal: Principal,
    state: typeof ReviewState.CONFIRMED | typeof ReviewState.REJECTED,
  ): Promise<DataSubjectRequestEntity> {
    const { deps, decisions, visible } = this.ctx;
    const request = await visible.loadVisible(requestId, principal);
    const doing = state === ReviewState.CONFIRMED ? 'confirm matches of' : 'reject matches of';
    assertOpenForReview(request, doing);
    if (!refs.length) throw badInput('Name at least one record');
    const records = await deps.stores.requests.recordsOf([requestId]);
    const byKey = new Map(records.map((r) => [recordKey(r), r]));
    const chosen = refs.map((ref) => {
      const record = byKey.get(recordKey(ref));
      // A record of another controller is reported as absent, like any unknown record.
      if (!record || !canSeeRecord(principal, record)) {
        throw new DomainError('RECORD_NOT_FOUND', `The request's snapshot holds no record ${ref.sourceId}/${ref.recordId}`, { ...ref });
      }
      if (record.band !== 'REVIEW') {
        throw new DomainError('NOT_A_REVIEW_RECORD', `Record ${ref.sourceId}/${ref.recordId} is a MATCH: only REVIEW records are confirmed or rejected`, {
          ...ref,
        });
      }
      return record;
    });
    const instructions = await decisions.instructionMap(requestId);
    await changeRequest(deps, request, principal, this.ctx.now(), async (c) => {
      for (const r of chosen) r.reviewState = state;
      await deps.stores.requests.setReviewState(
        c.m,
        chosen.map((r) => r.id),
        state,
      );
      if (state === ReviewState.CONFIRMED) await decisions.write(c, chosen, new Map(), instructions);
      else for (const r of chosen) await deps.stores.requests.deleteDecision(c.m, requestId, r.sourceId, r.recordId);
      await decisions.settle(c);
      c.audit(state === ReviewState.CONFIRMED ? AuditAction.REQUEST_CONFIRM_MATCHES : AuditAction.REQUEST_REJECT_MATCHES, { refs });
    });
    return visible.loadVisible(requestId, principal);
  }

  // ---- controller gate (R6, R7) ----

  async recordControllerInstruction(requestId: string, input: ControllerInstructionInput, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, decisions, visible } = this.ctx;
    const request = await visible.loadVisible(requestId, principal);
    assertOpenForReview(request, 'record a controller instruction for');
    if (!Object.values(ControllerDecision).includes(input.decision)) throw badInput(`Unknown controller decision ${String(input.decision)}`);
    if (input.decision === ControllerDecision.RETURN_AND_ERASE && request.type !== RequestType.ERASURE) {
      throw badInput('A return of the records to their controller goes with an erasure request only');
    }
    const inSource = (await deps.stores.requests.recordsOf([requestId])).filter((r) => r.sourceId === input.sourceId && r.controllerId && isActedOn(r));
    const controllerId = instructingController(
      input,
      inSource.filter((r) => canSeeRecord(principal, r)),
    );
    // The instruction binds only the records of the controller that gave it (R6).
    const controlled = inSource.filter((r) => r.controllerId === controllerId);
    const visibleRecords = controlled.filter((r) => canSeeRecord(principal, r));
    if (visibleRecords.length === 0) {
      throw new DomainError(
        'NO_CONTROLLED_RECORDS',
        `No record of source ${input.sourceId} in this request is held for ${controllerId ? `controller ${controllerId}` : 'a controller'}`,
        { sourceId: input.sourceId, ...(controllerId ? { controllerId } : {}) },
      );
    }
    if (visibleRecords.length < controlled.length) throw outsideScope();
    const now = this.ctx.now();
    const instructions = await decisions.instructionMap(requestId);
    instructions.set(instructionKey(input.sourceId, controllerId!), input.decision);
    // A handler's override that keeps a record (a RETAIN for litigation, a RESTRICT) stands when
    // the controller instructs again; a refusal binds every record of the controller (R6).
    const keptByHandler = new Set(
      input.decision === ControllerDecision.REFUSE
        ? []
        : (await deps.stores.requests.decisionsOf([requestId]))
            .filter((d) => d.overrideReason !== null && (d.action === RecordAction.RETAIN || d.action === RecordAction.RESTRICT))
            .map(recordKey),
    );
    const recompute = controlled.filter((r) => !keptByHandler.has(recordKey(r)));
    await changeRequest(deps, request, principal, now, async (c) => {
      await deps.stores.requests.upsertInstruction(c.m, {
        requestId,
        sourceId: input.sourceId,
        controllerId: controllerId!,
        decision: input.decision,
        reference: input.reference?.trim() || null,
        actor: principal.id,
        at: now,
      });
      await decisions.write(c, recompute, new Map(), instructions);
      await decisions.settle(c);
      c.audit(
        AuditAction.REQUEST_CONTROLLER_INSTRUCTION,
        { sourceId: input.sourceId, decision: input.decision, reference: input.reference ?? null },
        controllerId,
      );
    });
    return visible.loadVisible(requestId, principal);
  }

  // ---- overrides ----

  async overrideDecision(requestId: string, input: OverrideInput, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, decisions, visible } = this.ctx;
    const request = await visible.loadVisible(requestId, principal);
    assertOpenForReview(request, 'override a decision of');
    const record = (await deps.stores.requests.recordsOf([requestId])).find((r) => r.sourceId === input.sourceId && r.recordId === input.recordId);
    const row = record && canSeeRecord(principal, record) ? await deps.stores.requests.findDecision(requestId, input.sourceId, input.recordId) : null;
    if (!row) {
      throw new DomainError('DECISION_NOT_FOUND', `No decision for record ${input.sourceId}/${input.recordId} (a REVIEW record must be confirmed first)`, {
        sourceId: input.sourceId,
        recordId: input.recordId,
      });
    }
    assertOverrideFits(request.type as RequestType, input.action, row.computedAction as RecordAction);
    await this.assertCorrectionOverride(request, row, input.action);
    const now = this.ctx.now();
    const guards = (await decisions.guardsOf([record!], await decisions.instructionMap(requestId), now)).get(recordKey(record!))!;
    const { decision, override } = overrideDecision(decisionOf(row), input.action, input.reason, principal.id, now, guards);
    await changeRequest(deps, request, principal, now, async (c) => {
      await deps.stores.requests.updateDecision(c.m, row.id, {
        action: decision.action,
        basis: decision.basis ?? null,
        retainUntil: decision.retainUntil ?? null,
        reason: decision.reason,
        followUpAction: decision.followUpAction ?? null,
        returnToController: decision.returnToController ?? null,
        needsReview: false,
        overrideReason: override.reason,
        overriddenBy: principal.id,
      });
      c.audit(AuditAction.REQUEST_OVERRIDE, { ...override, sourceId: input.sourceId, recordId: input.recordId }, record!.controllerId);
    });
    return visible.loadVisible(requestId, principal);
  }

  // ---- rectification (R14) ----

  /** An override to CORRECT / ANNOTATE needs a field the source can take; a source whose rules annotate corrections is never overwritten. */
  private async assertCorrectionOverride(request: DataSubjectRequestEntity, row: RecordDecisionEntity, action: RecordAction): Promise<void> {
    // Only RECTIFICATION requests reach here with these (assertOverrideFits).
    if (action !== RecordAction.CORRECT && action !== RecordAction.ANNOTATE) return;
    if (!row.correctionFields?.length) {
      throw new RequestRuleError('FIELD_NOT_CORRECTABLE', `No requested correction applies to record ${row.sourceId}/${row.recordId}`, {
        sourceId: row.sourceId,
        recordId: row.recordId,
      });
    }
    const source = (await this.ctx.decisions.sourceFacts([row.sourceId])).get(row.sourceId)!;
    if (action === RecordAction.CORRECT && sourceRulesOf(source.kind, source.description?.rules).annotatesCorrections) {
      throw new RequestRuleError('INVALID_ACTION', 'Medical records are annotated, never overwritten (R14): use ANNOTATE', { sourceId: row.sourceId });
    }
  }

  /**
   * R9: the person's answer, given after submission, on keeping certificate numbers
   * verifiable (true agreed, false refused, null withdrawn). Stored, audited, and every
   * decision not overridden by a handler follows it. Until the request is approved.
   */
  async recordCertificateAgreement(requestId: string, agreed: boolean | null, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, decisions, visible } = this.ctx;
    const request = await visible.loadVisible(requestId, principal);
    assertOpenForReview(request, 'record the certificate agreement of');
    const records = await deps.stores.requests.recordsOf([requestId]);
    await visible.assertWhole(request, records, principal);
    const overridden = new Set((await deps.stores.requests.decisionsOf([requestId])).filter((d) => d.overrideReason !== null).map(recordKey));
    // A handler's override stands; every other decision follows the answer.
    const recompute = records.filter((r) => isActedOn(r) && !overridden.has(recordKey(r)));
    const instructions = await decisions.instructionMap(requestId);
    const now = this.ctx.now();
    await changeRequest(deps, request, principal, now, async (c) => {
      c.set({ certificatesVerifiable: agreed });
      await decisions.write(c, recompute, new Map(), instructions, request.inaccuracyFinding, { ...request, certificatesVerifiable: agreed });
      c.audit(AuditAction.REQUEST_CERTIFICATE_AGREEMENT, { agreed });
    });
    return visible.loadVisible(requestId, principal);
  }

  /**
   * The handler's finding on the accuracy of the data: stored with the request (field names
   * and reasons, no values), audited, and the decisions narrowed to the accepted fields.
   * May be recorded again (the latest counts) until the request is approved.
   */
  async recordInaccuracyFinding(requestId: string, input: InaccuracyFindingInput, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, decisions, visible, secrets } = this.ctx;
    const request = await visible.loadVisible(requestId, principal);
    if (request.type !== RequestType.RECTIFICATION) {
      throw new DomainError('NOT_A_RECTIFICATION', `A finding on accuracy belongs to RECTIFICATION requests; this one is ${request.type}`, {
        requestId,
        type: request.type,
      });
    }
    assertOpenForReview(request, 'record a finding on accuracy for');
    const records = await deps.stores.requests.recordsOf([requestId]);
    await visible.assertWhole(request, records, principal);
    const now = this.ctx.now();
    const finding = buildInaccuracyFinding(input, secrets.correctionsOf(request), principal.id, now);
    const overridden = new Set((await deps.stores.requests.decisionsOf([requestId])).filter((d) => d.overrideReason !== null).map(recordKey));
    // A handler's override stands; every other decision follows the finding.
    const recompute = records.filter((r) => isActedOn(r) && !overridden.has(recordKey(r)));
    const instructions = await decisions.instructionMap(requestId);
    await changeRequest(deps, request, principal, now, async (c) => {
      c.set({ inaccuracyFinding: finding });
      await decisions.write(c, recompute, new Map(), instructions, finding);
      await decisions.settle(c);
      c.audit(INACCURACY_FINDING_AUDIT, {
        inaccurate: finding.inaccurate,
        reason: finding.reason,
        evidenceRef: finding.evidenceRef,
        accepted: finding.accepted,
        rejected: finding.rejected,
      });
    });
    return visible.loadVisible(requestId, principal);
  }
}

/**
 * The controller an instruction is for: the one named, or, when none is named, the only
 * controller whose records in the source (of those the principal may see) this request acts
 * on. With several, naming one is required (CONTROLLER_REQUIRED): one controller's word never
 * settles another's records. Null when there is none (the caller answers NO_CONTROLLED_RECORDS).
 */
function instructingController(input: ControllerInstructionInput, seen: readonly RequestRecordEntity[]): string | null {
  const named = input.controllerId?.trim();
  if (named) return named;
  const controllers = [...new Set(seen.map((r) => r.controllerId!))];
  if (controllers.length > 1) {
    throw new DomainError(
      'CONTROLLER_REQUIRED',
      `Source ${input.sourceId} holds records of ${controllers.length} controllers for this request: name the controller whose instruction this is`,
      { sourceId: input.sourceId },
    );
  }
  return controllers[0] ?? null;
}
