// "The request this principal may see" (R13), loaded once for every use case: a request
// outside the principal's controllers is reported as absent, never as forbidden.
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/index.js';
import type { SourceRegistry } from '../../sources/source-registry.js';
import { unsearchedSources } from '../discovery-gaps.js';
import type { DataSubjectRequestEntity, RequestRecordEntity, RequestStore } from '../store/request.store.js';
import { isUuid, outsideScope, requestNotFound } from '../request-errors.js';
import { canSeeRequest, seesWholeRequest } from '../visibility.js';

export class VisibleRequests {
  constructor(
    private readonly store: RequestStore,
    private readonly sources: Pick<SourceRegistry, 'find'>,
  ) {}

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

  /** The request with its snapshot, for acting on all of it: FORBIDDEN unless the principal sees the whole request. */
  async loadWhole(id: string, principal: Principal): Promise<{ request: DataSubjectRequestEntity; records: RequestRecordEntity[] }> {
    const request = await this.loadVisible(id, principal);
    const records = await this.store.recordsOf([id]);
    await this.assertWhole(request, records, principal);
    return { request, records };
  }

  /**
   * True when the principal sees every record of the request and every source still
   * unsearched (see seesWholeRequest): the one rule every act on the whole request checks,
   * and what the request's `viewerSeesWholeRequest` field tells.
   */
  async seesWhole(request: DataSubjectRequestEntity, records: readonly Pick<RequestRecordEntity, 'controllerId'>[], principal: Principal): Promise<boolean> {
    // A source unregistered since is declared for no controller, as the request's fields show it.
    const unsearched = await Promise.all(unsearchedSources(request.discoveryOutcome).map(async (id) => (await this.sources.find(id)) ?? { controllerIds: [] }));
    return seesWholeRequest(principal, { records, unsearched });
  }

  /** FORBIDDEN unless the principal sees the whole request (seesWhole). The refusal names no record or source of another controller. */
  async assertWhole(request: DataSubjectRequestEntity, records: readonly RequestRecordEntity[], principal: Principal): Promise<void> {
    if (!(await this.seesWhole(request, records, principal))) throw outsideScope();
  }
}
