// The Clinic reference system as one built-in descriptor (listed in connectors/builtin.ts).
import type { BuiltinSystem } from '../shared/builtin-system.js';
import { builtinDemoSource } from '../shared/builtin-system.js';
import { ClinicConnector } from './connector.js';
import { clinicRows } from './population.js';
import { clinicSystem } from './schema.js';

export const clinic: BuiltinSystem = {
  name: clinicSystem.name,
  store: clinicSystem,
  createConnector: (options) => new ClinicConnector(options),
  population: { rowsOf: clinicRows },
  demo: { source: (_options, db) => builtinDemoSource(clinicSystem, 'Clinic', db) },
};
