// A package returned to a controller (R6) and a later erasure of the same person: the
// controller's copy is not lost before the controller downloaded it. Real PostgreSQL and
// Redis, the erasure's closing step and the real download route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterErasureClosed } from '../../../src/requests/services/erasure-aftermath.js';
import { RecordAction, RequestStatus, RequestType } from '../../../src/domain/vocabulary.js';
import { downloadPackage, storeReturnedPackage } from '../../support/access-package-download.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ worker: false });
}, 60_000);
afterAll(async () => gw?.stop());

async function packageRow(requestId: string): Promise<{ archive_sealed: string | null; destroyed_reason: string | null }> {
  const [row] = (await gw.runtime.services.dataSource.query(`SELECT archive_sealed, destroyed_reason FROM access_package WHERE request_id = $1`, [
    requestId,
  ])) as { archive_sealed: string | null; destroyed_reason: string | null }[];
  return row!;
}

describe('R6: a later erasure of the same person and the package returned to a controller', () => {
  it("does not destroy the controller's copy before the controller downloaded it; once downloaded, the sweep destroys it (R10)", async () => {
    const s = gw.runtime.services;
    const first = await storeReturnedPackage(s, 'EMP-41');
    // A second erasure of the same person (a shared unique identifier) closes after the package was built.
    const second = await insertApprovedRequest(s, {
      type: RequestType.ERASURE,
      status: RequestStatus.COMPLETED,
      identifiers: [],
      decisions: [{ sourceId: 'crm', recordId: 'C-41', action: RecordAction.ERASE }],
    });
    const shared = `EMAIL.${second.replaceAll('-', '')}`;
    await s.dataSource.query(`UPDATE data_subject_request SET blind_index = $2 WHERE id = ANY($1::uuid[])`, [[first.requestId, second], [shared]]);
    await s.dataSource.query(
      `INSERT INTO request_transition (request_id, from_status, to_status, event, actor, at) VALUES ($1, 'EXECUTING', 'COMPLETED', 'complete', 'test', now() + interval '1 second')`,
      [second],
    );
    await afterErasureClosed({ dataSource: s.dataSource, stores: s.stores, audit: s.audit, logger: s.logger }, second, new Date(Date.now() + 2000));
    expect((await packageRow(first.requestId)).destroyed_reason).toBeNull();
    expect((await downloadPackage(gw.url, first.url)).status).toBe(200);
    await s.requests.packages.sweep(new Date(Date.now() + 3000));
    expect(await packageRow(first.requestId)).toMatchObject({ archive_sealed: null, destroyed_reason: 'ERASURE_COMPLETED' });
  });
});
