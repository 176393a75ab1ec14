// Access-package links in tests: one issued for a stored package without running a whole
// request, and the download as the link's page does it (the token from the link's fragment,
// POSTed as JSON to /v1/access-packages/download).
import type { Services } from '../../src/app/services.js';
import { Role } from '../../src/auth/roles.js';
import { EVERY_CONTROLLER } from '../../src/auth/principal.js';
import { RecordAction, RequestStatus, RequestType } from '../../src/domain/vocabulary.js';
import { buildAccessPackage } from '../../src/requests/access-package.js';
import { insertApprovedRequest } from './requests-fixture.js';

/** A completed ACCESS request with a stored (empty) package; its link as executeRequest answers it. */
export async function issueAccessPackageLink(services: Services): Promise<{ requestId: string; url: string; token: string; sha256: string }> {
  const requestId = await insertApprovedRequest(services, { type: RequestType.ACCESS, status: RequestStatus.COMPLETED, identifiers: [], decisions: [] });
  const now = new Date();
  const pkg = buildAccessPackage({ requestId, generatedAt: now, verifiedAt: now, sources: [], canSeeSpecialCategories: true });
  const principal = { kind: 'api-key' as const, id: 'test-handler', roles: [Role.HANDLER, Role.SPECIAL_CATEGORY], controllers: EVERY_CONTROLLER };
  const link = await services.dataSource.transaction((m) => services.requests.packages.store(m, requestId, pkg, now, principal));
  return { requestId, url: link!.url, token: link!.token, sha256: pkg.sha256 };
}

/** An erasure whose records of `controllerId` were returned to it in their own package (R6). */
export async function storeReturnedPackage(services: Services, controllerId: string, alsoHolding: string[] = []): Promise<{ requestId: string; url: string }> {
  const requestId = await insertApprovedRequest(services, {
    type: RequestType.ERASURE,
    status: RequestStatus.COMPLETED,
    identifiers: [],
    decisions: [{ sourceId: 'clinic', recordId: 'OH-1', action: RecordAction.ERASE }],
  });
  await services.dataSource.query(`UPDATE request_record SET controller_id = $2 WHERE request_id = $1`, [requestId, controllerId]);
  await services.dataSource.query(`UPDATE data_subject_request SET controller_ids = $2 WHERE id = $1`, [requestId, [controllerId, ...alsoHolding]]);
  const now = new Date();
  const pkg = buildAccessPackage({ requestId, generatedAt: now, verifiedAt: now, sources: [], canSeeSpecialCategories: true });
  const principal = { kind: 'api-key' as const, id: 'test-handler', roles: [Role.HANDLER, Role.SPECIAL_CATEGORY], controllers: EVERY_CONTROLLER };
  const link = await services.dataSource.transaction((m) => services.requests.packages.store(m, requestId, pkg, now, principal, controllerId));
  return { requestId, url: link!.url };
}

/** The token a download link carries (after `#`). */
export function tokenOfLink(downloadUrl: string): string {
  const hash = downloadUrl.indexOf('#');
  if (hash < 0) throw new Error(`not a download link: ${downloadUrl}`);
  return downloadUrl.slice(hash + 1);
}

/** The POST the link's page sends; `gatewayUrl` is where the gateway listens. */
export async function postDownload(gatewayUrl: string, downloadUrl: string): Promise<Response> {
  return fetch(`${gatewayUrl}/v1/access-packages/download`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: tokenOfLink(downloadUrl) }),
  });
}

/** The package's bytes (200), or the status and error code of the refusal. */
export async function downloadPackage(gatewayUrl: string, downloadUrl: string): Promise<{ status: number; code?: string; bytes?: Uint8Array }> {
  const res = await postDownload(gatewayUrl, downloadUrl);
  if (res.status === 200) return { status: 200, bytes: new Uint8Array(await res.arrayBuffer()) };
  return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
}
