// Every TypeORM entity of the gateway, listed explicitly so that the compiled
// output, the CLI and the tests load the same set without glob patterns.
import { SourceEntity } from '../sources/source.entity.js';
import { ApiKey } from '../auth/api-key.entity.js';
import { AuditEntry } from '../audit/audit-entry.entity.js';
import { TombstoneEntity } from '../tombstones/tombstone.entity.js';
import { DataSubjectRequestEntity } from '../requests/store/data-subject-request.entity.js';
import { RequestTransitionEntity } from '../requests/store/request-transition.entity.js';
import { RequestRecordEntity } from '../requests/store/request-record.entity.js';
import { RecordDecisionEntity } from '../requests/store/record-decision.entity.js';
import { ControllerInstructionEntity } from '../requests/store/controller-instruction.entity.js';
import { AccessPackageEntity } from '../requests/store/access-package.entity.js';
import { TaskEntity } from '../execution/store/task.entity.js';

export const entities: Function[] = [
  SourceEntity,
  ApiKey,
  AuditEntry,
  TombstoneEntity,
  DataSubjectRequestEntity,
  RequestTransitionEntity,
  RequestRecordEntity,
  RecordDecisionEntity,
  ControllerInstructionEntity,
  AccessPackageEntity,
  TaskEntity,
];
