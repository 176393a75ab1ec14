import { randomBytes } from 'node:crypto';
import type { QueueBackendSettings } from '../../src/queue/queue-backend.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Queue settings isolated per test file: a unique Redis prefix, or the file's own database. */
export function redisQueueSettings(): QueueBackendSettings {
  return { kind: 'redis', url: TEST_REDIS_URL, prefix: `dsrtest-${randomBytes(4).toString('hex')}` };
}

export function postgresQueueSettings(databaseUrl: string): QueueBackendSettings {
  return { kind: 'postgres', url: databaseUrl, schema: 'bullmq' };
}
