// The per-record decisions of a request, shared by verification and review: what each
// source is (kind, retention, fields), the decisions written from the pure rules, the
// guards that bind them (R6, R8) and the request's move between review and the controller gate.
import type { RetentionPolicy } from '../../../connectors/contract.js';
import { ControllerDecision, RecordAction, RequestStatus, RequestType, type SourceKind } from '../../domain/vocabulary.js';
import type { SourceRegistry } from '../../sources/source-registry.js';
import { childAgeFor } from '../child-age.js';
import { assertActionAllowed, legalHoldOf, personnelFileHold, type ActionGuards, type DecisionOptions } from '../decisions.js';
import { sourcesGoneWithout } from '../discovery-gaps.js';
import type { SourceGap } from '../response-summary.js';
import type { DataSubjectRequestEntity, InaccuracyFindingRecord, RecordDecisionEntity, RequestRecordEntity, RequestStore } from '../store/request.store.js';
import { correctionTargetOf, rectifyDecision, type CorrectionTarget } from '../rectification-checks.js';
import type { RequestChange } from './request-change.js';
import type { RequestSecrets } from './request-secrets.js';
import type { RequestSettings } from './request-settings.js';
import { decide, decisionRecordOf, decisionRow, recordKey, type SourceFacts } from '../snapshot.js';

/** The request's controller instructions, by source and controller (R6, R7). */
export type InstructionMap = Map<string, ControllerDecision>;

export function instructionKey(sourceId: string, controllerId: string): string {
  return `${sourceId}\u0000${controllerId}`;
}

/** The instruction of this record's own controller; null for a record held for no controller, or not instructed yet. */
export function instructionFor(instructions: InstructionMap, record: { sourceId: string; controllerId: string | null }): ControllerDecision | null {
  return record.controllerId ? (instructions.get(instructionKey(record.sourceId, record.controllerId)) ?? null) : null;
}

export class RecordDecisions {
  constructor(
    private readonly deps: { stores: { requests: RequestStore }; sources: SourceRegistry; settings: Pick<RequestSettings, 'childAge'> },
    private readonly secrets: RequestSecrets,
  ) {}

  async sourceFacts(sourceIds: string[]): Promise<Map<string, SourceFacts>> {
    const out = new Map<string, SourceFacts>();
    for (const id of new Set(sourceIds)) {
      const entity = await this.deps.sources.find(id);
      out.set(id, { kind: (entity?.kind ?? 'OTHER') as SourceKind, description: await this.deps.sources.describe(id) });
    }
    return out;
  }

  /**
   * Every enabled source with its kind, fields (null fields: it could not describe them) and
   * registered phone country, in which it reads a corrected phone number without a +prefix.
   */
  async correctionTargets(): Promise<CorrectionTarget[]> {
    const sources = await this.deps.sources.list();
    const facts = await this.sourceFacts(sources.map((s) => s.id));
    return sources.map((s) => ({ ...correctionTargetOf(facts.get(s.id)!), phoneCountry: this.deps.sources.phoneCountryOf(s) }));
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

  async instructionMap(requestId: string): Promise<InstructionMap> {
    return new Map(
      (await this.deps.stores.requests.instructionsOf([requestId])).map((i) => [instructionKey(i.sourceId, i.controllerId), i.decision as ControllerDecision]),
    );
  }

  /**
   * What the request tells the rules about the person: the child age limit of its
   * jurisdiction and the date of birth verified with the identity (R16), the answer on
   * keeping certificates verifiable (R9).
   */
  optionsOf(request: DataSubjectRequestEntity): DecisionOptions {
    const limit = childAgeFor(request.jurisdiction, this.deps.settings.childAge);
    return {
      childAge: limit.age,
      ...(limit.setBy ? { childAgeSetBy: limit.setBy } : {}),
      verifiedDateOfBirth: request.dateOfBirthVerified ? this.secrets.dateOfBirthOf(request) : null,
      certificatesVerifiable: request.certificatesVerifiable,
    };
  }

  /**
   * (Re)computes and stores the decisions of these acted-on records. RECTIFICATION
   * decisions are narrowed to the fields each source can take (R14), given the finding
   * (the stored one unless a new one is being recorded).
   */
  async write(
    c: RequestChange,
    records: RequestRecordEntity[],
    facts: Map<string, SourceFacts>,
    instructions: InstructionMap,
    finding: InaccuracyFindingRecord | null = c.request.inaccuracyFinding,
    request: DataSubjectRequestEntity = c.request,
  ): Promise<void> {
    if (records.length === 0) return;
    const missing = records.map((r) => r.sourceId).filter((id) => !facts.has(id));
    if (missing.length) for (const [k, v] of await this.sourceFacts(missing)) facts.set(k, v);
    const rectification = c.request.type === RequestType.RECTIFICATION;
    const corrections = rectification ? this.secrets.correctionsOf(c.request) : [];
    const options = this.optionsOf(request);
    const rows = records.map((r) => {
      const source = facts.get(r.sourceId)!;
      const decided = decide(c.request.type as RequestType, r, source, instructionFor(instructions, r), c.now, options);
      if (!rectification) return decisionRow(c.request.id, r, decided);
      const { decision, correctionFields } = rectifyDecision(decided, correctionTargetOf(source), r.recordType, corrections, finding);
      return decisionRow(c.request.id, r, decision, correctionFields);
    });
    await this.deps.stores.requests.upsertDecisions(c.m, rows);
  }

  /** Moves between IN_REVIEW and AWAITING_CONTROLLER as the decisions require. */
  async settle(c: RequestChange): Promise<void> {
    const waiting = await this.deps.stores.requests.waitsForController(c.m, c.request.id);
    if (c.request.status === RequestStatus.AWAITING_CONTROLLER && !waiting) c.move('controllerInstructed');
    else if (c.request.status === RequestStatus.IN_REVIEW && waiting) c.move('awaitController');
  }

  /**
   * What binds each record whatever a handler decided: its legal hold (R8, from the
   * source's retention and the record's dates) and its controller's refusal (R6).
   */
  async guardsOf(records: readonly RequestRecordEntity[], instructions: InstructionMap, now: Date): Promise<Map<string, ActionGuards>> {
    const facts = await this.sourceFacts(records.map((r) => r.sourceId));
    const out = new Map<string, ActionGuards>();
    for (const r of records) {
      const source = facts.get(r.sourceId)!;
      // A source that cannot describe its retention is held when its kind's rules say so (statutory retention).
      const retention: RetentionPolicy = source.description?.retention ?? { summary: 'unknown', statutory: false, erasure: 'DELETE' };
      // Records returned to their controller are kept by it now: the group's hold no longer binds its copy.
      const instruction = instructionFor(instructions, r);
      const returned = instruction === ControllerDecision.RETURN_AND_ERASE;
      const record = decisionRecordOf(r, source.kind, source.description?.rules);
      out.set(recordKey(r), {
        // R8: statutory retention, or a hired candidate's personnel file.
        legalHold: returned ? null : (legalHoldOf(record, retention, now) ?? personnelFileHold(record)),
        controllerRefused: instruction === ControllerDecision.REFUSE,
        returnedTo: returned ? r.controllerId : null,
      });
    }
    return out;
  }

  /** Execution checks every decision again: an override stored before a rule bound is refused now. */
  async assertAllowed(records: readonly RequestRecordEntity[], decisions: readonly RecordDecisionEntity[], requestId: string, now: Date): Promise<void> {
    const byKey = new Map(records.map((r) => [recordKey(r), r]));
    const acting = decisions.filter((d) => d.action !== RecordAction.RETAIN && byKey.has(recordKey(d)));
    if (acting.length === 0) return;
    const guards = await this.guardsOf(
      acting.map((d) => byKey.get(recordKey(d))!),
      await this.instructionMap(requestId),
      now,
    );
    for (const d of acting) assertActionAllowed(d.action as RecordAction, guards.get(recordKey(d))!, { sourceId: d.sourceId, recordId: d.recordId });
  }
}
