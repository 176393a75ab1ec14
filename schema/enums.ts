// Registers the domain vocabulary as GraphQL enums (the public contract's names).
import { registerEnumType } from 'type-graphql';
import {
  Capability,
  ControllerDecision,
  DataCategory,
  IdentifierType,
  MatchBand,
  RecordAction,
  Relationship,
  RequestStatus,
  RequestType,
  ReviewState,
  SourceKind,
  ActionOutcome,
  TaskStatus,
  RetentionRunStatus,
} from '../src/domain/vocabulary.js';
import { SourceStatus } from '../src/sources/source.entity.js';

registerEnumType(IdentifierType, { name: 'IdentifierType' });
registerEnumType(SourceKind, { name: 'SourceKind' });
registerEnumType(Capability, { name: 'Capability' });
registerEnumType(RequestType, { name: 'RequestType' });
registerEnumType(RequestStatus, { name: 'RequestStatus' });
registerEnumType(MatchBand, { name: 'MatchBand' });
registerEnumType(Relationship, { name: 'Relationship' });
registerEnumType(RecordAction, { name: 'RecordAction' });
registerEnumType(ControllerDecision, { name: 'ControllerDecision' });
registerEnumType(DataCategory, { name: 'DataCategory' });
registerEnumType(RetentionRunStatus, {
  name: 'RetentionRunStatus',
  description:
    'R9: PREVIEWED (waiting for approval), EXECUTING, COMPLETED (every destruction verified), PARTIALLY_COMPLETED, CANCELLED, SUPERSEDED (never approved; a newer preview of the same sources replaced it).',
});
registerEnumType(TaskStatus, {
  name: 'TaskStatus',
  description: 'QUEUED, RUNNING, RETRYING (between attempts), SUCCEEDED, FAILED, REOPENED (queued again after verification found the record).',
});
registerEnumType(ReviewState, { name: 'ReviewState', description: 'AUTO (a MATCH), PENDING (a REVIEW awaiting a handler), CONFIRMED or REJECTED.' });
registerEnumType(ActionOutcome, {
  name: 'ActionOutcome',
  description: "A source's answer to a task: APPLIED, ALREADY_APPLIED (a repeat), NOT_FOUND, REFUSED.",
});
registerEnumType(SourceStatus, {
  name: 'SourceStatus',
  description:
    'PENDING_APPROVAL: registered by a CONNECTOR, no traffic until an ADMIN approves; ACTIVE: searched and sent tasks; DISABLED: no traffic; REMOVED: kept only so past requests can name it.',
});
