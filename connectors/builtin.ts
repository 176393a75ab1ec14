// Builds the connector of a built-in reference system.
import type { Connector } from './contract.js';
import { ConnectorError } from './contract.js';
import type { ReferenceSystemName } from './reference-systems.js';
import type { ReferenceStoreConfig } from './shared/reference-connector.js';
import { CaseManagementConnector } from './case-management/connector.js';
import { ClinicConnector } from './clinic/connector.js';
import { TrainingConnector } from './training/connector.js';
import { ConciergeConnector } from './concierge/connector.js';
import { RecruitmentConnector } from './recruitment/connector.js';
import { CctvConnector } from './cctv/connector.js';

export interface BuiltinConnectorOptions extends ReferenceStoreConfig {
  /** CCTV only: the footage directory. */
  footageDir?: string;
}

export function createBuiltinConnector(system: ReferenceSystemName, options: BuiltinConnectorOptions): Connector {
  switch (system) {
    case 'case_management':
      return new CaseManagementConnector(options);
    case 'clinic':
      return new ClinicConnector(options);
    case 'training':
      return new TrainingConnector(options);
    case 'concierge':
      return new ConciergeConnector(options);
    case 'recruitment':
      return new RecruitmentConnector(options);
    case 'cctv':
      if (!options.footageDir) throw new ConnectorError('CONFIGURATION', 'cctv needs footageDir');
      return new CctvConnector({ ...options, footageDir: options.footageDir });
  }
}
