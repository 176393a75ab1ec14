import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueBackend, type QueueBackend, type QueueBackendSettings } from '../../../src/queue/queue-backend.js';
import { PING_JOB, processPing, type PingResult } from '../../../jobs/system/ping.job.js';
import { createTestDatabase } from '../../support/test-database.js';
import { postgresQueueSettings, redisQueueSettings } from '../../support/queue-settings.js';
import { removeQueueKeys } from '../../support/redis-cleanup.js';

const db = await createTestDatabase();
afterAll(() => db.drop());

describe.each([
  ['redis', () => redisQueueSettings()],
  ['postgres', () => postgresQueueSettings(db.url)],
] as const)('queue plumbing on %s', (kind, settings) => {
  let backend: QueueBackend;
  let chosen: QueueBackendSettings;
  beforeAll(() => {
    chosen = settings();
    backend = createQueueBackend(chosen);
  });
  afterAll(async () => {
    await backend.close();
    if (chosen.kind === 'redis') await removeQueueKeys(chosen.url, chosen.prefix);
  });

  it('runs a job end to end and hands the result back to the producer', async () => {
    const queue = backend.queue('system');
    const events = backend.queueEvents('system');
    await events.waitUntilReady();
    backend.worker('system', processPing);
    const correlationId = randomUUID();
    const job = await queue.add(PING_JOB, { correlationId });
    const result = (await job.waitUntilFinished(events, 20_000)) as PingResult;
    expect(backend.kind).toBe(kind);
    expect(result.correlationId).toBe(correlationId);
    expect(result.handledBy).toBe(process.pid);
  });

  it('reports the datastore reachable', async () => {
    await expect(backend.ping()).resolves.toBeUndefined();
  });
});
