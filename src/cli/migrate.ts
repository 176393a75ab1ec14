// `npm run migrate`: applies the migrations as the owner role (DATABASE_MIGRATION_URL) and
// grants the runtime role (DATABASE_URL) its rights, as a deploy step before the gateway's
// processes start; they then need only DATABASE_URL. Without DATABASE_MIGRATION_URL the
// DATABASE_URL role migrates and owns the tables (not least privilege).
import 'reflect-metadata';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { createDataSource } from '../database/data-source.js';
import { migrateDatabase } from '../database/migrate.js';
import { queueSettings } from '../app/runtime.js';
import { exitOnConfigError } from './exit-on-config-error.js';

const config = exitOnConfigError(() => loadConfig(process.env, { databaseRequired: true }));
const logger = createLogger(config.LOG_LEVEL);
const databaseUrl = config.DATABASE_URL;
const runtime = createDataSource({ url: databaseUrl, poolSize: 3, applicationName: 'dsr-gateway-migrate' });
try {
  await runtime.initialize();
  const applied = await migrateDatabase({
    runtime,
    migrationUrl: config.DATABASE_MIGRATION_URL,
    queue: queueSettings(config, databaseUrl),
    logger,
  });
  logger.info({ migrations: applied, leastPrivilege: Boolean(config.DATABASE_MIGRATION_URL) }, 'database migrated');
} catch (error) {
  logger.error({ err: (error as Error).message }, 'migration failed');
  process.exitCode = 1;
} finally {
  if (runtime.isInitialized) await runtime.destroy();
}
