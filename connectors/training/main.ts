// Runs the stand-in learning platform on its own:
//   TRAINING_DATABASE_URL=postgres://... TRAINING_CONNECTOR_SECRET=... npx tsx connectors/training/main.ts
// With TRAINING_REDIS_URL, accepted nonces are kept in Redis, so several instances behind
// one address refuse a request replayed to any of them.
import { Redis } from 'ioredis';
import { RedisNonceStore } from '../remote/redis-nonce-store.js';
import { startTrainingService } from './service.js';

const url = process.env.TRAINING_DATABASE_URL ?? process.env.DATABASE_URL;
const secret = process.env.TRAINING_CONNECTOR_SECRET;
if (!url || !secret) {
  console.error('set TRAINING_DATABASE_URL (or DATABASE_URL) and TRAINING_CONNECTOR_SECRET');
  process.exit(1);
}
const redis = process.env.TRAINING_REDIS_URL ? new Redis(process.env.TRAINING_REDIS_URL, { maxRetriesPerRequest: 1 }) : undefined;
const nonces = redis ? new RedisNonceStore(redis, 'training-connector-nonce:') : undefined;
const service = await startTrainingService({ url, secret, port: Number(process.env.TRAINING_PORT ?? 4101), nonces });
console.log(`training service listening at ${service.baseUrl}`);
const stop = () =>
  void service
    .close()
    .then(() => redis?.quit())
    .then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
