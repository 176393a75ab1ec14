import pg from 'pg';
import { seedReferenceSources } from '../population/seed.js';
import { DEMO_STORE_NAMES, demoSourceConfigs, startDemoServices } from '../../connectors/demo-sources.js';
import type { Services } from '../app/services.js';

export interface DemoSources {
  seeded: boolean;
  sourceIds: string[];
  stop(): Promise<void>;
}

/**
 * The demo set-up of `npm start`: the reference systems with a synthetic population in the
 * same database (seeded once, kept across restarts so erasures stay erased), the side
 * services their descriptors start (a stand-in platform), and all registered as sources.
 */
export async function setUpDemoSources(
  services: Services,
  options: { databaseUrl: string; people: number; seed: number; footageDir: string },
): Promise<DemoSources> {
  const seeded = !(await storesExist(options.databaseUrl));
  if (seeded) {
    const result = await seedReferenceSources({
      url: options.databaseUrl,
      people: options.people,
      seed: options.seed,
      footageDir: options.footageDir,
    });
    services.logger.info({ people: result.people, durationMs: result.durationMs }, 'demo population loaded');
  }
  const sideServices = await startDemoServices(options.databaseUrl);
  // The embedded database's URL carries a password: registrations name a variable instead.
  process.env.DSR_SOURCE_SECRET_DEMO_DATABASE_URL = options.databaseUrl;
  const configs = demoSourceConfigs({
    databaseUrl: options.databaseUrl,
    databaseUrlEnv: 'DSR_SOURCE_SECRET_DEMO_DATABASE_URL',
    footageDir: options.footageDir,
    ...sideServices.options,
  } as Parameters<typeof demoSourceConfigs>[0]);
  for (const config of configs) await services.sources.register(config, 'demo');
  return { seeded, sourceIds: configs.map((c) => c.id!), stop: () => sideServices.close() };
}

/** True when every reference system is already in the database at `url`. */
export async function storesExist(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = ANY($1)`, [DEMO_STORE_NAMES]);
    return rows[0].n === DEMO_STORE_NAMES.length;
  } finally {
    await client.end();
  }
}
