import type { DataSource } from 'typeorm';
import type { QueueBackendSettings } from '../queue/queue-backend.js';
import { migratePostgresQueueSchema } from '../queue/queue-backend.js';
import type { Logger } from '../logging/logger.js';
import { createDataSource } from './data-source.js';
import { canRewriteAuditLog, currentRole, grantRuntimePrivileges } from './roles.js';

/**
 * Applies every pending migration: the gateway's own (TypeORM, one transaction each)
 * and, when queues live in PostgreSQL, BullMQ's queue schema.
 */
export async function migrate(dataSource: DataSource, queue?: QueueBackendSettings): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  if (queue?.kind === 'postgres') await migratePostgresQueueSchema(queue.url, queue.schema);
  return applied.map((m) => m.name);
}

export interface MigrateOptions {
  /** The runtime role's DataSource (DATABASE_URL). */
  runtime: DataSource;
  /** The owner role's URL (DATABASE_MIGRATION_URL); unset: the runtime role migrates (not least privilege). */
  migrationUrl?: string;
  queue?: QueueBackendSettings;
  logger: Logger;
}

/**
 * Migrates at start. With an owner URL, the migrations run as the owner and the runtime
 * role is then granted its rights (src/database/roles.ts); without one, the runtime role
 * migrates and owns the tables, and a warning says so.
 */
export async function migrateDatabase(options: MigrateOptions): Promise<string[]> {
  const { runtime, migrationUrl, queue, logger } = options;
  if (!migrationUrl) {
    const applied = await withMigrationLock(runtime, () => migrate(runtime, queue));
    if (await canRewriteAuditLog(runtime)) {
      logger.warn('the gateway runs as the database role that owns the audit log: it could rewrite it; set DATABASE_MIGRATION_URL (docs/security.md)');
    }
    return applied;
  }
  // The migration lock holds one connection while the migrations use another.
  const owner = createDataSource({ url: migrationUrl, poolSize: 3, applicationName: 'dsr-gateway-migrate' });
  await owner.initialize();
  try {
    const runtimeRole = await currentRole(runtime);
    if (runtimeRole === (await currentRole(owner))) {
      throw new Error('DATABASE_MIGRATION_URL names the same role as DATABASE_URL: give the runtime role one of its own');
    }
    const ownerQueue = queue?.kind === 'postgres' ? { ...queue, url: migrationUrl } : queue;
    return await withMigrationLock(owner, async () => {
      const applied = await migrate(owner, ownerQueue);
      await grantRuntimePrivileges(owner, runtimeRole, { queueSchema: queue?.kind === 'postgres' ? queue.schema : undefined });
      return applied;
    });
  } finally {
    await owner.destroy();
  }
}

/** Only one process migrates at a time; the others wait, then find nothing to do. */
async function withMigrationLock<T>(dataSource: DataSource, fn: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7262531)');
    return await fn();
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7262531)').catch(() => undefined);
    await runner.release();
  }
}
