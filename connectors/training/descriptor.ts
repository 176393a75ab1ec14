// The training reference system as one built-in descriptor (listed in connectors/builtin.ts).
// The demo reaches it as a remote source: a stand-in learning platform (service.ts) serves
// its connector over the signed protocol, with a shared secret the gateway reads from
// DSR_SOURCE_SECRET_TRAINING.
import { randomBytes } from 'node:crypto';
import { SourceKind } from '../../src/domain/vocabulary.js';
import type { BuiltinSystem } from '../shared/builtin-system.js';
import { TrainingConnector } from './connector.js';
import { trainingRows } from './population.js';
import { trainingSystem } from './schema.js';
import { startTrainingService } from './service.js';

interface TrainingDemoOptions {
  /** Where the training service listens (see startTrainingService). */
  trainingBaseUrl: string;
  /** The variable holding the training service's shared secret (default DSR_SOURCE_SECRET_TRAINING). */
  trainingSecretEnv?: string;
}

export const training: BuiltinSystem<TrainingDemoOptions> = {
  name: trainingSystem.name,
  store: trainingSystem,
  createConnector: (options) => new TrainingConnector(options),
  population: { rowsOf: trainingRows },
  demo: {
    source: (options) => ({
      id: 'training',
      name: 'Training',
      kind: SourceKind.TRAINING,
      type: 'remote',
      connection: { baseUrl: options.trainingBaseUrl, secretEnv: options.trainingSecretEnv ?? 'DSR_SOURCE_SECRET_TRAINING', timeoutMs: 10_000 },
    }),
    fromEnv: (env) => ({ trainingBaseUrl: env.TRAINING_BASE_URL ?? 'http://127.0.0.1:4100/connector' }),
    async start(databaseUrl) {
      // The stand-in learning platform speaks the remote connector protocol with a shared secret.
      const secret = randomBytes(24).toString('base64url');
      process.env.DSR_SOURCE_SECRET_TRAINING = secret;
      const service = await startTrainingService({ url: databaseUrl, secret });
      return { options: { trainingBaseUrl: service.baseUrl }, close: () => service.close() };
    },
  },
};
