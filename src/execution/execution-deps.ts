import type { DataSource } from 'typeorm';
import type { Logger } from '../logging/logger.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import type { Keyrings } from '../crypto/index.js';
import type { AuditLog } from '../audit/index.js';
import type { TombstoneService } from '../tombstones/tombstone.service.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import type { DiscoveryService } from '../discovery/discovery.service.js';
import type { ExecutionSettings } from './execution-settings.js';
import type { Stores } from '../app/stores.js';

/** What execution needs from the process's services (a subset, so it builds before Services). */
export interface ExecutionDeps {
  dataSource: DataSource;
  stores: Stores;
  logger: Logger;
  queues: QueueBackend;
  keyrings: Keyrings;
  audit: AuditLog;
  tombstones: TombstoneService;
  sources: SourceRegistry;
  discovery: DiscoveryService;
  settings: ExecutionSettings;
}

/** Audit actor of a free-form actor string ('system:worker', an API key id, ...). */
export function auditActor(actor: string): { id: string; kind: string } {
  return { id: actor, kind: actor.startsWith('system:') ? 'system' : 'principal' };
}
