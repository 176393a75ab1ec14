// `npm run sweep:recreations -- --since <ISO 8601 date> [--source <source id>]`: the
// recreation sweep from a point in time, run by an operator (after restoring a source from a
// backup, whose records come back with old change dates no scheduled sweep looks at). Needs
// the gateway's DATABASE_URL, keys (DSR_TOMBSTONE_KEYS) and queue (REDIS_URL) settings, and a
// migrated database; the erasures it queues are run by the workers. See src/tombstones/sweep-since.ts.
import 'reflect-metadata';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { startRuntime } from '../app/runtime.js';
import { exitOnConfigError } from './exit-on-config-error.js';
import { parseSweepArguments, runSweepCommand, SWEEP_USAGE } from '../tombstones/sweep-since.js';
import { DomainError } from '../domain/errors.js';

const argv = process.argv.slice(2);
// Bad input is refused before any connection is made.
try {
  parseSweepArguments(argv, new Date());
} catch (error) {
  if (!(error instanceof DomainError)) throw error;
  process.stderr.write(`${error.code}: ${error.message}\n${SWEEP_USAGE}\n`);
  process.exit(64);
}
const config = exitOnConfigError(() => loadConfig(process.env, { databaseRequired: true }));
const logger = createLogger(config.LOG_LEVEL);
const runtime = await startRuntime({ config, databaseUrl: config.DATABASE_URL, http: false, worker: false, migrate: false, logger });
try {
  process.exitCode = await runSweepCommand(argv, runtime.services);
} finally {
  await runtime.stop();
}
