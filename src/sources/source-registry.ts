import type { DataSource, EntityManager } from 'typeorm';
import type { Connector, Health, SourceDescription } from '../../connectors/contract.js';
import {
  createConnector,
  loadSourceConfigFile,
  SourceConfigError,
  sourceIdOf,
  type ConnectorEnv,
  type Pinned,
  type SourceConfig,
} from '../../connectors/registry.js';
import { DESCRIPTION_CHANGED } from '../../connectors/remote/approved-description.js';
import { AuditAction, AuditOutcome, type AuditLog } from '../audit/index.js';
import { canonicalJson } from '../audit/canonical-json.js';
import { safeFailureMessage } from './failure-code.js';
import type { Logger } from '../logging/logger.js';
import { DomainError } from '../domain/errors.js';
import { withinTime } from '../domain/time-limit.js';
import type { Capability, IdentifierType } from '../domain/vocabulary.js';
import { SourceEntity, SourceStatus, type DeclaredSource, type RegistrationColumns } from './source.entity.js';
import { approvalTokenOf } from './approval-changes.js';
import { approvalApplied, enablingApplied, everApproved, nothingApproved, registrationApplied, type SourceWrite } from './registration-change.js';
import { heldSourceCode, type HeldSourceCode } from './held-sources.js';
import { invalidSourceConfig, validateRegistration } from './registration.js';
import { assertRegistrationAllowed, guardedLookup, type SourcePolicy } from './source-policy.js';
import type { TaskStore } from '../execution/store/task.store.js';
import { DEFAULT_PHONE_COUNTRY, isPhoneCountry, type NormaliseOptions } from '../identity/normalise/index.js';
import type { CountryCode } from 'libphonenumber-js';

/** How long describing a remote source not reached yet waits for it to answer. */
const DESCRIBE_REACH_WAIT_MS = 2000;

export interface SourceRegistryOptions {
  /** What registrations may name and reach; checked before any connection is made. */
  policy: SourcePolicy;
  /** Tasks still to run per source: a source with any cannot be removed. */
  tasks: Pick<TaskStore, 'openCountOfSource'>;
  healthTimeoutMs?: number;
  /** DSR_DEFAULT_PHONE_COUNTRY: stamped on a source first registered without its own phoneCountry. */
  defaultPhoneCountry?: CountryCode;
  /** Where registrations from SOURCES_FILE are audited (GraphQL ones are by SourceAdministration). */
  audit?: Pick<AuditLog, 'record'>;
  /** How long a health result is reused (default 1 s). */
  healthCacheMs?: number;
  listTtlMs?: number;
}

export type StatusChange = 'approve' | 'disable' | 'enable' | 'remove';

const STATUS_CHANGES: Record<StatusChange, { from: SourceStatus[]; to: SourceStatus }> = {
  approve: { from: [SourceStatus.PENDING_APPROVAL], to: SourceStatus.ACTIVE },
  disable: { from: [SourceStatus.PENDING_APPROVAL, SourceStatus.ACTIVE], to: SourceStatus.DISABLED },
  enable: { from: [SourceStatus.DISABLED], to: SourceStatus.ACTIVE },
  remove: { from: [SourceStatus.PENDING_APPROVAL, SourceStatus.ACTIVE, SourceStatus.DISABLED], to: SourceStatus.REMOVED },
};

export interface SourceHealth extends Health {
  checkedAt: Date;
}

/**
 * The registered sources: persisted registrations, and one live connector per source,
 * built on first use and rebuilt when the registration changes. A source whose
 * connector cannot be built or reached stays listed and reports why.
 */
export class SourceRegistry {
  private readonly connectors = new Map<string, Promise<Connector>>();
  private readonly descriptions = new Map<string, SourceDescription>();
  private readonly healthChecks = new Map<string, { at: number; value: Promise<SourceHealth> }>();
  private readonly registeredListeners = new Set<(sourceId: string) => void>();
  private readonly withdrawnListeners = new Set<(sourceId: string) => void>();

  private readonly policy: SourcePolicy;
  private readonly audit?: Pick<AuditLog, 'record'>;
  private readonly tasks: Pick<TaskStore, 'openCountOfSource'>;
  private readonly env: ConnectorEnv;
  private readonly healthTimeoutMs: number;
  private readonly healthCacheMs: number;
  private readonly listTtlMs: number;
  /** The deployment's country for national-format phone numbers no source or caller places (DSR_DEFAULT_PHONE_COUNTRY). */
  readonly defaultPhoneCountry: CountryCode;

  constructor(
    private readonly dataSource: DataSource,
    env: ConnectorEnv,
    private readonly logger: Logger,
    options: SourceRegistryOptions,
  ) {
    this.policy = options.policy;
    if (options.audit) this.audit = options.audit;
    this.tasks = options.tasks;
    // Remote sources' sockets resolve through the policy too (DNS rebinding).
    this.env = { ...env, lookupFor: (port) => guardedLookup(this.policy, port) };
    this.healthTimeoutMs = options.healthTimeoutMs ?? 3000;
    this.healthCacheMs = options.healthCacheMs ?? 1000;
    this.listTtlMs = options.listTtlMs ?? 2000;
    this.defaultPhoneCountry = options.defaultPhoneCountry ?? DEFAULT_PHONE_COUNTRY;
  }

  /**
   * How the numbers a source holds are read: in its registered phone country (a record's
   * identifier may still name its own). A source not known reads in the deployment's default.
   */
  async readingOf(sourceId: string): Promise<NormaliseOptions> {
    return { defaultCountry: this.phoneCountryOf(await this.find(sourceId)) };
  }

  /**
   * Every country each source's national numbers have been read in: its current phone country
   * first, then each earlier one (a registration that named another), oldest first. Tombstones
   * written from its records may hold any of these readings: its bound keys' checks and the
   * recreation sweep read in all of them; discovery and its keys in the current one only
   * (readingOf). One registrations read for all of them.
   */
  async phoneCountriesOf(sourceIds: Iterable<string>): Promise<Map<string, CountryCode[]>> {
    const all = new Map((await this.all()).map((s) => [s.id, s]));
    return new Map([...new Set(sourceIds)].map((id) => [id, this.everyPhoneCountryOf(all.get(id) ?? null)]));
  }

  private everyPhoneCountryOf(entity: Pick<SourceEntity, 'phoneCountry' | 'phoneCountriesBefore' | 'declared'> | null): CountryCode[] {
    const current = this.phoneCountryOf(entity);
    // A country a waiting registration names is read in too (fail closed): the source team
    // may already write its numbers so, though the source is held to the approved one.
    const waiting = entity?.declared?.proposed?.registration?.phoneCountry;
    const before = [...(entity?.phoneCountriesBefore ?? []), ...(waiting ? [waiting] : [])].filter((c): c is CountryCode => isPhoneCountry(c) && c !== current);
    return [current, ...new Set(before)];
  }

  private cachedDefaults: { at: number; value: Promise<CountryCode[]> } | null = null;

  /**
   * Records the deployment's default as one it has run with (at every start, before anything
   * reads or writes a national number in it): a handler's numbers, and the requests and
   * tombstones made of them, hold the reading of the default of the day.
   */
  async recordDefaultPhoneCountry(): Promise<void> {
    await this.dataSource.query(`INSERT INTO default_phone_country (country) VALUES ($1) ON CONFLICT (country) DO NOTHING`, [this.defaultPhoneCountry]);
    this.cachedDefaults = null;
  }

  /**
   * Every other default the deployment has run with, oldest first: what was written under one
   * holds its reading, so checks and searches by a national number read it in each of them too.
   * Read at most once per `listTtlMs` (another process may have started with another default).
   */
  async earlierDefaultPhoneCountries(): Promise<CountryCode[]> {
    const now = Date.now();
    if (!this.cachedDefaults || now - this.cachedDefaults.at > this.listTtlMs) {
      const value = (this.dataSource.query(`SELECT country FROM default_phone_country ORDER BY first_used_at, country`) as Promise<{ country: string }[]>).then(
        (rows) => rows.map((r) => r.country).filter((c): c is CountryCode => isPhoneCountry(c) && c !== this.defaultPhoneCountry),
      );
      this.cachedDefaults = { at: now, value };
      value.catch(() => {
        if (this.cachedDefaults?.value === value) this.cachedDefaults = null;
      });
    }
    return this.cachedDefaults.value;
  }

  /** A registration's phone country (GB for one registered before it had one); the default for none. */
  phoneCountryOf(entity: Pick<SourceEntity, 'phoneCountry'> | null): CountryCode {
    const country = entity?.phoneCountry;
    return isPhoneCountry(country) ? country : this.defaultPhoneCountry;
  }

  private cached: { at: number; value: Promise<SourceEntity[]> } | null = null;

  /** The ACTIVE sources: the only ones searched, health-checked and sent tasks. */
  async list(): Promise<SourceEntity[]> {
    return (await this.all()).filter((s) => s.status === SourceStatus.ACTIVE);
  }

  /**
   * R1: the sources discovery cannot ask now that hold records it read before (DISABLED, or
   * ACTIVE before and waiting for approval again), each with the code of why (heldSourceCode).
   */
  async listHeld(): Promise<{ source: SourceEntity; code: HeldSourceCode }[]> {
    return (await this.all()).flatMap((source) => {
      const code = heldSourceCode(source);
      return code ? [{ source, code }] : [];
    });
  }

  /** Every source not removed, whatever its status (the `sources` query, the approval view). */
  async listRegistered(): Promise<SourceEntity[]> {
    return (await this.all()).filter((s) => s.status !== SourceStatus.REMOVED);
  }

  /** The registration with this id, whatever its status (REMOVED included). */
  async find(id: string): Promise<SourceEntity | null> {
    return (await this.all()).find((s) => s.id === id) ?? null;
  }

  /**
   * Every registration, read at most once per `listTtlMs`: discovery and every finished
   * request look sources up, and registrations change rarely. A change made through this
   * registry is seen at once; one made by another process within `listTtlMs`.
   */
  private all(): Promise<SourceEntity[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.listTtlMs) {
      const value = this.dataSource.getRepository(SourceEntity).find({ order: { id: 'ASC' } });
      this.cached = { at: now, value };
      value.catch(() => {
        if (this.cached?.value === value) this.cached = null;
      });
    }
    return this.cached.value;
  }

  /**
   * Registers a source, or updates the registration with the same id. Validates first
   * (INVALID_SOURCE_CONFIG naming the field), including that the secrets it names are set;
   * a secret not set aside for sources or a destination not allowed is refused before
   * any connection (SOURCE_SECRET_NOT_ALLOWED, SOURCE_DESTINATION_NOT_ALLOWED).
   * A source that cannot be reached is still registered: health() reports it.
   */
  async register(
    input: unknown,
    registeredBy: string | null,
    options: {
      pendingApproval?: boolean;
      /** The same registration applied again (SOURCES_FILE at a start): what it was approved with stays. */
      keepDeclared?: boolean;
    } = {},
  ): Promise<SourceEntity> {
    const { config, id } = validateRegistration(input);
    await this.assertAllowed(config);
    // Build once to check secrets and settings, and to learn what the source declares
    // (the approval view shows it); connection failures are not build failures.
    let declared: DeclaredSource;
    try {
      const connector = await createConnector(config, this.env);
      declared = { identifierTypes: [...connector.identifierTypes], capabilities: [...connector.capabilities], description: connector.describe() };
      await connector.close();
    } catch (error) {
      if (error instanceof SourceConfigError) throw invalidSourceConfig(error);
      throw error;
    }
    const controllerIds = config.controller?.defaultControllerId ? [config.controller.defaultControllerId] : [];
    // What an administrator approved stays what the source is held to: a source team's change
    // waits beside it (registration-change.ts). The phone country is pinned when first
    // registered: a source that names none keeps the one it has (its keys and tombstones are of
    // that reading); one that names another keeps the one it leaves among its earlier countries.
    const incoming: RegistrationColumns = {
      name: config.name,
      kind: config.kind,
      connectorType: config.type,
      config: { ...config, id },
      controllerIds,
      phoneCountry: config.phoneCountry ?? null,
    };
    const how = { approver: !options.pendingApproval, reapplied: options.keepDeclared === true, defaultCountry: this.defaultPhoneCountry, now: new Date() };
    const row = await this.dataSource.transaction(async (manager) => {
      const stored = await manager.findOne(SourceEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      // Refused now, not when an administrator approves it: a name is one source's only.
      await assertNameFree(manager, id, incoming.name);
      const write = registrationApplied(stored, incoming, declared, how);
      if (!write) return stored!;
      await writeSource(manager, id, write, stored ? {} : { registeredBy });
      return write;
    });
    await this.forget(id);
    if (row!.status === SourceStatus.ACTIVE) await this.activated(id);
    else this.withdraw(id);
    return (await this.find(id))!;
  }

  /** A source became ACTIVE: index a foreign database, start its workers. */
  private async activated(id: string): Promise<void> {
    const entity = await this.find(id);
    // A foreign database has no key table of its own: index it now so it can be searched.
    if (entity?.connectorType === 'sql') {
      await this.refreshIndex(id).catch((error: unknown) => {
        if (error instanceof SourceConfigError) throw invalidSourceConfig(error);
        this.logger.warn({ sourceId: id, err: safeFailureMessage(error) }, 'source registered but not indexed: unreachable');
      });
    }
    this.announce(id);
  }

  /**
   * Moves a source to another status: approve (PENDING_APPROVAL to ACTIVE), disable,
   * enable (DISABLED to ACTIVE) or remove. Throws SOURCE_NOT_FOUND, or SOURCE_STATUS_CONFLICT
   * when the source is not in a status the change starts from.
   */
  async changeStatus(id: string, change: StatusChange, by: string, options: { approvalToken?: string } = {}): Promise<SourceEntity> {
    const { from, to } = STATUS_CHANGES[change];
    const entity = await this.find(id);
    if (!entity || entity.status === SourceStatus.REMOVED) throw new DomainError('SOURCE_NOT_FOUND', `no source ${id}`);
    if (change === 'remove') await this.assertNoOpenTasks(id);
    // Approving makes exactly what waited (a changed registration or a remote's changed
    // description) what the source is held to; enabling a source never approved, or changed
    // since, asks for approval again (registration-change.ts).
    const written = await this.dataSource.transaction(async (manager) => {
      const stored = await manager.findOne(SourceEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!stored || !from.includes(stored.status)) return null;
      // A change to a source approved before may have arrived after the administrator looked:
      // only the token of what was shown approves it (docs/connectors.md, "Approval").
      if (change === 'approve' && everApproved(stored) && options.approvalToken === undefined) {
        throw new DomainError('SOURCE_APPROVAL_TOKEN_REQUIRED', `source ${id} was approved before: approve the change shown, with its approvalToken`, {
          sourceId: id,
        });
      }
      if (options.approvalToken !== undefined && approvalTokenOf(stored) !== options.approvalToken) {
        throw new DomainError('SOURCE_CHANGED_SINCE_SHOWN', `source ${id} changed since it was shown: look at it again before approving`, { sourceId: id });
      }
      const now = new Date();
      const write: SourceWrite =
        change === 'approve' ? approvalApplied(stored, now) : change === 'enable' ? enablingApplied(stored) : { ...stored, status: to };
      // A name taken since the change was registered: refused, the source keeps waiting.
      if (write.name !== stored.name) await assertNameFree(manager, id, write.name);
      await writeSource(manager, id, write, { reviewedBy: by });
      return write;
    });
    if (!written) {
      throw new DomainError('SOURCE_STATUS_CONFLICT', `source ${id} is ${entity.status}: cannot ${change} it`, { sourceId: id, status: entity.status });
    }
    await this.forget(id);
    if (written.status === SourceStatus.ACTIVE) await this.activated(id);
    else this.withdraw(id);
    return (await this.find(id))!;
  }

  /** Removal is refused while tasks of the source are still to run: they would be lost silently. */
  private async assertNoOpenTasks(id: string): Promise<void> {
    const open = await this.tasks.openCountOfSource(id);
    if (open > 0) {
      throw new DomainError('SOURCE_HAS_OPEN_TASKS', `source ${id} has ${open} task(s) still to run: let them finish (or disable it) before removing it`, {
        sourceId: id,
        openTasks: open,
      });
    }
  }

  /**
   * Calls `listener` with the id of each source registered (or updated) through this
   * registry, in this process; returns the unsubscribe. The worker pool starts a new
   * source's worker this way (other processes find it by their periodic re-scan).
   */
  onRegistered(listener: (sourceId: string) => void): () => void {
    this.registeredListeners.add(listener);
    return () => this.registeredListeners.delete(listener);
  }

  /**
   * Calls `listener` with the id of each source disabled, removed or sent back for
   * approval through this registry, in this process: the worker pool stops its worker
   * (other processes stop theirs at their periodic re-scan).
   */
  onWithdrawn(listener: (sourceId: string) => void): () => void {
    this.withdrawnListeners.add(listener);
    return () => this.withdrawnListeners.delete(listener);
  }

  private withdraw(id: string): void {
    this.notify(this.withdrawnListeners, id);
  }

  private announce(id: string): void {
    this.notify(this.registeredListeners, id);
  }

  private notify(listeners: Set<(sourceId: string) => void>, id: string): void {
    for (const listener of listeners) {
      try {
        listener(id);
      } catch (error) {
        this.logger.warn({ sourceId: id, err: (error as Error).message }, 'source listener failed');
      }
    }
  }

  /** Registers every source of a JSON or YAML config file (SOURCES_FILE); returns their ids. */
  async registerFile(file: string, registeredBy = 'config-file'): Promise<string[]> {
    let configs: SourceConfig[];
    try {
      configs = await loadSourceConfigFile(file);
    } catch (error) {
      if (error instanceof SourceConfigError) throw invalidSourceConfig(error);
      throw error;
    }
    const ids: string[] = [];
    for (const config of configs) {
      const before = await this.find(sourceIdOf(config));
      // Applied again at every start: a remote's description read now is not approved by
      // that, so an unchanged registration keeps what it was approved with (or waits for it).
      const entity = await this.register(config, registeredBy, { keepDeclared: true });
      ids.push(entity.id);
      // Applied at every start: only a new registration or a changed one (another address,
      // mapping, retention, ...; a removed source brought back) is audited, as through the API.
      const changed = !before || before.status === SourceStatus.REMOVED || canonicalJson(before.config) !== canonicalJson(entity.config);
      if (changed && this.audit) {
        await this.audit.record({
          actor: { id: registeredBy, kind: 'system' },
          action: before ? AuditAction.SOURCE_UPDATE : AuditAction.SOURCE_REGISTER,
          target: { type: 'source', id: entity.id },
          params: { id: entity.id, name: config.name, kind: config.kind, type: config.type, file },
          outcome: AuditOutcome.SUCCESS,
          controllerId: entity.controllerIds[0] ?? null,
        });
      }
    }
    return ids;
  }

  /** Rebuilds the blocking-key index the gateway keeps for a source (generic SQL); null for a source without one. */
  async refreshIndex(id: string): Promise<{ records: number; keys: number } | null> {
    const connector = await this.connector(id);
    if (!connector.refreshIndex) return null;
    const { records, keys, durationMs } = await connector.refreshIndex();
    this.logger.info({ sourceId: id, records, keys, durationMs }, 'source index refreshed');
    return { records, keys };
  }

  /** The live connector of a source; throws SOURCE_NOT_FOUND or the connector's build error. */
  async connector(id: string): Promise<Connector> {
    let pending = this.connectors.get(id);
    if (!pending) {
      pending = (async () => {
        const entity = await this.find(id);
        // Only an ACTIVE source is ever connected to: pending, disabled and removed ones get no traffic.
        if (!entity || entity.status !== SourceStatus.ACTIVE) throw new DomainError('SOURCE_NOT_FOUND', `no active source ${id}`);
        // Stored registrations are checked again: the policy may have been tightened since.
        const { config } = validateRegistration(entity.config);
        await this.assertAllowed(config);
        // Searched only by what it declared when registered (and was approved with); a remote
        // one is described as approved and used only while it still describes itself so.
        const searchableBy = entity.declared?.identifierTypes;
        const phoneCountry = this.phoneCountryOf(entity);
        const pinned: Pinned = {
          approved: entity.declared ?? nothingApproved(entity.kind, entity.name),
          onChanged: (live) => void this.descriptionChanged(id, live),
        };
        return createConnector(config, this.env, { ...(searchableBy?.length ? { searchableBy } : {}), phoneCountry, ...(pinned ? { pinned } : {}) });
      })();
      this.connectors.set(id, pending);
      // A failed build is not cached: the next call tries again.
      pending.catch(() => this.connectors.delete(id));
    }
    return pending;
  }

  /**
   * An ACTIVE remote source describes itself otherwise than approved: it goes back to
   * PENDING_APPROVAL, as a CONNECTOR's changed registration does, with the change kept
   * beside what was approved until an administrator approves it (or registers it again).
   * Only its id and the code are logged and audited: the description is the remote's words.
   */
  private async descriptionChanged(id: string, live: Omit<DeclaredSource, 'proposed'>): Promise<void> {
    try {
      const rows = (await this.dataSource.query(
        `UPDATE source SET status = 'PENDING_APPROVAL', updated_at = now(),
           declared = jsonb_set(COALESCE(declared, '{}'::jsonb), '{proposed}', $2::jsonb) || '{"approvedBefore": true}'::jsonb
         WHERE id = $1 AND status = 'ACTIVE' RETURNING id`,
        [id, JSON.stringify(live)],
      )) as unknown[];
      this.logger.warn({ sourceId: id, code: DESCRIPTION_CHANGED }, 'remote source describes itself otherwise than approved: it waits for approval');
      await this.forget(id);
      if (rows.length === 0) return;
      this.withdraw(id);
      await this.audit?.record({
        actor: { id: 'system', kind: 'system' },
        action: AuditAction.SOURCE_DESCRIPTION_CHANGED,
        target: { type: 'source', id },
        params: { id, code: DESCRIPTION_CHANGED },
        outcome: AuditOutcome.SUCCESS,
        controllerId: (await this.find(id))?.controllerIds[0] ?? null,
      });
    } catch (error) {
      // The call that found the change fails anyway; the next one finds it again.
      this.logger.error({ sourceId: id, err: safeFailureMessage(error) }, 'remote source description change not recorded');
    }
  }

  /**
   * What the source declared at registration: for a source that is not ACTIVE, the only
   * description the gateway has (it is not contacted).
   */
  async declared(id: string): Promise<DeclaredSource | null> {
    return (await this.find(id))?.declared ?? null;
  }

  /**
   * What the source can do and be searched by: the live connector's for an ACTIVE source,
   * what it declared when registered otherwise (it is not contacted); empty while it cannot be built.
   */
  async abilities(id: string): Promise<{ capabilities: Capability[]; identifierTypes: IdentifierType[] }> {
    const entity = await this.find(id);
    if (entity && entity.status !== SourceStatus.ACTIVE) {
      return { capabilities: [...(entity.declared?.capabilities ?? [])], identifierTypes: [...(entity.declared?.identifierTypes ?? [])] };
    }
    const connector = await this.connector(id).catch(() => null);
    return { capabilities: [...(connector?.capabilities ?? [])], identifierTypes: [...(connector?.identifierTypes ?? [])] };
  }

  /** What the source holds: fields with categories, retention and controller (cached). */
  async describe(id: string): Promise<SourceDescription | null> {
    const cached = this.descriptions.get(id);
    if (cached) return cached;
    const entity = await this.find(id);
    if (entity && entity.status !== SourceStatus.ACTIVE) return entity.declared?.description ?? null;
    try {
      const connector = await this.connector(id);
      // A remote source not reached yet describes a placeholder (no fields, retention
      // unknown): reach it first, and never keep the placeholder, or its special-category
      // fields would go unrecognised once it answers (R12).
      const unreached = () => connector.connect !== undefined && connector.identifierTypes.length === 0;
      // Waited for briefly (a host that never answers would hold a sources list for the
      // connector's whole time-out); the attempt runs on, and a later call finds it reached.
      if (unreached()) await withinTime(connector.connect!(), DESCRIBE_REACH_WAIT_MS, () => new Error('still reaching')).catch(() => undefined);
      const description = connector.describe();
      if (!unreached()) this.descriptions.set(id, description);
      return description;
    } catch {
      return null;
    }
  }

  /**
   * The source's health. A source that is not ACTIVE is not contacted at all; an ACTIVE
   * one is checked at most once per `healthCacheMs` (concurrent callers share the check),
   * however often `sources` is asked, and never waits longer than `healthTimeoutMs`.
   */
  async health(id: string): Promise<SourceHealth> {
    const entity = await this.find(id);
    if (entity && entity.status !== SourceStatus.ACTIVE) {
      const changed =
        entity.declared?.proposed && !entity.declared.proposed.registration
          ? ` (${DESCRIPTION_CHANGED}: its remote describes itself otherwise than approved)`
          : '';
      return { healthy: false, detail: `not checked: ${entity.status}${changed}`, checkedAt: new Date() };
    }
    const cached = this.healthChecks.get(id);
    if (cached && Date.now() - cached.at < this.healthCacheMs) return cached.value;
    const value = this.checkHealth(id);
    this.healthChecks.set(id, { at: Date.now(), value });
    return value;
  }

  private async checkHealth(id: string): Promise<SourceHealth> {
    const checkedAt = new Date();
    try {
      const connector = await this.connector(id);
      const result = await Promise.race([
        connector.health(),
        new Promise<Health>((resolve) =>
          setTimeout(() => resolve({ healthy: false, detail: `no answer within ${this.healthTimeoutMs} ms` }), this.healthTimeoutMs).unref(),
        ),
      ]);
      return { ...result, checkedAt };
    } catch (error) {
      this.logger.warn({ sourceId: id, err: safeFailureMessage(error) }, 'source unreachable');
      return { healthy: false, detail: (error as Error).message, checkedAt };
    }
  }

  private assertAllowed(config: SourceConfig): Promise<void> {
    return assertRegistrationAllowed(config, this.policy, this.env.vars ?? process.env);
  }

  async disable(id: string, by = 'system'): Promise<void> {
    await this.changeStatus(id, 'disable', by);
  }

  async close(): Promise<void> {
    const all = [...this.connectors.values()];
    this.connectors.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close()).catch(() => undefined)));
  }

  private async forget(id: string): Promise<void> {
    this.cached = null;
    const previous = this.connectors.get(id);
    this.connectors.delete(id);
    this.descriptions.delete(id);
    this.healthChecks.delete(id);
    await previous?.then((c) => c.close()).catch(() => undefined);
  }
}

/** SOURCE_NAME_TAKEN when another source (a removed one too: the name stays its) has the name. */
async function assertNameFree(manager: EntityManager, id: string, name: string): Promise<void> {
  const rows = (await manager.query(`SELECT id FROM source WHERE name = $1 AND id <> $2 LIMIT 1`, [name, id])) as unknown[];
  if (rows.length > 0) throw new DomainError('SOURCE_NAME_TAKEN', `another source is named so: choose another name for ${id}`, { sourceId: id });
}

/**
 * Writes a source's registration, status and approval (inserting it when new). The caller
 * holds the row's lock; who registered it is written only when it is new.
 */
async function writeSource(manager: EntityManager, id: string, w: SourceWrite, by: { registeredBy?: string | null; reviewedBy?: string }): Promise<void> {
  const values = [id, w.name, w.kind, w.connectorType, w.config, w.controllerIds, w.status, w.declared, w.phoneCountry, w.phoneCountriesBefore, w.approvedAt];
  if ('registeredBy' in by) {
    await manager.query(
      `INSERT INTO source (id, name, kind, connector_type, config, controller_ids, status, declared, phone_country, phone_countries_before, approved_at, registered_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [...values, by.registeredBy ?? null],
    );
    return;
  }
  await manager.query(
    `UPDATE source SET name = $2, kind = $3, connector_type = $4, config = $5, controller_ids = $6, status = $7, declared = $8,
       phone_country = $9, phone_countries_before = $10, approved_at = $11, updated_at = now(),
       reviewed_by = COALESCE($12, reviewed_by), reviewed_at = CASE WHEN $12::text IS NULL THEN reviewed_at ELSE now() END
     WHERE id = $1`,
    [...values, by.reviewedBy ?? null],
  );
}
