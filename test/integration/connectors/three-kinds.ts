// One of each kind of source for a connector contract test: the seeded reference stores, the
// training platform behind the signed remote protocol, and a foreign CRM database for the
// generic SQL connector. Set up once per file, torn down with every connector it opened.
import { afterAll, beforeAll } from 'vitest';
import type { Connector } from '../../../connectors/contract.js';
import { startTrainingService, type TrainingService } from '../../../connectors/training/service.js';
import { seededStores, type SeededStores } from './fixtures.js';
import { createForeignCrmDatabase, type ForeignDatabase } from './foreign-crm.js';

export interface ThreeKinds {
  stores: SeededStores;
  training: TrainingService;
  crm: ForeignDatabase;
  /** Connectors a test opened: closed after the file. */
  opened: Connector[];
}

/** `prepare` runs on the seeded stores before the training platform starts. */
export function threeKindsOfSource(secret: string, prepare?: (storesUrl: string) => Promise<void>): ThreeKinds {
  const world = { opened: [] as Connector[] } as ThreeKinds;
  beforeAll(async () => {
    world.stores = await seededStores(60, 13);
    await prepare?.(world.stores.url);
    world.training = await startTrainingService({ url: world.stores.url, secret });
    world.crm = await createForeignCrmDatabase();
  });
  afterAll(async () => {
    await Promise.all(world.opened.map((c) => c.close()));
    await world.training?.close();
    await world.crm?.drop();
    await world.stores?.drop();
  });
  return world;
}
