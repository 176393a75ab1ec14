// `npm run worker`: the queue-processing role alone. Run as many as the load needs;
// BullMQ hands each job to one of them.
import 'reflect-metadata';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/logging/logger.js';
import { startRuntime } from '../src/app/runtime.js';
import { stopOnSignals } from '../src/app/shutdown.js';
import { exitOnConfigError } from '../src/cli/exit-on-config-error.js';
import { startWorkerMetricsServer } from '../src/http/worker-metrics-server.js';

const config = exitOnConfigError(() => loadConfig(process.env, { databaseRequired: true }));
const logger = createLogger(config.LOG_LEVEL);
const databaseUrl = config.DATABASE_URL;
const runtime = await startRuntime({ config, databaseUrl, http: false, worker: true, migrate: true, logger });
const metrics = config.WORKER_METRICS_PORT === undefined ? undefined : await serveMetrics(config.WORKER_METRICS_PORT);
// The metrics stay up until the jobs have finished, so a last scrape sees their outcomes.
stopOnSignals(
  async () => {
    await runtime.stop();
    await metrics?.close();
  },
  logger,
  config.SHUTDOWN_GRACE_MS,
);

/** A port that cannot be had stops the worker cleanly: active jobs finish or go back. */
async function serveMetrics(port: number) {
  try {
    const server = await startWorkerMetricsServer(config.HOST, port, runtime.services);
    logger.info({ url: `${server.url}/metrics` }, 'worker metrics served');
    return server;
  } catch (error) {
    logger.error({ port, err: (error as Error).message }, 'worker metrics could not be served; stopping');
    await runtime.stop();
    process.exit(1);
  }
}
