import type { DataSource } from 'typeorm';
import type { Connector, Health, SourceDescription } from '../../connectors/contract.js';
import { SqlConnector } from '../../connectors/sql/connector.js';
import {
  createConnector,
  loadSourceConfigFile,
  unwrapConnector,
  SourceConfigError,
  type ConnectorEnv,
  type SourceConfig,
} from '../../connectors/registry.js';
import type { Logger } from '../logging/logger.js';
import { DomainError } from '../domain/errors.js';
import { SourceEntity } from './source.entity.js';
import { invalidSourceConfig, validateRegistration } from './registration.js';
import { assertRegistrationAllowed, type SourcePolicy } from './source-policy.js';

export interface SourceRegistryOptions {
  /** What registrations may name and reach; checked before any connection is made. */
  policy: SourcePolicy;
  healthTimeoutMs?: number;
  listTtlMs?: number;
}

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
  private readonly registeredListeners = new Set<(sourceId: string) => void>();

  private readonly policy: SourcePolicy;
  private readonly healthTimeoutMs: number;
  private readonly listTtlMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly env: ConnectorEnv,
    private readonly logger: Logger,
    options: SourceRegistryOptions,
  ) {
    this.policy = options.policy;
    this.healthTimeoutMs = options.healthTimeoutMs ?? 3000;
    this.listTtlMs = options.listTtlMs ?? 2000;
  }

  private cached: { at: number; value: Promise<SourceEntity[]> } | null = null;

  async list(): Promise<SourceEntity[]> {
    return (await this.all()).filter((s) => s.enabled);
  }

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
  async register(input: unknown, registeredBy: string | null): Promise<SourceEntity> {
    const { config, id } = validateRegistration(input);
    await this.assertAllowed(config);
    // Build once to check secrets and settings; connection failures are not build failures.
    try {
      await (await createConnector(config, this.env)).close();
    } catch (error) {
      if (error instanceof SourceConfigError) throw invalidSourceConfig(error);
      throw error;
    }
    const controllerIds = config.controller?.defaultControllerId ? [config.controller.defaultControllerId] : [];
    await this.dataSource.query(
      `INSERT INTO source (id, name, kind, connector_type, config, controller_ids, registered_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = $2, kind = $3, connector_type = $4, config = $5,
         controller_ids = $6, enabled = true, updated_at = now()`,
      [id, config.name, config.kind, config.type, { ...config, id }, controllerIds, registeredBy],
    );
    await this.forget(id);
    // A foreign database has no key table of its own: index it now so it can be searched.
    if (config.type === 'sql') {
      await this.refreshIndex(id).catch((error: unknown) => {
        if (error instanceof SourceConfigError) throw invalidSourceConfig(error);
        this.logger.warn({ sourceId: id, err: (error as Error).message }, 'source registered but not indexed: unreachable');
      });
    }
    this.announce(id);
    return (await this.find(id))!;
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

  private announce(id: string): void {
    for (const listener of this.registeredListeners) {
      try {
        listener(id);
      } catch (error) {
        this.logger.warn({ sourceId: id, err: (error as Error).message }, 'source registration listener failed');
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
    for (const config of configs) ids.push((await this.register(config, registeredBy)).id);
    return ids;
  }

  /** Rebuilds the blocking-key index of a generic SQL source (no-op for other types). */
  async refreshIndex(id: string): Promise<{ records: number; keys: number } | null> {
    const connector = unwrapConnector(await this.connector(id));
    if (!(connector instanceof SqlConnector)) return null;
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
        if (!entity || !entity.enabled) throw new DomainError('SOURCE_NOT_FOUND', `no source ${id}`);
        // Stored registrations are checked again: the policy may have been tightened since.
        const { config } = validateRegistration(entity.config);
        await this.assertAllowed(config);
        return createConnector(config, this.env);
      })();
      this.connectors.set(id, pending);
      // A failed build is not cached: the next call tries again.
      pending.catch(() => this.connectors.delete(id));
    }
    return pending;
  }

  /** What the source holds: fields with categories, retention and controller (cached). */
  async describe(id: string): Promise<SourceDescription | null> {
    const cached = this.descriptions.get(id);
    if (cached) return cached;
    try {
      const description = (await this.connector(id)).describe();
      this.descriptions.set(id, description);
      return description;
    } catch {
      return null;
    }
  }

  async health(id: string): Promise<SourceHealth> {
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
      this.logger.warn({ sourceId: id, err: (error as Error).message }, 'source unreachable');
      return { healthy: false, detail: (error as Error).message, checkedAt };
    }
  }

  private assertAllowed(config: SourceConfig): Promise<void> {
    return assertRegistrationAllowed(config, this.policy, this.env.vars ?? process.env);
  }

  async disable(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE source SET enabled = false, updated_at = now() WHERE id = $1`, [id]);
    await this.forget(id);
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
    await previous?.then((c) => c.close()).catch(() => undefined);
  }
}
