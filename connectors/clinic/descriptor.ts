// The Clinic reference system as one built-in descriptor (listed in connectors/builtin.ts).
import { referenceSystem } from '../shared/builtin-system.js';
import { ClinicConnector } from './connector.js';
import { clinicRows } from './population.js';
import { clinicSystem } from './schema.js';

// Its rules (annotated corrections, statutory retention) are in its connector's describe().
export const clinic = referenceSystem(clinicSystem, 'Clinic', (options) => new ClinicConnector(options), clinicRows);
