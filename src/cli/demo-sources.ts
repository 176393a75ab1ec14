import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { seedReferenceSources } from '../population/seed.js';
import { demoSourceConfigs } from '../../connectors/demo-sources.js';
import { startTrainingService } from '../../connectors/training/service.js';
import type { Services } from '../app/services.js';

export interface DemoSources {
  seeded: boolean;
  sourceIds: string[];
  stop(): Promise<void>;
}

/**
 * The demo set-up of `npm start`: the six reference systems with a synthetic population
 * in the same database (seeded once, kept across restarts so erasures stay erased), the
 * training platform's stand-in service, and the six registered as sources.
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
  // The stand-in learning platform speaks the remote connector protocol with a shared secret.
  const secret = randomBytes(24).toString('base64url');
  process.env.DSR_SOURCE_SECRET_TRAINING = secret;
  const training = await startTrainingService({ url: options.databaseUrl, secret });
  // The embedded database's URL carries a password: registrations name a variable instead.
  process.env.DSR_SOURCE_SECRET_DEMO_DATABASE_URL = options.databaseUrl;
  const configs = demoSourceConfigs({
    databaseUrl: options.databaseUrl,
    databaseUrlEnv: 'DSR_SOURCE_SECRET_DEMO_DATABASE_URL',
    footageDir: options.footageDir,
    trainingBaseUrl: training.baseUrl,
  });
  for (const config of configs) await services.sources.register(config, 'demo');
  return { seeded, sourceIds: configs.map((c) => c.id!), stop: () => training.close() };
}

/** True when the six reference systems are already in the database at `url`. */
export async function storesExist(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = ANY($1)`, [
      ['case_management', 'clinic', 'training', 'concierge', 'recruitment', 'cctv'],
    ]);
    return rows[0].n === 6;
  } finally {
    await client.end();
  }
}
