// Stopping an access package once it was built (R13: one person's data must not reach
// another): the identity proved false after the package was issued, or the link went to the
// wrong address. Over GraphQL and the real download route, on PostgreSQL and Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paramsDigest } from '../../../src/audit/chain.js';
import { RequestStatus, RequestType } from '../../../src/domain/vocabulary.js';
import { downloadPackage, issueAccessPackageLink, storeReturnedPackage } from '../../support/access-package-download.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';

let gw: TestGateway;
let handler: Record<string, string>;

beforeAll(async () => {
  gw = await startTestGateway({ worker: false });
  // Revoking shows nothing of the package: no special-category clearance needed.
  handler = await bearer(gw, ['HANDLER']);
}, 60_000);
afterAll(async () => gw?.stop());

interface Pkg {
  controllerId?: string;
  destroyedAt: string | null;
  destroyedReason: string | null;
  revocationReason: string | null;
  downloadAllowed?: boolean;
}
interface Req {
  id: string;
  status: string;
  accessPackage: Pkg | null;
  returnedPackages: Pkg[];
}
const FIELDS = `id status accessPackage { destroyedAt destroyedReason revocationReason downloadAllowed }
  returnedPackages { controllerId destroyedAt destroyedReason revocationReason }`;

async function revoke(requestId: string, reason: string, controllerId: string | null = null, headers = handler): Promise<{ data?: Req; code?: string }> {
  const reply = await gw.graphql<{ revokeAccessPackage: Req }>(
    `mutation($id: ID!, $controllerId: String, $reason: String!) { revokeAccessPackage(requestId: $id, controllerId: $controllerId, reason: $reason) { ${FIELDS} } }`,
    { id: requestId, controllerId, reason },
    headers,
  );
  return { data: reply.body.data?.revokeAccessPackage ?? undefined, code: reply.body.errors?.[0]?.extensions?.code as string | undefined };
}

async function renewCode(requestId: string, controllerId: string | null = null): Promise<string | undefined> {
  const cleared = await bearer(gw, ['HANDLER', 'SPECIAL_CATEGORY']);
  const reply = await gw.graphql(
    `mutation($id: ID!, $controllerId: String) { renewAccessPackageLink(requestId: $id, controllerId: $controllerId) { id } }`,
    { id: requestId, controllerId },
    cleared,
  );
  return reply.body.errors?.[0]?.extensions?.code as string | undefined;
}

async function packageRow(requestId: string): Promise<{ id: string; archive_sealed: string | null; destroyed_reason: string | null }> {
  const [row] = (await gw.runtime.services.dataSource.query(`SELECT id, archive_sealed, destroyed_reason FROM access_package WHERE request_id = $1`, [
    requestId,
  ])) as { id: string; archive_sealed: string | null; destroyed_reason: string | null }[];
  return row!;
}

describe("revoking the person's access package", () => {
  it('the link stops at once and answers as an expired link, the archive is destroyed, renewal is refused, the request page shows why', async () => {
    const { requestId, url } = await issueAccessPackageLink(gw.runtime.services);
    const revoked = await revoke(requestId, 'identity proved false: forged passport');
    expect(revoked.code).toBeUndefined();
    expect(revoked.data!.accessPackage).toMatchObject({
      destroyedReason: 'REVOKED',
      revocationReason: 'identity proved false: forged passport',
      downloadAllowed: false,
    });
    expect(revoked.data!.accessPackage!.destroyedAt).not.toBeNull();
    // No hint of why: exactly what an expired link answers.
    expect(await downloadPackage(gw.url, url)).toEqual({ status: 410, code: 'PACKAGE_LINK_EXPIRED' });
    expect(await packageRow(requestId)).toMatchObject({ archive_sealed: null, destroyed_reason: 'REVOKED' });
    expect(await renewCode(requestId)).toBe('PACKAGE_DESTROYED');
    // The request itself stays as it was answered.
    expect(revoked.data!.status).toBe('COMPLETED');
  });

  it('a link already used answers as a used link after revocation; the archive goes all the same', async () => {
    const { requestId, url } = await issueAccessPackageLink(gw.runtime.services);
    expect((await downloadPackage(gw.url, url)).status).toBe(200);
    expect((await revoke(requestId, 'sent to the wrong address')).code).toBeUndefined();
    expect(await downloadPackage(gw.url, url)).toEqual({ status: 410, code: 'PACKAGE_LINK_USED' });
    expect((await packageRow(requestId)).archive_sealed).toBeNull();
  });

  it('is audited with ids only: the package and the controller (none for the person), never the reason in clear', async () => {
    const s = gw.runtime.services;
    const { requestId } = await issueAccessPackageLink(s);
    expect((await revoke(requestId, 'identity proved false')).code).toBeUndefined();
    const { id: packageId } = await packageRow(requestId);
    const { entries } = await s.audit.list({ actions: ['request.package-revoked'], targetId: requestId }, { first: 10 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      controllerId: null,
      outcome: 'SUCCESS',
      paramsDigest: paramsDigest({ packageId, controllerId: null }, s.keyrings.tombstone),
    });
  });

  it('needs a reason (REASON_REQUIRED), is refused twice (PACKAGE_DESTROYED) and before any package exists (NO_ACCESS_PACKAGE); the link keeps working meanwhile', async () => {
    const { requestId, url } = await issueAccessPackageLink(gw.runtime.services);
    expect((await revoke(requestId, '   ')).code).toBe('REASON_REQUIRED');
    const approved = await insertApprovedRequest(gw.runtime.services, {
      type: RequestType.ACCESS,
      status: RequestStatus.APPROVED,
      identifiers: [],
      decisions: [],
    });
    expect((await revoke(approved, 'no package yet')).code).toBe('NO_ACCESS_PACKAGE');
    expect((await downloadPackage(gw.url, url)).status).toBe(200);
    expect((await revoke(requestId, 'identity proved false')).code).toBeUndefined();
    expect((await revoke(requestId, 'again')).code).toBe('PACKAGE_DESTROYED');
  });

  it('an auditor (no request:write) may not revoke: FORBIDDEN, and the link still works', async () => {
    const { requestId, url } = await issueAccessPackageLink(gw.runtime.services);
    const auditor = await bearer(gw, ['AUDITOR']);
    expect((await revoke(requestId, 'identity proved false', null, auditor)).code).toBe('FORBIDDEN');
    expect((await downloadPackage(gw.url, url)).status).toBe(200);
  });
});

describe('rejecting a completed request', () => {
  it('is refused (INVALID_TRANSITION) and points to revokeAccessPackage; the package is untouched', async () => {
    const { requestId, url } = await issueAccessPackageLink(gw.runtime.services);
    const reply = await gw.graphql(`mutation($id: ID!) { rejectRequest(requestId: $id, reason: "identity proved false") { id } }`, { id: requestId }, handler);
    const error = reply.body.errors?.[0];
    expect(error?.extensions?.code).toBe('INVALID_TRANSITION');
    expect(error?.message).toMatch(/revokeAccessPackage/);
    expect((await downloadPackage(gw.url, url)).status).toBe(200);
  });
});

describe('R6: revoking a package returned to its controller', () => {
  it("with controllerId, scoped like a renewal: a handler who does not see that controller's records gets NO_ACCESS_PACKAGE; one who does revokes it", async () => {
    const { requestId, url } = await storeReturnedPackage(gw.runtime.services, 'EMP-31', ['EMP-32']);
    const otherController = await bearer(gw, ['HANDLER'], ['EMP-32']);
    expect((await revoke(requestId, 'sent to the wrong employer', 'EMP-31', otherController)).code).toBe('NO_ACCESS_PACKAGE');
    expect((await revoke(requestId, 'sent to the wrong employer', null)).code).toBe('NO_ACCESS_PACKAGE');
    const revoked = await revoke(requestId, 'sent to the wrong employer', 'EMP-31');
    expect(revoked.code).toBeUndefined();
    expect(revoked.data!.returnedPackages.find((p) => p.controllerId === 'EMP-31')).toMatchObject({
      destroyedReason: 'REVOKED',
      revocationReason: 'sent to the wrong employer',
    });
    expect(await downloadPackage(gw.url, url)).toEqual({ status: 410, code: 'PACKAGE_LINK_EXPIRED' });
    expect(await renewCode(requestId, 'EMP-31')).toBe('PACKAGE_DESTROYED');
    const { entries } = await gw.runtime.services.audit.list({ actions: ['request.package-revoked'], targetId: requestId }, { first: 10 });
    expect(entries.map((e) => e.controllerId)).toEqual(['EMP-31']);
  });
});
