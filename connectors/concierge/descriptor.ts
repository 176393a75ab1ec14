// The Concierge reference system as one built-in descriptor (listed in connectors/builtin.ts).
import { referenceSystem } from '../shared/builtin-system.js';
import { ConciergeConnector } from './connector.js';
import { conciergeRows } from './population.js';
import { conciergeSystem } from './schema.js';

export const concierge = referenceSystem(conciergeSystem, 'Concierge', (options) => new ConciergeConnector(options), conciergeRows);
