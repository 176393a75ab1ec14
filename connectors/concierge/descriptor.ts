// The Concierge reference system as one built-in descriptor (listed in connectors/builtin.ts).
import type { BuiltinSystem } from '../shared/builtin-system.js';
import { builtinDemoSource } from '../shared/builtin-system.js';
import { ConciergeConnector } from './connector.js';
import { conciergeRows } from './population.js';
import { conciergeSystem } from './schema.js';

export const concierge: BuiltinSystem = {
  name: conciergeSystem.name,
  store: conciergeSystem,
  createConnector: (options) => new ConciergeConnector(options),
  population: { rowsOf: conciergeRows },
  demo: { source: (_options, db) => builtinDemoSource(conciergeSystem, 'Concierge', db) },
};
