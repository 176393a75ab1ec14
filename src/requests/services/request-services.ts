// The request lifecycle, one service per use case over the stores (built once in
// src/app/build-services.ts): intake, verification, review, approval and the request actions.
import { AccessPackageService } from './access-package.service.js';
import { createDeadlineScan, type DeadlineFlags } from './deadline-scan.js';
import { RecordDecisions } from './record-decisions.js';
import type { RequestContext, RequestDeps } from './request-context.js';
import { RequestActionsService } from './request-actions.service.js';
import { RequestApprovalService } from './request-approval.service.js';
import { RequestIntakeService } from './request-intake.service.js';
import { RequestReviewService } from './request-review.service.js';
import { RequestSecrets } from './request-secrets.js';
import type { RequestSettings } from './request-settings.js';
import { RequestVerificationService } from './request-verification.service.js';
import { VisibleRequests } from './visible-requests.js';

export interface RequestServices {
  /** Reading: the request this principal may see. */
  visible: VisibleRequests;
  intake: RequestIntakeService;
  verification: RequestVerificationService;
  review: RequestReviewService;
  approval: RequestApprovalService;
  actions: RequestActionsService;
  packages: AccessPackageService;
  secrets: RequestSecrets;
  settings: RequestSettings;
  /** The scheduled scan: ids of overdue and due-soon requests (a job calls it). */
  flagDeadlines: (now?: Date) => Promise<DeadlineFlags>;
}

export function createRequestServices(deps: RequestDeps): RequestServices {
  const now = deps.now ?? (() => new Date());
  const secrets = new RequestSecrets(deps.keyrings.encryption, deps.keyrings.tombstone);
  const ctx: RequestContext = {
    deps,
    now,
    secrets,
    visible: new VisibleRequests(deps.stores.requests, deps.sources),
    decisions: new RecordDecisions(deps, secrets),
    packages: new AccessPackageService({ ...deps, now }),
  };
  return {
    visible: ctx.visible,
    intake: new RequestIntakeService(ctx),
    verification: new RequestVerificationService(ctx),
    review: new RequestReviewService(ctx),
    approval: new RequestApprovalService(ctx),
    actions: new RequestActionsService(ctx),
    packages: ctx.packages,
    secrets,
    settings: deps.settings,
    flagDeadlines: createDeadlineScan({ store: deps.stores.requests, logger: deps.logger, dueSoonDays: deps.settings.deadlines.dueSoonDays }),
  };
}
