import type { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { RepeatedErrorLog } from '../logging/repeated-errors.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import { loadKeyrings } from '../crypto/index.js';
import { AuditLog } from '../audit/index.js';
import { ApiKeyService, createAuthenticator, createOidcVerifier, createRateLimiter, rateLimitPrefix } from '../auth/index.js';
import { TombstoneService } from '../tombstones/tombstone.service.js';
import { assertTombstoneKeysHeld } from '../tombstones/tombstone-keys.js';
import { SourceRegistry } from '../sources/source-registry.js';
import { SourceStatus } from '../sources/source.entity.js';
import { sourcePolicyFromConfig } from '../sources/source-policy.js';
import { SourceAdministration } from '../sources/source-administration.js';
import { DiscoveryService } from '../discovery/discovery.service.js';
import { createRequestServices } from '../requests/services/request-services.js';
import { ExecutionService } from '../execution/execution.service.js';
import { RetentionRunService } from '../retention/retention-run.service.js';
import { Services } from './services.js';
import { createStores } from './stores.js';

/** Builds every service of one process from its configuration and infrastructure. */
export async function buildServices(deps: {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  queues: QueueBackend;
  /** The gateway database: generic SQL sources keep their key index there. */
  databaseUrl: string;
  env?: Record<string, string | undefined>;
}): Promise<Services> {
  const { config, logger, dataSource, queues } = deps;
  const stores = createStores(dataSource);
  const env = deps.env ?? process.env;
  const keyrings = loadKeyrings({ env: { ...env, NODE_ENV: config.NODE_ENV }, warn: (m) => logger.warn(m) });
  // Before anything answers a feed: without the key of stored tombstones, erased people would pass the guard (R10).
  await assertTombstoneKeysHeld(dataSource, keyrings.tombstone);
  // Parameter digests are keyed, so a digest cannot be brute-forced back to a value.
  const audit = new AuditLog(dataSource, { digestKeyring: keyrings.tombstone });
  const apiKeys = new ApiKeyService(dataSource, {
    audit,
    // Called only when a key is created, after the registry below exists.
    sourceControllers: async (id) => {
      const source = await sources.find(id);
      return source && source.status !== SourceStatus.REMOVED ? source.controllerIds : null;
    },
  });
  const authenticator = createAuthenticator({ apiKeys, oidc: config.oidc ? createOidcVerifier(config.oidc) : null });
  // Redis-backed limits hold across gateway replicas; in-memory ones are per process.
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false }) : null;
  // Without a listener ioredis prints every reconnect failure; log the first, then a summary.
  const redisErrors = new RepeatedErrorLog(logger, 'redis error');
  redis?.on('error', (error: Error) => redisErrors.report(error.message, 'rate-limit client'));
  const prefix = rateLimitPrefix(config.QUEUE_PREFIX);
  const rateLimiter = createRateLimiter({ perMinute: config.RATE_LIMIT_PER_MINUTE, redis, prefix });
  const addressLimiter = createRateLimiter({ perMinute: config.RATE_LIMIT_PER_ADDRESS_PER_MINUTE, redis, prefix });
  if (config.DSR_BOOTSTRAP_ADMIN_KEY) {
    const bootstrap = await apiKeys.ensureBootstrapAdminKey(config.DSR_BOOTSTRAP_ADMIN_KEY);
    logger.info({ keyId: bootstrap.id, created: bootstrap.created }, 'bootstrap administrator key ensured');
  }
  const sources = new SourceRegistry(dataSource, { vars: env, gatewayDatabaseUrl: deps.databaseUrl, footageDir: config.FOOTAGE_DIR }, logger, {
    policy: sourcePolicyFromConfig(config),
    tasks: stores.tasks,
    audit,
    defaultPhoneCountry: config.DSR_DEFAULT_PHONE_COUNTRY,
  });
  // Before a national number is read in it: a later start with another default still reads in this one.
  await sources.recordDefaultPhoneCountry();
  const discovery = new DiscoveryService(sources, {
    timeoutMs: config.DISCOVERY_SOURCE_TIMEOUT_MS,
    nameFrequencies: config.DISCOVERY_NAME_FREQUENCIES === 'on' && { refreshMs: config.DISCOVERY_NAME_FREQUENCIES_REFRESH_MS },
  });
  const tombstones = new TombstoneService(dataSource, keyrings.tombstone, stores.requests);
  // Queued execution of approved requests (src/execution): flows, workers' tasks, verification.
  const execution = new ExecutionService({ dataSource, stores, logger, queues, keyrings, audit, tombstones, sources, discovery, settings: config.execution });
  const requests = createRequestServices({
    dataSource,
    stores,
    keyrings,
    audit,
    sources,
    discovery,
    logger,
    settings: config.requests,
    executor: execution,
    tombstones,
  });
  const retention = new RetentionRunService({ dataSource, stores, sources, audit, logger, queues, settings: config.execution });
  return new Services({
    requests,
    execution,
    retention,
    config,
    logger,
    dataSource,
    stores,
    queues,
    keyrings,
    audit,
    apiKeys,
    authenticator,
    rateLimiter,
    addressLimiter,
    tombstones,
    sources,
    sourceAdmin: new SourceAdministration({ sources, audit, apiKeys }),
    discovery,
    redis,
  });
}
