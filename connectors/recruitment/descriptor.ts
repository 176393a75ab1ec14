// The Recruitment reference system as one built-in descriptor (listed in connectors/builtin.ts).
import type { BuiltinSystem } from '../shared/builtin-system.js';
import { builtinDemoSource } from '../shared/builtin-system.js';
import { RecruitmentConnector } from './connector.js';
import { recruitmentRows } from './population.js';
import { recruitmentSystem } from './schema.js';

export const recruitment: BuiltinSystem = {
  name: recruitmentSystem.name,
  store: recruitmentSystem,
  createConnector: (options) => new RecruitmentConnector(options),
  population: { rowsOf: recruitmentRows },
  demo: { source: (_options, db) => builtinDemoSource(recruitmentSystem, 'Recruitment', db) },
};
