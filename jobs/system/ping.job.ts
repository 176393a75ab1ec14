// A trivial job that proves the queue plumbing end to end: a producer adds it, a worker
// runs it, and the producer sees the result. It carries no data, only a correlation id.
import type { Job } from 'bullmq';

export const PING_JOB = 'ping';

export interface PingPayload {
  correlationId: string;
}

export interface PingResult {
  correlationId: string;
  handledBy: number;
}

export async function processPing(job: Job<PingPayload>): Promise<PingResult> {
  return { correlationId: job.data.correlationId, handledBy: process.pid };
}
