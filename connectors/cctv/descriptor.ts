// The CCTV reference system as one built-in descriptor (listed in connectors/builtin.ts).
// It keeps footage files on disk: its connector needs the footage directory, and so does
// the demo, which writes the files while it seeds.
import { resolve } from 'node:path';
import { ConnectorError } from '../contract.js';
import type { BuiltinSystem } from '../shared/builtin-system.js';
import { builtinDemoSource } from '../shared/builtin-system.js';
import { CctvConnector } from './connector.js';
import { cameraRows, cctvRows, clearFootage } from './population.js';
import { cctvSystem } from './schema.js';

export const cctv: BuiltinSystem<{ footageDir: string }> = {
  name: cctvSystem.name,
  store: cctvSystem,
  createConnector(options) {
    if (!options.footageDir) throw new ConnectorError('CONFIGURATION', 'cctv needs footageDir');
    return new CctvConnector({ ...options, footageDir: options.footageDir });
  },
  population: {
    fixedRows: cameraRows,
    rowsOf: cctvRows,
    prepare: async ({ footageDir }) => (footageDir ? clearFootage(footageDir) : undefined),
  },
  demo: {
    source: (options, db) => builtinDemoSource(cctvSystem, 'CCTV', db, { footageDir: options.footageDir }),
    fromEnv: (env) => ({ footageDir: resolve(env.FOOTAGE_DIR ?? 'demo-footage') }),
  },
};
