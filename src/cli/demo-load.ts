// `npm run demo:load`: the reference systems with a synthetic population in a database
// of your own (not the embedded one), and a sources file registering them.
//
//   DEMO_DATABASE_URL (default DATABASE_URL): where the reference systems go; needs the
//     right to create schemas. Seeded once: an existing population is kept.
//   DEMO_PEOPLE, DEMO_SEED: the population.
//   Each system's own settings, read by its descriptor's demo.fromEnv (connectors/<system>/
//     descriptor.ts; README lists them): a media directory, a stand-in service's address.
//   --out <file> (default demo-sources.json): the registrations; start the gateway with
//     SOURCES_FILE=<file> and the source secrets they name set
//     (DSR_SOURCE_SECRET_DEMO_DATABASE_URL, and those of remote systems) to register them.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { seedReferenceSources } from '../population/seed.js';
import { demoOptionsFromEnv, demoSourceConfigs, type DemoSourceOptions } from '../../connectors/demo-sources.js';
import { storesExist } from './demo-sources.js';
import { loadConfig } from '../config/config.js';
import { exitOnConfigError } from './exit-on-config-error.js';

const env = process.env;
const config = exitOnConfigError(() => loadConfig(env));
const url = env.DEMO_DATABASE_URL ?? config.DATABASE_URL;
if (!url) {
  process.stderr.write('demo:load: set DEMO_DATABASE_URL (or DATABASE_URL) to the database the reference systems go into\n');
  process.exit(78);
}
const outIndex = process.argv.indexOf('--out');
const out = resolve(outIndex >= 0 ? process.argv[outIndex + 1]! : 'demo-sources.json');
const systemOptions = demoOptionsFromEnv(env);
const people = config.DEMO_PEOPLE;
const seed = config.DEMO_SEED;

if (await storesExist(url)) {
  process.stdout.write('demo:load: the reference systems are already there; kept as they are\n');
} else {
  const result = await seedReferenceSources({ url, people, seed, ...systemOptions });
  process.stdout.write(`demo:load: ${result.people} people loaded into the reference systems in ${result.durationMs} ms\n`);
}
// A URL with a password is not written to the file: the registrations name a variable set
// aside for source secrets (docs/security.md), which the gateway reads from its environment.
const configs = demoSourceConfigs({
  databaseUrl: url,
  databaseUrlEnv: 'DSR_SOURCE_SECRET_DEMO_DATABASE_URL',
  ...systemOptions,
} as DemoSourceOptions);
writeFileSync(out, `${JSON.stringify({ sources: configs }, null, 2)}\n`);
process.stdout.write(`demo:load: registrations written to ${out}; start the gateway with SOURCES_FILE=${out}\n`);
