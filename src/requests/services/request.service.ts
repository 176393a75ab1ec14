// The request lifecycle over the database: submit, verify (with the discovery snapshot and
// the per-record decisions), review, controller instructions, overrides, deadlines,
// approval and the hand-off to execution. Pure rules live in ../*.ts; this class only
// loads, applies them and stores the result with its transitions and audit entries.
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Identifier, RetentionPolicy } from '../../../connectors/contract.js';
import type { AuditLog } from '../../audit/index.js';
import { AuditAction } from '../../audit/audit-actions.js';
import type { Principal } from '../../auth/index.js';
import type { Keyrings } from '../../crypto/index.js';
import type { DiscoveryService } from '../../discovery/discovery.service.js';
import { DomainError } from '../../domain/errors.js';
import { withinTime } from '../../domain/time-limit.js';
import { ControllerDecision, RecordAction, RequestStatus, RequestType, ReviewState, SourceKind, sourceRulesOf } from '../../domain/vocabulary.js';
import type { Logger } from '../../logging/logger.js';
import type { SourceRegistry } from '../../sources/source-registry.js';
import { acknowledgeBy, answerDueAt, extendDeadline, jurisdictionOf } from '../deadlines.js';
import { assertActionAllowed, legalHoldOf, overrideDecision, type ActionGuards } from '../decisions.js';
import { findPossibleDuplicates } from '../duplicates.js';
import { mergeRediscovery, sourcesBlockingExecution, sourcesGoneWithout, unsearchedSources } from '../discovery-gaps.js';
import { withSourcesNotSearched, type SourceGap } from '../response-summary.js';
import { RequestRuleError, requireReason } from '../errors.js';
import { assertIdentityVerified, transition } from '../state-machine.js';
import type {
  ControllerInstructionEntity,
  DataSubjectRequestEntity,
  DiscoveryOutcome,
  InaccuracyFindingRecord,
  RecordDecisionEntity,
  RequestRecordEntity,
} from '../store/request.store.js';
import type { Stores } from '../../app/stores.js';
import { AccessPackageService, type IssuedLink } from './access-package.service.js';
import { changeRequest, stateOf, type RequestChange } from './request-change.js';
import { badInput, identifiersDestroyed, isUuid, outsideScope, requestNotFound } from './request-errors.js';
import type { RequestExecutor } from './request-executor.js';
import { createDeadlineScan, type DeadlineFlags } from './deadline-scan.js';
import { listRequests, type RequestPage, type RequestPageArgs } from './request-queries.js';
import { listFilterOf, type RequestSearchFilter } from './request-search.js';
import { RequestSecrets, indexEntry, type RequestedCorrection } from './request-secrets.js';
import type { RequestSettings } from './request-settings.js';
import { decide, decisionOf, decisionRow, decisionRecordOf, isActedOn, snapshotRow, type SourceFacts } from './request-snapshot.js';
import {
  assertCorrectableSomewhere,
  assertInaccuracyEstablished,
  buildInaccuracyFinding,
  correctionTargetOf,
  rectifyDecision,
  type CorrectionTarget,
  type InaccuracyFindingInput,
} from './rectification-checks.js';
import { canSeeRequest, seesWholeRequest } from './request-visibility.js';

export interface RequestServiceDeps {
  dataSource: DataSource;
  stores: Stores;
  keyrings: Keyrings;
  audit: AuditLog;
  sources: SourceRegistry;
  discovery: DiscoveryService;
  logger: Logger;
  settings: RequestSettings;
  /** Runs approved requests' corrections, erasures and restrictions (src/execution). */
  executor: RequestExecutor;
  now?: () => Date;
}

export interface SubmitRequestInput {
  type: RequestType;
  identifiers: Identifier[];
  receivedAt?: Date | null;
  jurisdiction?: string | null;
  channel?: string | null;
  scope?: string | null;
  corrections?: RequestedCorrection[] | null;
}

export interface VerifyIdentityInput {
  method: string;
  evidenceRef?: string | null;
  /** When the identity was verified, if earlier than now (e.g. documents checked by post). */
  verifiedAt?: Date | null;
}

export interface RecordRefInput {
  sourceId: string;
  recordId: string;
}

export interface ControllerInstructionInput {
  sourceId: string;
  decision: ControllerDecision;
  reference?: string | null;
}

export interface OverrideInput extends RecordRefInput {
  action: RecordAction;
  reason: string;
}

export interface ExecuteResult {
  request: DataSubjectRequestEntity;
  /** Set for ACCESS requests: the one-time link, shown only now. */
  link: IssuedLink | null;
}

/** Audit action of a handler's finding on accuracy (R14). */
export const INACCURACY_FINDING_AUDIT = 'request.inaccuracy-finding';

/** Audit action of a handler's decision to execute without the sources that could not be searched (R1). */

/** Before approval the decisions may still change; from then on they are final. */
const OPEN_FOR_REVIEW: readonly string[] = [RequestStatus.IDENTITY_VERIFIED, RequestStatus.AWAITING_CONTROLLER, RequestStatus.IN_REVIEW];

export class RequestService {
  readonly secrets: RequestSecrets;
  readonly packages: AccessPackageService;
  /** The scheduled scan: ids of overdue and due-soon requests (a job calls it). */
  readonly flagDeadlines: (now?: Date) => Promise<DeadlineFlags>;
  private readonly now: () => Date;

  constructor(private readonly deps: RequestServiceDeps) {
    this.secrets = new RequestSecrets(deps.keyrings.encryption, deps.keyrings.tombstone);
    this.now = deps.now ?? (() => new Date());
    this.packages = new AccessPackageService({ ...deps, now: this.now });
    this.flagDeadlines = createDeadlineScan({ store: deps.stores.requests, logger: deps.logger, dueSoonDays: deps.settings.deadlines.dueSoonDays });
  }

  async list(principal: Principal, filter: RequestSearchFilter, page: RequestPageArgs): Promise<RequestPage> {
    const listFilter = listFilterOf(filter, this.secrets);
    if (filter.identifier) {
      // A look-up of a person: audited like discovery (the identifier only as a digest).
      await this.deps.audit.record({
        actor: { id: principal.id, kind: principal.kind },
        action: AuditAction.REQUEST_SEARCH,
        target: { type: 'request' },
        params: { identifier: filter.identifier },
        outcome: 'SUCCESS',
      });
    }
    return listRequests(this.deps.stores, principal, listFilter, page, this.now(), this.settings.deadlines.dueSoonDays);
  }

  get settings(): RequestSettings {
    return this.deps.settings;
  }

  // ---- reading ----

  /** The request if it exists and the principal may see it; null otherwise (no existence leak). */
  async find(id: string, principal: Principal, m?: EntityManager): Promise<DataSubjectRequestEntity | null> {
    if (!isUuid(id)) return null;
    const row = await this.deps.stores.requests.find(id, m);
    return row && canSeeRequest(principal, row) ? row : null;
  }

  async get(id: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const row = await this.find(id, principal);
    if (!row) throw requestNotFound(id);
    return row;
  }

  async records(requestId: string): Promise<RequestRecordEntity[]> {
    return this.recordsOf([requestId]);
  }

  /** The verification snapshots of these requests in one query (a page of requests reads them together). */
  async recordsOf(requestIds: readonly string[]): Promise<RequestRecordEntity[]> {
    return this.deps.stores.requests.recordsOf(requestIds);
  }

  async decisions(requestId: string): Promise<RecordDecisionEntity[]> {
    return this.decisionsOf([requestId]);
  }

  async decisionsOf(requestIds: readonly string[]): Promise<RecordDecisionEntity[]> {
    return this.deps.stores.requests.decisionsOf(requestIds);
  }

  async instructions(requestId: string): Promise<ControllerInstructionEntity[]> {
    return this.instructionsOf([requestId]);
  }

  async instructionsOf(requestIds: readonly string[]): Promise<ControllerInstructionEntity[]> {
    return this.deps.stores.requests.instructionsOf(requestIds);
  }

  identifiersOf(request: DataSubjectRequestEntity): Identifier[] {
    if (!request.identifiersSealed) throw identifiersDestroyed(request.id);
    return this.secrets.open<Identifier[]>(request.id, request.identifiersSealed);
  }

  // ---- submit ----

  async submit(input: SubmitRequestInput, principal: Principal): Promise<DataSubjectRequestEntity> {
    const now = this.now();
    if (!Object.values(RequestType).includes(input.type)) throw badInput(`Unknown request type ${String(input.type)}`);
    if (!input.identifiers?.length) throw badInput('A request needs at least one identifier of the person');
    const receivedAt = input.receivedAt ?? now;
    if (Number.isNaN(receivedAt.getTime())) throw new RequestRuleError('INVALID_DATE', 'receivedAt is not a valid date');
    if (receivedAt.getTime() > now.getTime() + 60_000) throw new RequestRuleError('INVALID_DATE', 'receivedAt cannot be in the future');
    const jurisdiction = jurisdictionOf(input.jurisdiction, this.settings.deadlines).code;
    const corrections = this.checkCorrections(input.type, input.corrections ?? null);
    // R14: a field no source can correct or annotate is refused now, naming the field.
    if (corrections) assertCorrectableSomewhere(await this.correctionTargets(), corrections);

    const id = randomUUID();
    // Throws INVALID_IDENTIFIER (with its type) for a value that cannot be normalised.
    const blindIndex = this.secrets.blindIndex(input.identifiers);
    const lookup = this.secrets.blindIndex(input.identifiers, true);
    const others = await this.deps.stores.requests.sharingBlindIndex(lookup);
    const duplicates = findPossibleDuplicates(
      { requestId: id, type: input.type, indexes: lookup.map(indexEntry) },
      others.map((o) => ({ requestId: o.id, type: o.type, status: o.status, receivedAt: o.received_at, indexes: o.blind_index.map(indexEntry) })),
      { includeWeak: false },
    );

    return this.deps.dataSource.transaction(async (tx) => {
      const row: Partial<DataSubjectRequestEntity> = {
        id,
        type: input.type,
        status: RequestStatus.RECEIVED,
        heldFrom: null,
        holdReason: null,
        receivedAt,
        verifiedAt: null,
        acknowledgeBy: acknowledgeBy(receivedAt, jurisdiction, this.settings.deadlines),
        acknowledgedAt: null,
        dueAt: null,
        extendedDueAt: null,
        extensionReason: null,
        jurisdiction,
        channel: input.channel?.trim() || null,
        scopeSealed: input.scope?.trim() ? this.secrets.seal(id, input.scope.trim()) : null,
        identifiersSealed: this.secrets.seal(id, input.identifiers.map(({ type, value }) => ({ type, value }))),
        identifiersDestroyedAt: null,
        blindIndex,
        correctionsSealed: corrections ? this.secrets.seal(id, corrections) : null,
        verificationMethod: null,
        verificationEvidenceRef: null,
        // A handler bound to controllers submits for them, so the request stays visible to them.
        controllerIds: [...principal.controllerIds],
        possibleDuplicateOf: duplicates.map((d) => d.requestId),
        discoveryOutcome: null,
        inaccuracyFinding: null,
        response: null,
        createdBy: principal.id,
      };
      const created = { requestId: id, from: null, to: RequestStatus.RECEIVED, event: 'submit', actor: principal.id, at: now, reason: null };
      const saved = await this.deps.stores.requests.insert(row, created, tx);
      await this.deps.audit.record(
        {
          actor: { id: principal.id, kind: principal.kind },
          action: AuditAction.REQUEST_SUBMIT,
          target: { type: 'request', id },
          params: { type: input.type, identifiers: input.identifiers, possibleDuplicates: duplicates.length },
          outcome: 'SUCCESS',
        },
        tx,
      );
      return saved;
    });
  }

  private checkCorrections(type: RequestType, corrections: RequestedCorrection[] | null): RequestedCorrection[] | null {
    if (type !== RequestType.RECTIFICATION) {
      if (corrections?.length) throw badInput('Corrections belong to RECTIFICATION requests only');
      return null;
    }
    if (!corrections?.length) throw new RequestRuleError('NO_CORRECTIONS', 'A rectification needs at least one correction');
    return corrections.map((c) => {
      const field = c.field?.trim();
      if (!field) throw badInput('A correction names the field to correct');
      return { field, value: c.value, reason: requireReason(c.reason, `The correction of "${field}"`) };
    });
  }

  // ---- verification and discovery snapshot ----

  async verifyIdentity(requestId: string, input: VerifyIdentityInput, principal: Principal): Promise<DataSubjectRequestEntity> {
    const request = await this.get(requestId, principal);
    const now = this.now();
    const method = input.method?.trim();
    if (!method) throw badInput('The verification method is required (e.g. "passport checked by video call")');
    const verifiedAt = input.verifiedAt ?? now;
    if (Number.isNaN(verifiedAt.getTime()) || verifiedAt.getTime() > now.getTime() + 60_000) {
      throw new RequestRuleError('INVALID_DATE', 'verifiedAt must be a valid date, not in the future');
    }
    if (verifiedAt < request.receivedAt) throw new RequestRuleError('INVALID_DATE', 'verifiedAt cannot precede the receipt of the request');
    // Fails fast (naming the current state) before any source is asked.
    transition(stateOf(request), 'verifyIdentity', { actor: principal.id, at: now });
    // Sources may have changed since submission: a field none can take is refused before discovery.
    if (request.type === RequestType.RECTIFICATION) assertCorrectableSomewhere(await this.correctionTargets(), this.correctionsOf(request));

    // Discovery runs outside the transaction (it waits on sources); the version check
    // below refuses the result if the request changed meanwhile.
    const resolution = await this.deps.discovery.discover({ identifiers: this.identifiersOf(request), includeRelated: true });
    const outcome: DiscoveryOutcome = {
      complete: resolution.complete,
      sources: resolution.sources.map((s) => ({ sourceId: s.sourceId, status: s.status, errorCode: s.errorCode ?? null, records: s.records })),
    };
    const facts = await this.sourceFacts(resolution.records.map((r) => r.sourceId));

    await changeRequest(this.deps, request, principal, now, async (c) => {
      const saved = await this.deps.stores.requests.insertRecords(
        c.m,
        resolution.records.map((r) => snapshotRow(request.id, r)),
      );
      await this.writeDecisions(c, saved.filter(isActedOn), facts, new Map());
      const controllerIds = new Set([...request.controllerIds, ...saved.map((r) => r.controllerId).filter((x): x is string => !!x)]);
      c.set({
        verifiedAt,
        verificationMethod: method,
        verificationEvidenceRef: input.evidenceRef?.trim() || null,
        dueAt: answerDueAt(request.receivedAt, verifiedAt, request.jurisdiction, this.settings.deadlines),
        controllerIds: [...controllerIds].sort(),
        discoveryOutcome: outcome,
      });
      c.move('verifyIdentity', method);
      c.move((await this.waitingForController(c.m, request.id)) ? 'awaitController' : 'startReview');
      c.audit(AuditAction.REQUEST_VERIFY_IDENTITY, { method, evidenceRef: input.evidenceRef ?? null, records: saved.length });
      c.audit(AuditAction.DISCOVERY_RUN, { complete: outcome.complete, sources: outcome.sources.length, records: saved.length });
    });
    this.deps.logger.info({ requestId, records: resolution.records.length, complete: outcome.complete }, 'request verified');
    return this.get(requestId, principal);
  }

  /**
   * R1: searches again the sources that failed or timed out at verification, adds what they
   * hold to the snapshot with its decisions, and updates discoveryComplete.
   */
  async rediscoverSources(requestId: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const request = await this.get(requestId, principal);
    this.assertOpenForReview(request, 'search again the sources of');
    const failed = unsearchedSources(request.discoveryOutcome);
    if (failed.length === 0) throw new DomainError('DISCOVERY_COMPLETE', 'Every source answered at verification: there is nothing to search again', { requestId });
    const known = new Set((await this.deps.sources.list()).map((s) => s.id));
    // A source removed since verification cannot be asked: it stays unsearched.
    const asked = failed.filter((id) => known.has(id));
    const resolution = asked.length
      ? await this.deps.discovery.discover({ identifiers: this.identifiersOf(request), sourceIds: asked, includeRelated: true })
      : { records: [], sources: [] };
    const again = resolution.sources.map((s) => ({ sourceId: s.sourceId, status: s.status, errorCode: s.errorCode ?? null, records: s.records }));
    const outcome = mergeRediscovery(request.discoveryOutcome!, again);
    const facts = await this.sourceFacts(resolution.records.map((r) => r.sourceId));
    const instructions = await this.instructionMap(requestId);
    const now = this.now();
    await changeRequest(this.deps, request, principal, now, async (c) => {
      const existing = new Set((await this.records(requestId)).map(recordKey));
      const saved = await this.deps.stores.requests.insertRecords(
        c.m,
        resolution.records.filter((r) => !existing.has(recordKey(r))).map((r) => snapshotRow(request.id, r)),
      );
      await this.writeDecisions(c, saved.filter(isActedOn), facts, instructions);
      const controllerIds = new Set([...request.controllerIds, ...saved.map((r) => r.controllerId).filter((x): x is string => !!x)]);
      c.set({ discoveryOutcome: outcome, controllerIds: [...controllerIds].sort() });
      await this.settle(c);
      c.audit(AuditAction.DISCOVERY_RUN, { complete: outcome.complete, sources: failed, records: saved.length });
    });
    this.deps.logger.info({ requestId, sources: failed.length, records: resolution.records.length, complete: outcome.complete }, 'sources searched again');
    return this.get(requestId, principal);
  }

  /**
   * R1: the handler's explicit, audited decision to execute although these sources could not
   * be searched; the answer to the person then names them and is never complete.
   */
  async proceedWithoutSources(requestId: string, reason: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const request = await this.get(requestId, principal);
    this.assertOpenForReview(request, 'go on without sources of');
    const why = requireReason(reason, 'Going on without the sources that could not be searched');
    const sourceIds = unsearchedSources(request.discoveryOutcome);
    if (sourceIds.length === 0) throw new DomainError('DISCOVERY_COMPLETE', 'Every source was searched: there is no source to go without', { requestId });
    const now = this.now();
    await changeRequest(this.deps, request, principal, now, (c) => {
      c.set({ discoveryOutcome: { ...request.discoveryOutcome!, notSearched: { sourceIds, reason: why, actor: principal.id, at: now.toISOString() } } });
      c.audit(AuditAction.REQUEST_PROCEED_WITHOUT_SOURCES, { sourceIds, reason: why });
    });
    return this.get(requestId, principal);
  }

  /** The sources the handler went without, as the answer names them. */
  async sourceGaps(request: DataSubjectRequestEntity): Promise<SourceGap[]> {
    const decision = sourcesGoneWithout(request.discoveryOutcome);
    if (!decision) return [];
    return Promise.all(
      decision.sourceIds.map(async (sourceId) => ({
        sourceId,
        sourceName: (await this.deps.sources.find(sourceId))?.name ?? sourceId,
        kind: 'NOT_SEARCHED' as const,
        reason: `it did not answer when we searched; ${decision.reason}`,
      })),
    );
  }

  private async sourceFacts(sourceIds: string[]): Promise<Map<string, SourceFacts>> {
    const out = new Map<string, SourceFacts>();
    for (const id of new Set(sourceIds)) {
      const entity = await this.deps.sources.find(id);
      out.set(id, { kind: (entity?.kind ?? 'OTHER') as SourceKind, description: await this.deps.sources.describe(id) });
    }
    return out;
  }

  /** Every enabled source with its kind and fields (null fields: it could not describe them). */
  private async correctionTargets(): Promise<CorrectionTarget[]> {
    const sources = await this.deps.sources.list();
    const facts = await this.sourceFacts(sources.map((s) => s.id));
    return [...facts.values()].map(correctionTargetOf);
  }

  /** The corrections the person asked for (decrypted; RECTIFICATION only). */
  correctionsOf(request: DataSubjectRequestEntity): RequestedCorrection[] {
    return request.correctionsSealed ? this.secrets.open<RequestedCorrection[]>(request.id, request.correctionsSealed) : [];
  }

  /**
   * (Re)computes and stores the decisions of these acted-on records. RECTIFICATION
   * decisions are narrowed to the fields each source can take (R14), given the finding
   * (the stored one unless a new one is being recorded).
   */
  private async writeDecisions(
    c: RequestChange,
    records: RequestRecordEntity[],
    facts: Map<string, SourceFacts>,
    instructions: Map<string, ControllerDecision>,
    finding: InaccuracyFindingRecord | null = c.request.inaccuracyFinding,
  ): Promise<void> {
    if (records.length === 0) return;
    const missing = records.map((r) => r.sourceId).filter((id) => !facts.has(id));
    if (missing.length) for (const [k, v] of await this.sourceFacts(missing)) facts.set(k, v);
    const rectification = c.request.type === RequestType.RECTIFICATION;
    const corrections = rectification ? this.correctionsOf(c.request) : [];
    const rows = records.map((r) => {
      const source = facts.get(r.sourceId)!;
      const decided = decide(c.request.type as RequestType, r, source, instructions.get(r.sourceId) ?? null, c.now);
      if (!rectification) return decisionRow(c.request.id, r, decided);
      const { decision, correctionFields } = rectifyDecision(decided, correctionTargetOf(source), r.recordType, corrections, finding);
      return decisionRow(c.request.id, r, decision, correctionFields);
    });
    await this.deps.stores.requests.upsertDecisions(c.m, rows);
  }

  private async waitingForController(m: EntityManager, requestId: string): Promise<boolean> {
    return this.deps.stores.requests.waitsForController(m, requestId);
  }

  /** Moves between IN_REVIEW and AWAITING_CONTROLLER as the decisions require. */
  private async settle(c: RequestChange): Promise<void> {
    const waiting = await this.waitingForController(c.m, c.request.id);
    if (c.request.status === RequestStatus.AWAITING_CONTROLLER && !waiting) c.move('controllerInstructed');
    else if (c.request.status === RequestStatus.IN_REVIEW && waiting) c.move('awaitController');
  }

  private assertOpenForReview(request: DataSubjectRequestEntity, doing: string): void {
    assertIdentityVerified(request, doing);
    if (!OPEN_FOR_REVIEW.includes(request.status)) {
      throw new RequestRuleError('INVALID_TRANSITION', `Cannot ${doing} a request in state ${request.status}`, {
        currentStatus: request.status,
      });
    }
  }

  // ---- review ----

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
    const request = await this.get(requestId, principal);
    const doing = state === ReviewState.CONFIRMED ? 'confirm matches of' : 'reject matches of';
    this.assertOpenForReview(request, doing);
    if (!refs.length) throw badInput('Name at least one record');
    const records = await this.records(requestId);
    const byKey = new Map(records.map((r) => [`${r.sourceId}\u0000${r.recordId}`, r]));
    const chosen = refs.map((ref) => {
      const record = byKey.get(`${ref.sourceId}\u0000${ref.recordId}`);
      // A record of another controller is reported as absent, like any unknown record.
      if (!record || !principalSees(principal, record)) {
        throw new DomainError('RECORD_NOT_FOUND', `The request's snapshot holds no record ${ref.sourceId}/${ref.recordId}`, { ...ref });
      }
      if (record.band !== 'REVIEW') {
        throw new DomainError('NOT_A_REVIEW_RECORD', `Record ${ref.sourceId}/${ref.recordId} is a MATCH: only REVIEW records are confirmed or rejected`, { ...ref });
      }
      return record;
    });
    const instructions = await this.instructionMap(requestId);
    await changeRequest(this.deps, request, principal, this.now(), async (c) => {
      for (const r of chosen) r.reviewState = state;
      await this.deps.stores.requests.setReviewState(
        c.m,
        chosen.map((r) => r.id),
        state,
      );
      if (state === ReviewState.CONFIRMED) await this.writeDecisions(c, chosen, new Map(), instructions);
      else for (const r of chosen) await this.deps.stores.requests.deleteDecision(c.m, requestId, r.sourceId, r.recordId);
      await this.settle(c);
      c.audit(state === ReviewState.CONFIRMED ? AuditAction.REQUEST_CONFIRM_MATCHES : AuditAction.REQUEST_REJECT_MATCHES, { refs });
    });
    return this.get(requestId, principal);
  }

  private async instructionMap(requestId: string): Promise<Map<string, ControllerDecision>> {
    return new Map((await this.instructions(requestId)).map((i) => [i.sourceId, i.decision as ControllerDecision]));
  }

  // ---- controller gate (R6, R7) ----

  async recordControllerInstruction(requestId: string, input: ControllerInstructionInput, principal: Principal): Promise<DataSubjectRequestEntity> {
    const request = await this.get(requestId, principal);
    this.assertOpenForReview(request, 'record a controller instruction for');
    if (!Object.values(ControllerDecision).includes(input.decision)) throw badInput(`Unknown controller decision ${String(input.decision)}`);
    const controlled = (await this.records(requestId)).filter((r) => r.sourceId === input.sourceId && r.controllerId && isActedOn(r));
    const visible = controlled.filter((r) => principalSees(principal, r));
    if (visible.length === 0) {
      throw new DomainError('NO_CONTROLLED_RECORDS', `No record of source ${input.sourceId} in this request is held for a controller`, {
        sourceId: input.sourceId,
      });
    }
    if (visible.length < controlled.length) throw outsideScope();
    const now = this.now();
    const instructions = await this.instructionMap(requestId);
    instructions.set(input.sourceId, input.decision);
    await changeRequest(this.deps, request, principal, now, async (c) => {
      await this.deps.stores.requests.upsertInstruction(c.m, {
        requestId,
        sourceId: input.sourceId,
        decision: input.decision,
        reference: input.reference?.trim() || null,
        actor: principal.id,
        at: now,
      });
      await this.writeDecisions(c, controlled, new Map(), instructions);
      await this.settle(c);
      for (const controllerId of new Set(controlled.map((r) => r.controllerId))) {
        c.audit(AuditAction.REQUEST_CONTROLLER_INSTRUCTION, { sourceId: input.sourceId, decision: input.decision, reference: input.reference ?? null }, controllerId);
      }
    });
    return this.get(requestId, principal);
  }

  // ---- overrides ----

  async overrideDecision(requestId: string, input: OverrideInput, principal: Principal): Promise<DataSubjectRequestEntity> {
    const request = await this.get(requestId, principal);
    this.assertOpenForReview(request, 'override a decision of');
    const record = (await this.records(requestId)).find((r) => r.sourceId === input.sourceId && r.recordId === input.recordId);
    const row = record && principalSees(principal, record)
      ? await this.deps.stores.requests.findDecision(requestId, input.sourceId, input.recordId)
      : null;
    if (!row) {
      throw new DomainError('DECISION_NOT_FOUND', `No decision for record ${input.sourceId}/${input.recordId} (a REVIEW record must be confirmed first)`, {
        sourceId: input.sourceId,
        recordId: input.recordId,
      });
    }
    await this.assertCorrectionOverride(request, row, input.action);
    const now = this.now();
    const guards = (await this.guardsOf([record!], await this.instructionMap(requestId), now)).get(recordKey(record!))!;
    const { decision, override } = overrideDecision(decisionOf(row), input.action, input.reason, principal.id, now, guards);
    await changeRequest(this.deps, request, principal, now, async (c) => {
      await this.deps.stores.requests.updateDecision(
        c.m,
        row.id,
        {
          action: decision.action,
          basis: decision.basis ?? null,
          retainUntil: decision.retainUntil ?? null,
          reason: decision.reason,
          followUpAction: null,
          needsReview: false,
          overrideReason: override.reason,
          overriddenBy: principal.id,
        },
      );
      c.audit(AuditAction.REQUEST_OVERRIDE, { ...override, sourceId: input.sourceId, recordId: input.recordId }, record!.controllerId);
    });
    return this.get(requestId, principal);
  }

  /**
   * What binds each record whatever a handler decided: its legal hold (R8, from the
   * source's retention and the record's dates) and its controller's refusal (R6).
   */
  private async guardsOf(records: readonly RequestRecordEntity[], instructions: Map<string, ControllerDecision>, now: Date): Promise<Map<string, ActionGuards>> {
    const facts = await this.sourceFacts(records.map((r) => r.sourceId));
    const out = new Map<string, ActionGuards>();
    for (const r of records) {
      const source = facts.get(r.sourceId)!;
      // A source that cannot describe its retention is held when its kind's rules say so (statutory retention).
      const retention: RetentionPolicy = source.description?.retention ?? { summary: 'unknown', statutory: false, erasure: 'DELETE' };
      out.set(recordKey(r), {
        legalHold: legalHoldOf(decisionRecordOf(r, source.kind, source.description?.rules), retention, now),
        controllerRefused: !!r.controllerId && instructions.get(r.sourceId) === ControllerDecision.REFUSE,
      });
    }
    return out;
  }

  /** Execution checks every decision again: an override stored before a rule bound is refused now. */
  private async assertDecisionsAllowed(records: readonly RequestRecordEntity[], decisions: readonly RecordDecisionEntity[], requestId: string, now: Date): Promise<void> {
    const byKey = new Map(records.map((r) => [recordKey(r), r]));
    const acting = decisions.filter((d) => d.action !== RecordAction.RETAIN && byKey.has(recordKey(d)));
    if (acting.length === 0) return;
    const guards = await this.guardsOf(acting.map((d) => byKey.get(recordKey(d))!), await this.instructionMap(requestId), now);
    for (const d of acting) assertActionAllowed(d.action as RecordAction, guards.get(recordKey(d))!, { sourceId: d.sourceId, recordId: d.recordId });
  }

  // ---- rectification (R14) ----

  /** An override to CORRECT / ANNOTATE needs a field the source can take; a source whose rules annotate corrections is never overwritten. */
  private async assertCorrectionOverride(request: DataSubjectRequestEntity, row: RecordDecisionEntity, action: RecordAction): Promise<void> {
    if (action !== RecordAction.CORRECT && action !== RecordAction.ANNOTATE) return;
    if (request.type !== RequestType.RECTIFICATION) {
      throw new RequestRuleError('INVALID_ACTION', `${action} belongs to RECTIFICATION requests; this one is ${request.type}`);
    }
    if (!row.correctionFields?.length) {
      throw new RequestRuleError('FIELD_NOT_CORRECTABLE', `No requested correction applies to record ${row.sourceId}/${row.recordId}`, {
        sourceId: row.sourceId,
        recordId: row.recordId,
      });
    }
    const source = (await this.sourceFacts([row.sourceId])).get(row.sourceId)!;
    if (action === RecordAction.CORRECT && sourceRulesOf(source.kind, source.description?.rules).annotatesCorrections) {
      throw new RequestRuleError('INVALID_ACTION', 'Medical records are annotated, never overwritten (R14): use ANNOTATE', { sourceId: row.sourceId });
    }
  }

  /**
   * The handler's finding on the accuracy of the data: stored with the request (field names
   * and reasons, no values), audited, and the decisions narrowed to the accepted fields.
   * May be recorded again (the latest counts) until the request is approved.
   */
  async recordInaccuracyFinding(requestId: string, input: InaccuracyFindingInput, principal: Principal): Promise<DataSubjectRequestEntity> {
    const request = await this.get(requestId, principal);
    if (request.type !== RequestType.RECTIFICATION) {
      throw new DomainError('NOT_A_RECTIFICATION', `A finding on accuracy belongs to RECTIFICATION requests; this one is ${request.type}`, {
        requestId,
        type: request.type,
      });
    }
    this.assertOpenForReview(request, 'record a finding on accuracy for');
    const records = await this.records(requestId);
    if (!seesWholeRequest(principal, records)) throw outsideScope();
    const now = this.now();
    const finding = buildInaccuracyFinding(input, this.correctionsOf(request), principal.id, now);
    const overridden = new Set((await this.decisions(requestId)).filter((d) => d.overrideReason !== null).map((d) => `${d.sourceId}\u0000${d.recordId}`));
    // A handler's override stands; every other decision follows the finding.
    const recompute = records.filter((r) => isActedOn(r) && !overridden.has(`${r.sourceId}\u0000${r.recordId}`));
    const instructions = await this.instructionMap(requestId);
    await changeRequest(this.deps, request, principal, now, async (c) => {
      c.set({ inaccuracyFinding: finding });
      await this.writeDecisions(c, recompute, new Map(), instructions, finding);
      await this.settle(c);
      c.audit(INACCURACY_FINDING_AUDIT, {
        inaccurate: finding.inaccurate,
        reason: finding.reason,
        evidenceRef: finding.evidenceRef,
        accepted: finding.accepted,
        rejected: finding.rejected,
      });
    });
    return this.get(requestId, principal);
  }

  // ---- deadlines ----

  async extendDeadline(requestId: string, reason: string, months: number | null | undefined, principal: Principal): Promise<DataSubjectRequestEntity> {
    const request = await this.get(requestId, principal);
    const now = this.now();
    if (stateOf(request).status === RequestStatus.COMPLETED || ['PARTIALLY_COMPLETED', 'REJECTED', 'CANCELLED'].includes(request.status)) {
      throw new RequestRuleError('INVALID_TRANSITION', `Cannot extend the deadline of a request in state ${request.status}`, { currentStatus: request.status });
    }
    const ext = extendDeadline(
      { dueAt: request.dueAt, extendedDueAt: request.extendedDueAt, now, reason, ...(months ? { months } : {}), jurisdiction: request.jurisdiction },
      this.settings.deadlines,
    );
    await changeRequest(this.deps, request, principal, now, (c) => {
      c.set({ extendedDueAt: ext.extendedDueAt, extensionReason: ext.reason });
      c.audit(AuditAction.REQUEST_EXTEND_DEADLINE, { months: ext.months, reason: ext.reason });
    });
    return this.get(requestId, principal);
  }

  /** R3: the acknowledgement was sent to the person. */
  async acknowledge(requestId: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const request = await this.get(requestId, principal);
    if (request.acknowledgedAt) return request;
    await changeRequest(this.deps, request, principal, this.now(), (c) => {
      c.set({ acknowledgedAt: c.now });
      c.audit('request.acknowledge');
    });
    return this.get(requestId, principal);
  }

  // ---- approval and execution ----

  async execute(requestId: string, principal: Principal): Promise<ExecuteResult> {
    const request = await this.get(requestId, principal);
    // R2 first: nothing is released, corrected or erased before verification.
    assertIdentityVerified(request, 'execute a request');
    const now = this.now();
    // Approved, but its execution did not start (a source or the database did not answer in
    // time): the same call starts it, after the same checks.
    const resuming = request.status === RequestStatus.APPROVED && request.type !== RequestType.ACCESS;
    // Outside review the state machine answers (INVALID_TRANSITION naming the state);
    // inside it, the specific reason approval must wait comes first.
    if (!OPEN_FOR_REVIEW.includes(request.status) && !resuming) transition(stateOf(request), 'approve', { actor: principal.id, at: now });
    const records = await this.records(requestId);
    if (!seesWholeRequest(principal, records)) throw outsideScope();
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
    const decisions = await this.decisions(requestId);
    const waiting = decisions.filter((d) => d.needsController);
    if (waiting.length) {
      throw new RequestRuleError('CONTROLLER_INSTRUCTION_REQUIRED', `${waiting.length} record(s) wait for their controller's instruction`, {
        sourceIds: [...new Set(waiting.map((d) => d.sourceId))],
      });
    }
    // R14: nothing is corrected before a handler found the data inaccurate.
    if (request.type === RequestType.RECTIFICATION) assertInaccuracyEstablished(request.inaccuracyFinding);
    // R6, R8: a controller's refusal and a legal hold bind every decision, overridden or not.
    await this.assertDecisionsAllowed(records, decisions, requestId, now);
    if (!resuming) transition(stateOf(request), 'approve', { actor: principal.id, at: now });
    const limit = this.deps.executor.timeLimitMs;

    if (request.type === RequestType.ACCESS) {
      // Exports happen before anything is stored: a source failing or hanging leaves the request as it was.
      const built = await withinTime(this.packages.build(request, records.filter(isActedOn), decisions, now), limit, () =>
        new DomainError('EXECUTION_TIMEOUT', 'Execution stopped: a source did not export in time; nothing was released, call executeRequest again', { requestId }),
      );
      const gaps = await this.sourceGaps(request);
      built.response = withSourcesNotSearched(built.response, gaps);
      let link: IssuedLink | null = null;
      await changeRequest(this.deps, request, principal, now, async (c) => {
        c.move('approve');
        c.move('startExecution');
        link = await this.packages.store(c.m, request.id, built.pkg, now, principal);
        c.set({ response: built.response });
        if (gaps.length) c.move('completePartially', gaps.map((g) => `source ${g.sourceId} could not be searched`).join('; '));
        else c.move('complete');
        c.audit(AuditAction.REQUEST_EXECUTE, { type: request.type, released: built.released, sha256: built.pkg.sha256 });
      });
      return { request: await this.get(requestId, principal), link };
    }

    // Source calls first, bounded (EXECUTION_TIMEOUT): a source that hangs leaves the request as it was.
    const prepared = await this.deps.executor.prepare(requestId);
    // Approved here; the executor moves it to EXECUTING in the one bounded transaction that
    // writes its tombstones and tasks, so a failure there leaves it APPROVED with nothing done.
    if (!resuming) {
      await changeRequest(this.deps, request, principal, now, (c) => {
        c.move('approve');
        c.audit(AuditAction.REQUEST_EXECUTE, { type: request.type, decisions: decisions.length });
      });
    }
    try {
      await this.deps.executor.execute(requestId, principal.id, prepared);
    } catch (error) {
      this.deps.logger.error({ requestId, err: (error as Error).message }, 'execution did not start');
      if (error instanceof DomainError) throw error;
      throw new DomainError('EXECUTION_NOT_STARTED', 'The request was approved but its tasks could not be queued; retry with retryFailedTasks', { requestId });
    }
    return { request: await this.get(requestId, principal), link: null };
  }

  async retryFailedTasks(requestId: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const request = await this.get(requestId, principal);
    assertIdentityVerified(request, 'retry tasks of');
    if (![RequestStatus.EXECUTING, RequestStatus.PARTIALLY_COMPLETED].includes(request.status as RequestStatus)) {
      throw new RequestRuleError('INVALID_TRANSITION', `Cannot retry tasks of a request in state ${request.status}`, { currentStatus: request.status });
    }
    await this.deps.executor.retryFailed(requestId, principal.id);
    await this.deps.audit.record({
      actor: { id: principal.id, kind: principal.kind },
      action: AuditAction.REQUEST_RETRY_FAILED_TASKS,
      target: { type: 'request', id: requestId },
      outcome: 'SUCCESS',
    });
    return this.get(requestId, principal);
  }

  /** A fresh one-time link for a completed access request (the previous link stops working). */
  async renewAccessPackageLink(requestId: string, principal: Principal): Promise<ExecuteResult> {
    const request = await this.get(requestId, principal);
    if (!seesWholeRequest(principal, await this.records(requestId))) throw outsideScope();
    const link = await this.packages.renew(request, principal);
    return { request, link };
  }

  // ---- cancel, hold, resume, reject ----

  async cancel(requestId: string, reason: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    return this.simpleMove(requestId, 'cancel', reason, principal);
  }

  async hold(requestId: string, reason: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    return this.simpleMove(requestId, 'hold', reason, principal);
  }

  async resume(requestId: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    return this.simpleMove(requestId, 'resume', null, principal);
  }

  async reject(requestId: string, reason: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    return this.simpleMove(requestId, 'reject', reason, principal);
  }

  private async simpleMove(
    requestId: string,
    event: 'cancel' | 'hold' | 'resume' | 'reject',
    reason: string | null,
    principal: Principal,
  ): Promise<DataSubjectRequestEntity> {
    const request = await this.get(requestId, principal);
    if (!seesWholeRequest(principal, await this.records(requestId))) throw outsideScope();
    await changeRequest(this.deps, request, principal, this.now(), (c) => {
      c.move(event, reason);
      c.audit(`request.${event}`, { reason });
    });
    return this.get(requestId, principal);
  }
}

const recordKey = (r: { sourceId: string; recordId: string }) => `${r.sourceId}\u0000${r.recordId}`;

function principalSees(principal: Principal, record: { controllerId: string | null }): boolean {
  return seesWholeRequest(principal, [record]);
}

