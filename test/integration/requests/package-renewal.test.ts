// Renewing the link of every package a handler may have to send again: the person's package
// while a child's access request is still erasing its online records (EXECUTING) or after it
// closed partially, and the package of records returned to their controller (R6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestStatus } from '../../../src/domain/vocabulary.js';
import { downloadPackage, issueAccessPackageLink, storeReturnedPackage } from '../../support/access-package-download.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { paramsDigest } from '../../../src/audit/chain.js';

let gw: TestGateway;
let cleared: Record<string, string>;

beforeAll(async () => {
  gw = await startTestGateway({ worker: false });
  cleared = await bearer(gw, ['HANDLER', 'SPECIAL_CATEGORY']);
}, 60_000);
afterAll(async () => gw?.stop());

interface Renewed {
  accessPackage: { downloadUrl: string | null } | null;
  returnedPackages: { controllerId: string; downloadUrl: string | null }[];
}

async function renew(requestId: string, controllerId: string | null, headers = cleared): Promise<{ data?: Renewed; code?: string }> {
  const reply = await gw.graphql<{ renewAccessPackageLink: Renewed }>(
    `mutation($id: ID!, $controllerId: String) { renewAccessPackageLink(requestId: $id, controllerId: $controllerId) {
       accessPackage { downloadUrl } returnedPackages { controllerId downloadUrl } } }`,
    { id: requestId, controllerId },
    headers,
  );
  return { data: reply.body.data?.renewAccessPackageLink, code: reply.body.errors?.[0]?.extensions?.code };
}

async function setStatus(requestId: string, status: RequestStatus): Promise<void> {
  await gw.runtime.services.dataSource.query(`UPDATE data_subject_request SET status = $2 WHERE id = $1`, [requestId, status]);
}

describe("renewing the person's access-package link", () => {
  it("R16: while a child's access request still erases its online records (EXECUTING), and after it closed PARTIALLY_COMPLETED, the handler gets a new link that downloads once", async () => {
    for (const status of [RequestStatus.EXECUTING, RequestStatus.PARTIALLY_COMPLETED]) {
      const { requestId, url } = await issueAccessPackageLink(gw.runtime.services);
      await setStatus(requestId, status);
      const renewed = await renew(requestId, null);
      expect(renewed.code, status).toBeUndefined();
      const fresh = renewed.data!.accessPackage!.downloadUrl!;
      expect(fresh).toMatch(/^\/v1\/access-packages\/open#/);
      expect(await downloadPackage(gw.url, url)).toEqual({ status: 404, code: 'PACKAGE_NOT_FOUND' });
      expect((await downloadPackage(gw.url, fresh)).status).toBe(200);
      expect(await downloadPackage(gw.url, fresh)).toEqual({ status: 410, code: 'PACKAGE_LINK_USED' });
    }
  });

  it('before execution, or once rejected or cancelled, there is no link to renew (NO_ACCESS_PACKAGE)', async () => {
    for (const status of [RequestStatus.APPROVED, RequestStatus.IN_REVIEW, RequestStatus.REJECTED, RequestStatus.CANCELLED]) {
      const { requestId } = await issueAccessPackageLink(gw.runtime.services);
      await setStatus(requestId, status);
      expect((await renew(requestId, null)).code, status).toBe('NO_ACCESS_PACKAGE');
    }
  });
});

describe('R6: renewing the link of a package returned to its controller', () => {
  it('with controllerId the controller gets a new link, listed in returnedPackages, that downloads once; the old one stops working', async () => {
    const { requestId, url } = await storeReturnedPackage(gw.runtime.services, 'EMP-1');
    const renewed = await renew(requestId, 'EMP-1');
    expect(renewed.code).toBeUndefined();
    const [returned] = renewed.data!.returnedPackages;
    expect(returned!.controllerId).toBe('EMP-1');
    expect(returned!.downloadUrl).toMatch(/^\/v1\/access-packages\/open#/);
    expect(renewed.data!.accessPackage?.downloadUrl ?? null).toBeNull();
    expect(await downloadPackage(gw.url, url)).toEqual({ status: 404, code: 'PACKAGE_NOT_FOUND' });
    expect((await downloadPackage(gw.url, returned!.downloadUrl!)).status).toBe(200);
  });

  it("without controllerId, for a controller it returned nothing to, or for a handler who does not see that controller's records: NO_ACCESS_PACKAGE, and the link stays as it was", async () => {
    const { requestId, url } = await storeReturnedPackage(gw.runtime.services, 'EMP-1', ['EMP-2']);
    expect((await renew(requestId, null)).code).toBe('NO_ACCESS_PACKAGE');
    expect((await renew(requestId, 'EMP-2')).code).toBe('NO_ACCESS_PACKAGE');
    const otherController = await bearer(gw, ['HANDLER', 'SPECIAL_CATEGORY'], ['EMP-2']);
    expect((await renew(requestId, 'EMP-1', otherController)).code).toBe('NO_ACCESS_PACKAGE');
    expect((await downloadPackage(gw.url, url)).status).toBe(200);
  });
});

describe('the audit of a renewal', () => {
  it("says which package got a new link, ids only: the person's (no controller) or the one returned to that controller (R6)", async () => {
    const s = gw.runtime.services;
    const person = await issueAccessPackageLink(s);
    const returned = await storeReturnedPackage(s, 'EMP-7');
    expect((await renew(person.requestId, null)).code).toBeUndefined();
    expect((await renew(returned.requestId, 'EMP-7')).code).toBeUndefined();
    const packageOf = async (requestId: string) =>
      ((await s.dataSource.query(`SELECT id FROM access_package WHERE request_id = $1`, [requestId])) as { id: string }[]).map((r) => r.id);
    const [personsPackage] = await packageOf(person.requestId);
    const [returnedPackage] = await packageOf(returned.requestId);
    const renewal = async (requestId: string) => {
      const { entries } = await s.audit.list({ actions: ['request.package-link'], targetId: requestId }, { first: 10 });
      expect(entries).toHaveLength(1);
      return { controllerId: entries[0]!.controllerId, paramsDigest: entries[0]!.paramsDigest };
    };
    expect(await renewal(person.requestId)).toEqual({
      controllerId: null,
      paramsDigest: paramsDigest({ packageId: personsPackage, controllerId: null }, s.keyrings.tombstone),
    });
    expect(await renewal(returned.requestId)).toEqual({
      controllerId: 'EMP-7',
      paramsDigest: paramsDigest({ packageId: returnedPackage, controllerId: 'EMP-7' }, s.keyrings.tombstone),
    });
  });
});
