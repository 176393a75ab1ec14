// Intake: a request is submitted (its identifiers sealed, possible duplicates noted) and
// requests are listed and searched.
import { randomUUID } from 'node:crypto';
import type { Identifier } from '../../../connectors/contract.js';
import { AuditAction } from '../../audit/audit-actions.js';
import { controllerScope, type Principal } from '../../auth/index.js';
import { RequestStatus, RequestType } from '../../domain/vocabulary.js';
import { acknowledgeBy, jurisdictionOf } from '../deadlines.js';
import { findPossibleDuplicates } from '../duplicates.js';
import { checkPresence, type PresenceInput } from '../presence.js';
import { RequestRuleError } from '../errors.js';
import { SUBMIT_EVENT } from '../state-machine.js';
import type { DataSubjectRequestEntity } from '../store/request.store.js';
import { assertCorrectableSomewhere, checkCorrections, fitCorrectionValues } from '../rectification-checks.js';
import type { RequestContext } from './request-context.js';
import { badInput } from '../request-errors.js';
import { listRequests, type RequestPage, type RequestPageArgs } from './request-queries.js';
import { earlierDefaultEntries, listFilterOf, type RequestSearchFilter } from './request-search.js';
import { indexEntry, type RequestedCorrection } from './request-secrets.js';
import { withPhoneCountry } from '../../identity/index.js';

export interface SubmitRequestInput {
  type: RequestType;
  identifiers: Identifier[];
  receivedAt?: Date | null;
  jurisdiction?: string | null;
  channel?: string | null;
  scope?: string | null;
  corrections?: RequestedCorrection[] | null;
  /** Where and when the person says they were, for footage that holds no identifier of them. */
  presence?: PresenceInput | null;
  /** R9: the person agrees (true) or not (false) that certificate numbers stay verifiable; null: not asked. */
  certificatesVerifiable?: boolean | null;
}

export class RequestIntakeService {
  constructor(private readonly ctx: RequestContext) {}

  async list(principal: Principal, filter: RequestSearchFilter, page: RequestPageArgs): Promise<RequestPage> {
    const { deps, secrets, now } = this.ctx;
    const phoneCountries = filter.identifier ? await deps.sources.earlierDefaultPhoneCountries() : [];
    const listFilter = listFilterOf(filter, secrets, [deps.sources.defaultPhoneCountry, ...phoneCountries]);
    if (filter.identifier) {
      // A look-up of a person: audited like discovery (the identifier only as a digest).
      await deps.audit.record({
        actor: { id: principal.id, kind: principal.kind },
        action: AuditAction.REQUEST_SEARCH,
        target: { type: 'request' },
        params: { identifier: filter.identifier },
        outcome: 'SUCCESS',
      });
    }
    return listRequests(deps.stores, principal, listFilter, page, now(), deps.settings.deadlines.dueSoonDays);
  }

  /**
   * R14: a field no source can correct or annotate is refused now, naming the field, and so
   * is a value its identifier field cannot hold; dates of birth are kept as ISO dates.
   */
  private async correctionsOf(input: SubmitRequestInput): Promise<RequestedCorrection[] | null> {
    const corrections = checkCorrections(input.type, input.corrections ?? null);
    if (!corrections) return null;
    const targets = await this.ctx.decisions.correctionTargets();
    assertCorrectableSomewhere(targets, corrections);
    return fitCorrectionValues(targets, corrections);
  }

  async submit(input: SubmitRequestInput, principal: Principal): Promise<DataSubjectRequestEntity> {
    const { deps, secrets } = this.ctx;
    const now = this.ctx.now();
    if (!Object.values(RequestType).includes(input.type)) throw badInput(`Unknown request type ${String(input.type)}`);
    if (!input.identifiers?.length) throw badInput('A request needs at least one identifier of the person');
    const receivedAt = input.receivedAt ?? now;
    if (Number.isNaN(receivedAt.getTime())) throw new RequestRuleError('INVALID_DATE', 'receivedAt is not a valid date');
    if (receivedAt.getTime() > now.getTime() + 60_000) throw new RequestRuleError('INVALID_DATE', 'receivedAt cannot be in the future');
    const jurisdiction = jurisdictionOf(input.jurisdiction, deps.settings.deadlines).code;
    const corrections = await this.correctionsOf(input);
    const presence = input.presence ? checkPresence(input.presence, now) : null;

    const id = randomUUID();
    // Phone numbers keep the country they are read in (the handler's, else the deployment's
    // default) from here on: the blind index now and the tombstones at execution agree.
    const identifiers = withPhoneCountry(input.identifiers, deps.sources.defaultPhoneCountry);
    // Throws INVALID_IDENTIFIER (with its type) for a value that cannot be normalised.
    const blindIndex = secrets.blindIndex(identifiers);
    // Also as a request submitted under an earlier default read its national phone numbers.
    const earlier = earlierDefaultEntries(input.identifiers, secrets, await deps.sources.earlierDefaultPhoneCountries());
    const lookup = [...new Set([...secrets.blindIndex(identifiers, true), ...earlier])];
    const others = await deps.stores.requests.sharingBlindIndex(lookup);
    const duplicates = findPossibleDuplicates(
      { requestId: id, type: input.type, indexes: lookup.map(indexEntry) },
      others.map((o) => ({ requestId: o.id, type: o.type, status: o.status, receivedAt: o.received_at, indexes: o.blind_index.map(indexEntry) })),
      { includeWeak: false },
    );

    return deps.dataSource.transaction(async (tx) => {
      const row: Partial<DataSubjectRequestEntity> = {
        id,
        type: input.type,
        status: RequestStatus.RECEIVED,
        heldFrom: null,
        holdReason: null,
        receivedAt,
        verifiedAt: null,
        acknowledgeBy: acknowledgeBy(receivedAt, jurisdiction, deps.settings.deadlines),
        acknowledgedAt: null,
        dueAt: null,
        extendedDueAt: null,
        extensionReason: null,
        extensionNoticeSentAt: null,
        extensionNoticeSentBy: null,
        jurisdiction,
        channel: input.channel?.trim() || null,
        scopeSealed: input.scope?.trim() ? secrets.seal(id, input.scope.trim()) : null,
        identifiersSealed: secrets.seal(id, identifiers),
        presenceSealed: presence ? secrets.seal(id, presence) : null,
        identifiersDestroyedAt: null,
        blindIndex,
        correctionsSealed: corrections ? secrets.seal(id, corrections) : null,
        verificationMethod: null,
        verificationEvidenceRef: null,
        dateOfBirthVerified: false,
        certificatesVerifiable: input.certificatesVerifiable ?? null,
        // A handler bound to controllers submits for them, so the request stays visible to them.
        controllerIds: controllerScope(principal) ?? [],
        possibleDuplicateOf: duplicates.map((d) => d.requestId),
        discoveryOutcome: null,
        inaccuracyFinding: null,
        response: null,
        createdBy: principal.id,
      };
      const created = { requestId: id, from: null, to: RequestStatus.RECEIVED, event: SUBMIT_EVENT, actor: principal.id, at: now, reason: null };
      const saved = await deps.stores.requests.insert(row, created, tx);
      await deps.audit.record(
        {
          actor: { id: principal.id, kind: principal.kind },
          action: AuditAction.REQUEST_SUBMIT,
          target: { type: 'request', id },
          params: { type: input.type, identifiers: input.identifiers, presence: presence !== null, possibleDuplicates: duplicates.length },
          outcome: 'SUCCESS',
        },
        tx,
      );
      return saved;
    });
  }
}
