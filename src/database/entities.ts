// Every TypeORM entity of the gateway, listed explicitly so that the compiled
// output, the CLI and the tests load the same set without glob patterns.
import { SourceEntity } from '../sources/source.entity.js';
import { ApiKey } from '../auth/api-key.entity.js';
import { AuditEntry } from '../audit/audit-entry.entity.js';

export const entities: Function[] = [
  SourceEntity,
  ApiKey,
  AuditEntry,
];
