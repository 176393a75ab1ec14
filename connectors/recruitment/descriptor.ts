// The Recruitment reference system as one built-in descriptor (listed in connectors/builtin.ts).
import { referenceSystem } from '../shared/builtin-system.js';
import { RecruitmentConnector } from './connector.js';
import { recruitmentRows } from './population.js';
import { recruitmentSystem } from './schema.js';

export const recruitment = referenceSystem(recruitmentSystem, 'Recruitment', (options) => new RecruitmentConnector(options), recruitmentRows);
