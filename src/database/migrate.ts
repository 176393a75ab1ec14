import type { DataSource } from 'typeorm';
import type { QueueBackendSettings } from '../queue/queue-backend.js';
import { migratePostgresQueueSchema } from '../queue/queue-backend.js';

/**
 * Applies every pending migration: the gateway's own (TypeORM, one transaction each)
 * and, when queues live in PostgreSQL, BullMQ's queue schema.
 */
export async function migrate(dataSource: DataSource, queue?: QueueBackendSettings): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  if (queue?.kind === 'postgres') await migratePostgresQueueSchema(queue.url, queue.schema);
  return applied.map((m) => m.name);
}
