import { randomUUID } from 'node:crypto';
import type { QueueBackend } from '../../src/queue/queue-backend.js';
import { QueueNames } from '../queue-names.js';
import { PING_JOB, type PingResult } from './ping.job.js';

export interface WorkerPing extends PingResult {
  roundTripMs: number;
}

/**
 * Sends a ping job through the queue backend and waits for a worker to answer: the
 * operator's proof that producers, the queue datastore and workers are all connected.
 */
export async function pingWorkers(queues: QueueBackend, timeoutMs: number): Promise<WorkerPing> {
  const started = performance.now();
  const queue = queues.queue(QueueNames.system);
  const events = queues.queueEvents(QueueNames.system);
  try {
    await events.waitUntilReady();
    const job = await queue.add(PING_JOB, { correlationId: randomUUID() }, { removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } });
    const result = (await job.waitUntilFinished(events, timeoutMs)) as PingResult;
    return { ...result, roundTripMs: Math.round(performance.now() - started) };
  } finally {
    await events.close();
    await queue.close();
  }
}
