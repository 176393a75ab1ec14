// `npm run serve`: the HTTP role alone (GraphQL, probes, feeds' tombstone check).
// Production mode: DATABASE_URL (and REDIS_URL for queues) must be set.
import 'reflect-metadata';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { startRuntime } from '../app/runtime.js';
import { stopOnSignals } from '../app/shutdown.js';
import { exitOnConfigError } from './exit-on-config-error.js';

const config = exitOnConfigError(() => loadConfig(process.env, { databaseRequired: true }));
const logger = createLogger(config.LOG_LEVEL);
const databaseUrl = config.DATABASE_URL;
const runtime = await startRuntime({ config, databaseUrl, http: true, worker: false, migrate: true, logger });
stopOnSignals(runtime.stop, logger, config.SHUTDOWN_GRACE_MS);
