// The Case management reference system as one built-in descriptor (listed in connectors/builtin.ts).
import { referenceSystem } from '../shared/builtin-system.js';
import { CaseManagementConnector } from './connector.js';
import { caseManagementRows } from './population.js';
import { caseManagementSystem } from './schema.js';

export const caseManagement = referenceSystem(caseManagementSystem, 'Case management', (options) => new CaseManagementConnector(options), caseManagementRows);
