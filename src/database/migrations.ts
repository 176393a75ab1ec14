// Every migration, in order. `synchronize` is never used: the schema changes only here.
import { Foundation1763999999999 } from './migrations/1763999999999-Foundation.js';
import { CreateApiKeys1764000000001 } from './migrations/1764000000001-CreateApiKeys.js';
import { CreateAuditLog1764000000002 } from './migrations/1764000000002-CreateAuditLog.js';
import { CreateTombstones1764000001000 } from './migrations/1764000001000-CreateTombstones.js';
import { CreateRequests1764000002000 } from './migrations/1764000002000-CreateRequests.js';
import { AddRectification1764000003000 } from './migrations/1764000003000-AddRectification.js';
import { TaskUpdatesInPlace1764000004000 } from './migrations/1764000004000-TaskUpdatesInPlace.js';
import { PackageRetentionAndMinimalErasureRecord1764000005100 } from './migrations/1764000005100-PackageRetentionAndMinimalErasureRecord.js';
import { SourceApproval1764000005400 } from './migrations/1764000005400-SourceApproval.js';
import { ReportIndexes1764000005500 } from './migrations/1764000005500-ReportIndexes.js';
import { RetentionRuns1764000007000 } from './migrations/1764000007000-RetentionRuns.js';
import { RequestSubjectFacts1764000008000 } from './migrations/1764000008000-RequestSubjectFacts.js';
import { DecisionReturnToController1764000008100 } from './migrations/1764000008100-DecisionReturnToController.js';
import { RetentionRunSuperseded1764000008300 } from './migrations/1764000008300-RetentionRunSuperseded.js';
import { ControllerInstructionPerController1764000008400 } from './migrations/1764000008400-ControllerInstructionPerController.js';
import { TombstonePerRequest1764000008500 } from './migrations/1764000008500-TombstonePerRequest.js';
import { RecordDecisionByRecord1764000008600 } from './migrations/1764000008600-RecordDecisionByRecord.js';
import { SourcePhoneCountry1764000008720 } from './migrations/1764000008720-SourcePhoneCountry.js';
import { TaskHeldByRequest1764000008760 } from './migrations/1764000008760-TaskHeldByRequest.js';
import { SourcePhoneCountriesBefore1764000008800 } from './migrations/1764000008800-SourcePhoneCountriesBefore.js';
import { DefaultPhoneCountries1764000009100 } from './migrations/1764000009100-DefaultPhoneCountries.js';
import { AccessPackageRevocation1764000009300 } from './migrations/1764000009300-AccessPackageRevocation.js';
import { SourceApprovedAt1764000009500 } from './migrations/1764000009500-SourceApprovedAt.js';
import { ExtensionNoticeSent1764000010400 } from './migrations/1764000010400-ExtensionNoticeSent.js';

export const migrations: Function[] = [
  Foundation1763999999999,
  CreateApiKeys1764000000001,
  CreateAuditLog1764000000002,
  CreateTombstones1764000001000,
  CreateRequests1764000002000,
  AddRectification1764000003000,
  TaskUpdatesInPlace1764000004000,
  PackageRetentionAndMinimalErasureRecord1764000005100,
  SourceApproval1764000005400,
  ReportIndexes1764000005500,
  RetentionRuns1764000007000,
  RequestSubjectFacts1764000008000,
  DecisionReturnToController1764000008100,
  RetentionRunSuperseded1764000008300,
  ControllerInstructionPerController1764000008400,
  TombstonePerRequest1764000008500,
  RecordDecisionByRecord1764000008600,
  SourcePhoneCountry1764000008720,
  TaskHeldByRequest1764000008760,
  SourcePhoneCountriesBefore1764000008800,
  DefaultPhoneCountries1764000009100,
  AccessPackageRevocation1764000009300,
  SourceApprovedAt1764000009500,
  ExtensionNoticeSent1764000010400,
];
