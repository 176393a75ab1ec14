// "The request this principal may see" (R13), loaded once for every use case: a request
// outside the principal's controllers is reported as absent, never as forbidden.
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/index.js';
import type { DataSubjectRequestEntity, RequestRecordEntity, RequestStore } from '../store/request.store.js';
import { isUuid, outsideScope, requestNotFound } from '../request-errors.js';
import { canSeeRequest, seesWholeRequest } from '../visibility.js';

export class VisibleRequests {
  constructor(private readonly store: RequestStore) {}

  /** The request if it exists and the principal may see it; null otherwise (no existence leak). */
  async find(id: string, principal: Principal, m?: EntityManager): Promise<DataSubjectRequestEntity | null> {
    if (!isUuid(id)) return null;
    const row = await this.store.find(id, m);
    return row && canSeeRequest(principal, row) ? row : null;
  }

  /** The request the principal may see, or REQUEST_NOT_FOUND. */
  async loadVisible(id: string, principal: Principal): Promise<DataSubjectRequestEntity> {
    const row = await this.find(id, principal);
    if (!row) throw requestNotFound(id);
    return row;
  }

  /** The request with its snapshot, for acting on all of it: FORBIDDEN when a record's controller is outside the principal's scope. */
  async loadWhole(id: string, principal: Principal): Promise<{ request: DataSubjectRequestEntity; records: RequestRecordEntity[] }> {
    const request = await this.loadVisible(id, principal);
    const records = await this.store.recordsOf([id]);
    if (!seesWholeRequest(principal, records)) throw outsideScope();
    return { request, records };
  }
}
