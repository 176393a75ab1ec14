// `npm run demo:training`: the training platform's stand-in, a remote connector service
// over the `training` schema that `npm run demo:load` created.
//   DEMO_DATABASE_URL (default DATABASE_URL), TRAINING_CONNECTOR_SECRET (required: the
//   shared secret the gateway signs its calls with; the gateway needs the same value),
//   TRAINING_HOST (default 127.0.0.1), TRAINING_PORT (default 4100).
import { startTrainingService } from './service.js';

const env = process.env;
const url = env.DEMO_DATABASE_URL ?? env.DATABASE_URL;
const secret = env.TRAINING_CONNECTOR_SECRET;
if (!url || !secret || secret.length < 16) {
  process.stderr.write('demo:training: set DEMO_DATABASE_URL (or DATABASE_URL) and TRAINING_CONNECTOR_SECRET (16 characters or more)\n');
  process.exit(78);
}
const service = await startTrainingService({ url, secret, host: env.TRAINING_HOST ?? '127.0.0.1', port: Number(env.TRAINING_PORT ?? 4100) });
process.stdout.write(`training stand-in serving ${service.baseUrl}\n`);
const stop = () => void service.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
