import { SourceStatus, type SourceEntity } from '../../src/sources/source.entity.js';
import type { SourceKind } from '../../src/domain/vocabulary.js';
import { approvalTokenOf, changesAwaitingApproval } from '../../src/sources/approval-changes.js';
import { Source } from './source.types.js';

/** The GraphQL view of a registration (no connection settings: they stay server-side). */
export function sourceView(entity: SourceEntity): Source {
  const view = new Source();
  view.id = entity.id;
  view.name = entity.name;
  view.kind = entity.kind as SourceKind;
  view.type = entity.connectorType;
  view.controllerIds = [...(entity.controllerIds ?? [])];
  view.registeredBy = entity.registeredBy;
  view.phoneCountry = entity.phoneCountry;
  view.phoneCountriesBefore = [...(entity.phoneCountriesBefore ?? [])];
  view.registeredAt = entity.createdAt;
  view.updatedAt = entity.updatedAt;
  view.status = entity.status;
  view.reviewedBy = entity.reviewedBy;
  view.reviewedAt = entity.reviewedAt;
  view.approvedAt = entity.approvedAt;
  view.pendingChanges = changesAwaitingApproval(entity);
  view.approvalToken = entity.status === SourceStatus.PENDING_APPROVAL ? approvalTokenOf(entity) : null;
  return view;
}
