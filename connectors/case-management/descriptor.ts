// The Case management reference system as one built-in descriptor (listed in connectors/builtin.ts).
import type { BuiltinSystem } from '../shared/builtin-system.js';
import { builtinDemoSource } from '../shared/builtin-system.js';
import { CaseManagementConnector } from './connector.js';
import { caseManagementRows } from './population.js';
import { caseManagementSystem } from './schema.js';

export const caseManagement: BuiltinSystem = {
  name: caseManagementSystem.name,
  store: caseManagementSystem,
  createConnector: (options) => new CaseManagementConnector(options),
  population: { rowsOf: caseManagementRows },
  demo: { source: (_options, db) => builtinDemoSource(caseManagementSystem, 'Case management', db) },
};
