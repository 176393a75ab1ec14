import type { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import type { Keyrings } from '../crypto/index.js';
import type { ApiKeyService, Authenticator, RateLimiter } from '../auth/index.js';
import type { AuditLog } from '../audit/index.js';
import type { TombstoneService } from '../tombstones/tombstone.service.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import type { SourceAdministration } from '../sources/source-administration.js';
import type { DiscoveryService } from '../discovery/discovery.service.js';
import type { RequestServices } from '../requests/services/request-services.js';
import type { ExecutionService } from '../execution/execution.service.js';
import type { Stores } from './stores.js';
import type { RetentionRunService } from '../retention/retention-run.service.js';

export interface Readiness {
  ready: boolean;
  database: boolean;
  queue: boolean;
  queueBackend: string;
}

export interface ServiceParts {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  /** The owners of the request and task tables. */
  stores: Stores;
  queues: QueueBackend;
  keyrings: Keyrings;
  audit: AuditLog;
  apiKeys: ApiKeyService;
  authenticator: Authenticator;
  rateLimiter: RateLimiter;
  /** Per client address, for calls that do not authenticate (src/auth/rate-limit.ts). */
  addressLimiter: RateLimiter;
  tombstones: TombstoneService;
  sources: SourceRegistry;
  /** Registering and managing sources on a principal's behalf (scope, approval, audit). */
  sourceAdmin: SourceAdministration;
  discovery: DiscoveryService;
  /** The request lifecycle, one service per use case (src/requests/services). */
  requests: RequestServices;
  /** Queued execution of approved requests (src/execution implements it). */
  execution: ExecutionService;
  /** Retention runs (R9): previewed, approved, executed through the task machinery. */
  retention: RetentionRunService;
  /** Shared Redis client for rate limits, when Redis is configured. */
  redis: Redis | null;
}

/**
 * The gateway's services, built once per process (src/app/build-services.ts) and shared
 * by the HTTP server, the resolvers and the workers.
 */
export class Services implements ServiceParts {
  readonly config!: Config;
  readonly logger!: Logger;
  readonly dataSource!: DataSource;
  readonly stores!: Stores;
  readonly queues!: QueueBackend;
  readonly keyrings!: Keyrings;
  readonly audit!: AuditLog;
  readonly apiKeys!: ApiKeyService;
  readonly authenticator!: Authenticator;
  readonly rateLimiter!: RateLimiter;
  readonly addressLimiter!: RateLimiter;
  readonly tombstones!: TombstoneService;
  readonly sources!: SourceRegistry;
  readonly sourceAdmin!: SourceAdministration;
  readonly discovery!: DiscoveryService;
  readonly requests!: RequestServices;
  readonly execution!: ExecutionService;
  readonly retention!: RetentionRunService;
  readonly redis!: Redis | null;

  constructor(parts: ServiceParts) {
    Object.assign(this, parts);
  }

  async readiness(): Promise<Readiness> {
    const [database, queue] = await Promise.all([
      this.dataSource
        .query('SELECT 1')
        .then(() => true)
        .catch(() => false),
      this.queues
        .ping()
        .then(() => true)
        .catch(() => false),
    ]);
    return { ready: database && queue, database, queue, queueBackend: this.queues.kind };
  }
}
