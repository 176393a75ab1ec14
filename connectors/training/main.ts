// Runs the stand-in learning platform on its own:
//   TRAINING_DATABASE_URL=postgres://... TRAINING_CONNECTOR_SECRET=... npx tsx connectors/training/main.ts
import { startTrainingService } from './service.js';

const url = process.env.TRAINING_DATABASE_URL ?? process.env.DATABASE_URL;
const secret = process.env.TRAINING_CONNECTOR_SECRET;
if (!url || !secret) {
  console.error('set TRAINING_DATABASE_URL (or DATABASE_URL) and TRAINING_CONNECTOR_SECRET');
  process.exit(1);
}
const service = await startTrainingService({ url, secret, port: Number(process.env.TRAINING_PORT ?? 4101) });
console.log(`training service listening at ${service.baseUrl}`);
const stop = () => void service.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
