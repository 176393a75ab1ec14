// Tests and benchmarks put their queues under a prefix of their own on the shared Redis;
// this removes them afterwards, so runs do not pile up keys on the machine.
import { Redis } from 'ioredis';

export async function removeQueueKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const stream = redis.scanStream({ match: `${prefix}:*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
