// Registering and managing sources on a principal's behalf: who may register or change
// which source (R13 controller scope, a CONNECTOR key only its own), what waits for an
// administrator's approval, and the audit entry of every attempt, allowed or not.
import { assertCanManageSource, canSeeController, canSeeSource, forbidden, Role, type ApiKeyService, type Principal } from '../auth/index.js';
import { AuditAction, AuditOutcome, type AuditLog, type KnownAuditAction } from '../audit/index.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import { validateRegistration } from './registration.js';
import type { SourceEntity } from './source.entity.js';
import type { SourceRegistry, StatusChange } from './source-registry.js';

/** A secret or destination the policy refuses is a refusal, not a failure. */
const REFUSALS = new Set(['SOURCE_SECRET_NOT_ALLOWED', 'SOURCE_DESTINATION_NOT_ALLOWED', 'SOURCE_NAME_TAKEN']);

export class SourceAdministration {
  constructor(private readonly deps: { sources: SourceRegistry; audit: AuditLog; apiKeys: ApiKeyService }) {}

  /** The registered sources this principal may see (R13). */
  async visibleTo(principal: Principal): Promise<SourceEntity[]> {
    return (await this.deps.sources.listRegistered()).filter((s) => canSeeSource(principal, s));
  }

  /**
   * Registers a source (or updates the one with the same id). A CONNECTOR key may register
   * new sources and update only its own; what a non-administrator registers waits for approval.
   */
  async register(registration: Record<string, unknown>, principal: Principal): Promise<SourceEntity> {
    const { sources, apiKeys } = this.deps;
    const audit = (action: KnownAuditAction, id: string | null, outcome: AuditOutcome, controllerId: string | null) =>
      this.deps.audit.record({
        actor: { id: principal.id, kind: principal.kind },
        action,
        target: { type: 'source', id },
        params: { id, name: registration.name, kind: registration.kind, type: registration.type },
        outcome,
        controllerId,
      });

    let config: ReturnType<typeof validateRegistration>;
    try {
      config = validateRegistration(registration);
    } catch (error) {
      await audit(AuditAction.SOURCE_REGISTER, (registration.id as string | undefined) ?? null, AuditOutcome.DENIED, null);
      throw error;
    }
    const controllerId = config.config.controller?.defaultControllerId ?? null;
    const existing = await sources.find(config.id);
    const action = existing ? AuditAction.SOURCE_UPDATE : AuditAction.SOURCE_REGISTER;
    try {
      if (existing) assertCanManageSource(principal, { id: existing.id, controllerId: existing.controllerIds[0] ?? null });
      if (!canSeeController(principal, controllerId)) throw forbidden('outside your controller scope');
    } catch (error) {
      await audit(action, config.id, AuditOutcome.DENIED, controllerId);
      throw error;
    }
    let entity: SourceEntity;
    try {
      // A source team's registration gets nothing until an administrator has seen what it will receive.
      entity = await sources.register(config.config, principal.id, { pendingApproval: !principal.roles.includes(Role.ADMIN) });
    } catch (error) {
      const refused = isDomainError(error) && REFUSALS.has(error.code);
      await audit(action, config.id, refused ? AuditOutcome.DENIED : AuditOutcome.FAILED, controllerId);
      throw error;
    }
    // The key that registered a new source may update it later (and only it).
    if (!existing && principal.kind === 'api-key' && principal.roles.includes(Role.CONNECTOR)) {
      await apiKeys.bindSource(principal.id, entity.id);
    }
    await audit(action, entity.id, AuditOutcome.SUCCESS, controllerId);
    return entity;
  }

  /** Approves, disables, enables or removes a source; outside the principal's scope it is answered as absent. */
  async changeStatus(
    id: string,
    change: StatusChange,
    action: KnownAuditAction,
    principal: Principal,
    options: { approvalToken?: string } = {},
  ): Promise<SourceEntity> {
    const { sources } = this.deps;
    const existing = await sources.find(id);
    const controllerId = existing?.controllerIds[0] ?? null;
    const audit = (outcome: AuditOutcome) =>
      this.deps.audit.record({
        actor: { id: principal.id, kind: principal.kind },
        action,
        target: { type: 'source', id },
        params: { id },
        outcome,
        controllerId,
      });
    try {
      if (!existing || !canSeeSource(principal, existing)) throw new DomainError('SOURCE_NOT_FOUND', `no source ${id}`);
      assertCanManageSource(principal, { id: existing.id, controllerId });
      // Approving a change that moves the source to another controller is that controller's matter too (R13).
      const proposedControllers = existing.declared?.proposed?.registration?.controllerIds ?? [];
      if (change === 'approve' && proposedControllers.some((c) => !canSeeController(principal, c)))
        throw forbidden('the change names a controller outside your scope');
    } catch (error) {
      await audit(AuditOutcome.DENIED);
      throw error;
    }
    try {
      const entity = await sources.changeStatus(id, change, principal.id, options);
      await audit(AuditOutcome.SUCCESS);
      return entity;
    } catch (error) {
      await audit(isDomainError(error) ? AuditOutcome.DENIED : AuditOutcome.FAILED);
      throw error;
    }
  }
}
