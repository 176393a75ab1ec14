// What every request use case works with: the stores and collaborators, the clock, the
// request's secrets, "the request this principal may see" and the per-record decisions.
import type { DataSource } from 'typeorm';
import type { AuditLog } from '../../audit/index.js';
import type { Stores } from '../../app/stores.js';
import type { Keyrings } from '../../crypto/index.js';
import type { DiscoveryService } from '../../discovery/discovery.service.js';
import type { Logger } from '../../logging/logger.js';
import type { SourceRegistry } from '../../sources/source-registry.js';
import type { TombstoneService } from '../../tombstones/tombstone.service.js';
import type { AccessPackageService } from './access-package.service.js';
import type { RecordDecisions } from './record-decisions.js';
import type { RequestExecutor } from './request-executor.js';
import type { RequestSecrets } from './request-secrets.js';
import type { RequestSettings } from './request-settings.js';
import type { VisibleRequests } from './visible-requests.js';

export interface RequestDeps {
  dataSource: DataSource;
  stores: Stores;
  keyrings: Keyrings;
  audit: AuditLog;
  sources: SourceRegistry;
  discovery: DiscoveryService;
  logger: Logger;
  settings: RequestSettings;
  /** Runs approved requests' corrections, erasures and restrictions (src/execution). */
  executor: RequestExecutor;
  /** A request refused or withdrawn after its execution started withdraws its own tombstones. */
  tombstones: Pick<TombstoneService, 'withdrawForRequest'>;
  now?: () => Date;
}

export interface RequestContext {
  deps: RequestDeps;
  now: () => Date;
  secrets: RequestSecrets;
  visible: VisibleRequests;
  decisions: RecordDecisions;
  packages: AccessPackageService;
}
