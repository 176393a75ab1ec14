// Verification: the requester's identity is checked, discovery takes the snapshot of the
// person's records with their decisions, and the sources that could not be searched are
// searched again or, by the handler's recorded decision, gone without (R1).
import { AuditAction } from '../../audit/audit-actions.js';
import type { Principal } from '../../auth/index.js';
import { DomainError } from '../../domain/errors.js';
import { RequestType } from '../../domain/vocabulary.js';
import { answerDueAt } from '../deadlines.js';
import { mergeRediscovery, unsearchedSources } from '../discovery-gaps.js';
import { RequestRuleError, requireReason } from '../errors.js';
import { assertOpenForReview } from '../review-window.js';
import { transition } from '../state-machine.js';
import type { DataSubjectRequestEntity, DiscoveryOutcome } from '../store/request.store.js';
import { assertCorrectableSomewhere, fitCorrectionValues } from '../rectification-checks.js';
import { changeRequest, stateOf } from './request-change.js';
import type { RequestContext } from './request-context.js';
import { badInput } from '../request-errors.js';
import { isActedOn, recordKey, snapshotRow } from '../snapshot.js';
import { lookUpPresence, outcomeWithPresence, withPresence, type PresenceFound } from './presence-lookup.js';

export interface VerifyIdentityInput {
  method: string;
  evidenceRef?: string | null;
  /** When the identity was verified, if earlier than now (e.g. documents checked by post). */
  verifiedAt?: Date | null;
  /** R16: the date of birth given with the request was checked against the proof of identity. */
  dateOfBirthVerified?: boolean | null;
}

export class RequestVerificationService {
  constructor(private readonly ctx: RequestContext) {}

  async verifyIdentity(requestId: string, input: VerifyIdentityInput, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, secrets, decisions, visible } = this.ctx;
    const request = await visible.loadVisible(requestId, principal);
    const now = this.ctx.now();
    const method = input.method?.trim();
    if (!method) throw badInput('The verification method is required (e.g. "passport checked by video call")');
    const verifiedAt = input.verifiedAt ?? now;
    if (Number.isNaN(verifiedAt.getTime()) || verifiedAt.getTime() > now.getTime() + 60_000) {
      throw new RequestRuleError('INVALID_DATE', 'verifiedAt must be a valid date, not in the future');
    }
    if (verifiedAt < request.receivedAt) throw new RequestRuleError('INVALID_DATE', 'verifiedAt cannot precede the receipt of the request');
    const dateOfBirthVerified = input.dateOfBirthVerified === true;
    if (dateOfBirthVerified && !secrets.dateOfBirthOf(request)) throw badInput('The request gives no date of birth to verify');
    // Fails fast (naming the current state) before any source is asked.
    transition(stateOf(request), 'verifyIdentity', { actor: principal.id, at: now });
    // Sources may have changed since submission: a field none can take is refused before discovery.
    if (request.type === RequestType.RECTIFICATION) {
      const targets = await decisions.correctionTargets();
      assertCorrectableSomewhere(targets, secrets.correctionsOf(request));
      fitCorrectionValues(targets, secrets.correctionsOf(request));
    }

    // Discovery runs outside the transaction (it waits on sources); the version check
    // below refuses the result if the request changed meanwhile.
    const resolution = await deps.discovery.discover({ identifiers: secrets.identifiersOf(request), includeRelated: true });
    // Footage holds no identifiers: where and when the person says they were finds it, for REVIEW.
    const present = await this.presenceFound(request);
    const found = withPresence(resolution.records, present);
    const outcome: DiscoveryOutcome = outcomeWithPresence(
      {
        complete: resolution.complete,
        sources: resolution.sources.map((s) => ({ sourceId: s.sourceId, status: s.status, errorCode: s.errorCode ?? null, records: s.records })),
      },
      present,
      found,
    );
    const facts = await decisions.sourceFacts(found.map((r) => r.sourceId));

    await changeRequest(deps, request, principal, now, async (c) => {
      const saved = await deps.stores.requests.insertRecords(
        c.m,
        found.map((r) => snapshotRow(request.id, r)),
      );
      await decisions.write(c, saved.filter(isActedOn), facts, new Map(), request.inaccuracyFinding, { ...request, dateOfBirthVerified });
      const controllerIds = new Set([...request.controllerIds, ...saved.map((r) => r.controllerId).filter((x): x is string => !!x)]);
      c.set({
        verifiedAt,
        verificationMethod: method,
        verificationEvidenceRef: input.evidenceRef?.trim() || null,
        dateOfBirthVerified,
        dueAt: answerDueAt(request.receivedAt, verifiedAt, request.jurisdiction, deps.settings.deadlines),
        controllerIds: [...controllerIds].sort(),
        discoveryOutcome: outcome,
      });
      c.move('verifyIdentity', method);
      c.move((await deps.stores.requests.waitsForController(c.m, request.id)) ? 'awaitController' : 'startReview');
      c.audit(AuditAction.REQUEST_VERIFY_IDENTITY, { method, evidenceRef: input.evidenceRef ?? null, dateOfBirthVerified, records: saved.length });
      c.audit(AuditAction.DISCOVERY_RUN, { complete: outcome.complete, sources: outcome.sources.length, records: saved.length });
    });
    deps.logger.info(
      { requestId, records: found.length, byPresence: found.length - resolution.records.length, complete: outcome.complete },
      'request verified',
    );
    return visible.loadVisible(requestId, principal);
  }

  /**
   * R1: searches again the sources that failed or timed out at verification, adds what they
   * hold to the snapshot with its decisions, and updates discoveryComplete.
   */
  async rediscoverSources(requestId: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, secrets, decisions, visible } = this.ctx;
    // Every unsearched source is searched again and what it holds joins the snapshot: only for
    // a principal who sees the whole request (FORBIDDEN otherwise, naming no source).
    const { request } = await visible.loadWhole(requestId, principal);
    assertOpenForReview(request, 'search again the sources of');
    const failed = unsearchedSources(request.discoveryOutcome);
    if (failed.length === 0)
      throw new DomainError('DISCOVERY_COMPLETE', 'Every source answered at verification: there is nothing to search again', { requestId });
    const known = new Set((await deps.sources.list()).map((s) => s.id));
    // A source removed since verification cannot be asked: it stays unsearched.
    const asked = failed.filter((id) => known.has(id));
    const resolution = asked.length
      ? await deps.discovery.discover({ identifiers: secrets.identifiersOf(request), sourceIds: asked, includeRelated: true })
      : { records: [], sources: [], complete: true };
    const present = asked.length ? await this.presenceFound(request, asked) : { matches: [], failed: [] };
    const foundAgain = withPresence(resolution.records, present);
    const again = outcomeWithPresence(
      {
        complete: true,
        sources: resolution.sources.map((s) => ({ sourceId: s.sourceId, status: s.status, errorCode: s.errorCode ?? null, records: s.records })),
      },
      present,
      foundAgain,
    ).sources;
    const outcome = mergeRediscovery(request.discoveryOutcome!, again);
    const facts = await decisions.sourceFacts(foundAgain.map((r) => r.sourceId));
    const instructions = await decisions.instructionMap(requestId);
    const now = this.ctx.now();
    await changeRequest(deps, request, principal, now, async (c) => {
      const existing = new Set((await deps.stores.requests.recordsOf([requestId])).map(recordKey));
      const saved = await deps.stores.requests.insertRecords(
        c.m,
        foundAgain.filter((r) => !existing.has(recordKey(r))).map((r) => snapshotRow(request.id, r)),
      );
      await decisions.write(c, saved.filter(isActedOn), facts, instructions);
      const controllerIds = new Set([...request.controllerIds, ...saved.map((r) => r.controllerId).filter((x): x is string => !!x)]);
      c.set({ discoveryOutcome: outcome, controllerIds: [...controllerIds].sort() });
      await decisions.settle(c);
      c.audit(AuditAction.DISCOVERY_RUN, { complete: outcome.complete, sources: failed, records: saved.length });
    });
    deps.logger.info({ requestId, sources: failed.length, records: foundAgain.length, complete: outcome.complete }, 'sources searched again');
    return visible.loadVisible(requestId, principal);
  }

  /** The sources' records of anyone where and when the person says they were (none when the request gives no presence). */
  private async presenceFound(request: DataSubjectRequestEntity, sourceIds?: readonly string[]): Promise<PresenceFound> {
    const presence = this.ctx.secrets.presenceOf(request);
    if (!presence) return { matches: [], failed: [] };
    return lookUpPresence(this.ctx.deps, presence, this.ctx.deps.executor.timeLimitMs, sourceIds);
  }

  /**
   * R1: the handler's explicit, audited decision to execute although these sources could not
   * be searched; the answer to the person then names them and is never complete.
   */
  async proceedWithoutSources(requestId: string, reason: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, visible } = this.ctx;
    // The decision waives every unsearched source, which may hold other controllers' records:
    // only for a principal who sees the whole request (FORBIDDEN otherwise, naming no source).
    const { request } = await visible.loadWhole(requestId, principal);
    assertOpenForReview(request, 'go on without sources of');
    const why = requireReason(reason, 'Going on without the sources that could not be searched');
    const sourceIds = unsearchedSources(request.discoveryOutcome);
    if (sourceIds.length === 0) throw new DomainError('DISCOVERY_COMPLETE', 'Every source was searched: there is no source to go without', { requestId });
    const now = this.ctx.now();
    await changeRequest(deps, request, principal, now, (c) => {
      c.set({ discoveryOutcome: { ...request.discoveryOutcome!, notSearched: { sourceIds, reason: why, actor: principal.id, at: now.toISOString() } } });
      c.audit(AuditAction.REQUEST_PROCEED_WITHOUT_SOURCES, { sourceIds, reason: why });
    });
    return visible.loadVisible(requestId, principal);
  }
}
