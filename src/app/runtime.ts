import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { createDataSource } from '../database/data-source.js';
import { migrateDatabase } from '../database/migrate.js';
import { createQueueBackend, type QueueBackendSettings } from '../queue/queue-backend.js';
import { createHttpGateway } from '../http/http-app.js';
import { consoleOidcFromEnv } from '../http/console-oidc.js';
import { buildGatewaySchema } from '../../schema/build-schema.js';
import { startWorkers } from '../../jobs/workers.js';
import type { Services } from './services.js';
import { buildServices } from './build-services.js';
import { startConfiguredCheckpoints } from '../audit/checkpoint.js';

export interface RuntimeOptions {
  config: Config;
  databaseUrl: string;
  /** Serve HTTP (GraphQL, probes). */
  http: boolean;
  /** Run queue processors in this process. */
  worker: boolean;
  /** Apply pending migrations at start (serialised across processes by an advisory lock; as DATABASE_MIGRATION_URL's role when set). */
  migrate: boolean;
  logger?: Logger;
  /** Environment for secrets (keys, source secrets), validated with `config`; default process.env. */
  env?: Record<string, string | undefined>;
}

export interface Runtime {
  services: Services;
  /** Base URL of the HTTP server, when serving. */
  url?: string;
  stop(): Promise<void>;
}

export function queueSettings(config: Config, databaseUrl: string): QueueBackendSettings {
  return config.REDIS_URL ? { kind: 'redis', url: config.REDIS_URL, prefix: config.QUEUE_PREFIX } : { kind: 'postgres', url: databaseUrl, schema: 'bullmq' };
}

/** Wires database, queues, services, HTTP and workers for one process of the gateway. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const dataSource = createDataSource({ url: options.databaseUrl, poolSize: config.DATABASE_POOL_SIZE });
  await dataSource.initialize();
  const queue = queueSettings(config, options.databaseUrl);
  if (options.migrate) {
    // As the owner role when DATABASE_MIGRATION_URL is set, then granting this role its rights.
    const applied = await migrateDatabase({ runtime: dataSource, migrationUrl: config.DATABASE_MIGRATION_URL, queue, logger });
    if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
  }
  const queues = createQueueBackend(queue);
  let services: Services;
  try {
    services = await buildServices({ config, logger, dataSource, queues, databaseUrl: options.databaseUrl, env: options.env });
  } catch (error) {
    // A refused start (configuration) leaves no connection open behind it.
    await queues.close();
    await dataSource.destroy();
    throw error;
  }
  // Signed checkpoints of the audit chain head, outside the database (docs/security.md).
  const checkpoints = startConfiguredCheckpoints(dataSource, {
    ...config.checkpoints,
    env: options.env ?? process.env,
    logger,
  });
  if (config.SOURCES_FILE && options.http) {
    // Registrations from the config file are applied (upserted) at every start.
    const ids = await services.sources.registerFile(config.SOURCES_FILE);
    logger.info({ sources: ids, file: config.SOURCES_FILE }, 'sources registered from file');
  }

  const workers = options.worker ? startWorkers(services) : [];
  let url: string | undefined;
  let closeHttp = async () => {};
  if (options.http) {
    const gateway = await createHttpGateway(services, await buildGatewaySchema(), { consoleOidc: consoleOidcFromEnv(options.env ?? process.env) });
    await new Promise<void>((resolve) => gateway.server.listen(config.PORT, config.HOST, resolve));
    const address = gateway.server.address() as AddressInfo;
    url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${address.port}`;
    closeHttp = () => gateway.apollo.stop(); // drains in-flight requests, then closes the server
  }
  logger.info({ http: options.http, worker: options.worker, queueBackend: queues.kind, url }, 'gateway started');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await closeHttp();
      // Workers finish their active jobs (or hand them back) before connections close.
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      await services.sources.close();
      await checkpoints?.stop();
      services.redis?.disconnect();
      await dataSource.destroy();
      logger.info('stopped');
    })());
  return { services, url, stop };
}
