import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { IdentifierType as T, RecordAction } from '../../../src/domain/vocabulary.js';
import { FinaliseBatches, type Closing } from '../../../src/execution/finalise-batches.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';

// Requests finishing together are read and closed in one go; each closes only from
// EXECUTING, so a request another finaliser already closed is left as it is.
describe('closing finished requests together', () => {
  let gw: TestGateway;
  let batches: FinaliseBatches;

  beforeAll(async () => {
    gw = await startTestGateway({ worker: false });
    const s = gw.runtime.services;
    batches = new FinaliseBatches({ ...s, settings: s.execution.settings });
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
  });

  async function executingRequest(n: number, status = 'EXECUTING'): Promise<string> {
    const s = gw.runtime.services;
    const id = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: `close-${n}@example.org` }],
      decisions: [{ sourceId: 'case_management', recordId: `CASE-${n}`, action: RecordAction.ERASE }],
    });
    await s.dataSource.query(`UPDATE data_subject_request SET status = $2 WHERE id = $1`, [id, status]);
    return id;
  }

  const closing = (requestId: string, complete: boolean): Closing => ({
    requestId,
    event: complete ? 'complete' : 'completePartially',
    actor: 'system:worker',
    at: new Date(),
    reason: complete ? null : 'task failed',
    response: { requestId, complete },
    verifiedTaskIds: [],
    audit: {
      actor: { id: 'system:worker', kind: 'worker' },
      action: complete ? 'request.complete' : 'request.complete-partially',
      target: { type: 'request', id: requestId },
      outcome: complete ? 'SUCCESS' : 'FAILED',
    },
  });

  it('reads every request of a batch with its own tasks, snapshot and decisions', async () => {
    const [a, b] = [await executingRequest(1), await executingRequest(2)];
    const [ra, rb] = await batches.reads.loadMany([a, b]);
    expect(ra).toMatchObject({ request: { id: a, status: 'EXECUTING' }, decisions: [{ record_id: 'CASE-1' }] });
    expect(rb).toMatchObject({ request: { id: b }, decisions: [{ record_id: 'CASE-2' }] });
    expect([...(rb as { recordTypes: Map<string, string> }).recordTypes.keys()]).toEqual(['case_management/CASE-2']);
  });

  it('closes each request from EXECUTING with its transition, response and audit entry, and leaves one closed elsewhere alone', async () => {
    const s = gw.runtime.services;
    const done = await executingRequest(3);
    const partial = await executingRequest(4);
    const closedElsewhere = await executingRequest(5, 'COMPLETED');
    const answers = await Promise.all([closing(done, true), closing(partial, false), closing(closedElsewhere, true)].map((c) => batches.closings.load(c)));
    expect(answers).toEqual([true, true, false]);
    const rows = await s.dataSource.query(`SELECT id, status, response FROM data_subject_request WHERE id = ANY($1::uuid[])`, [
      [done, partial, closedElsewhere],
    ]);
    const byId = new Map(rows.map((r: { id: string }) => [r.id, r]));
    expect(byId.get(done)).toMatchObject({ status: 'COMPLETED', response: { complete: true } });
    expect(byId.get(partial)).toMatchObject({ status: 'PARTIALLY_COMPLETED', response: { complete: false } });
    expect(byId.get(closedElsewhere)).toMatchObject({ status: 'COMPLETED', response: null });
    const transitions = await s.dataSource.query(
      `SELECT request_id, from_status, to_status, reason FROM request_transition WHERE request_id = ANY($1::uuid[]) AND from_status = 'EXECUTING' ORDER BY to_status`,
      [[done, partial, closedElsewhere]],
    );
    expect(transitions).toEqual([
      { request_id: done, from_status: 'EXECUTING', to_status: 'COMPLETED', reason: null },
      { request_id: partial, from_status: 'EXECUTING', to_status: 'PARTIALLY_COMPLETED', reason: 'task failed' },
    ]);
    const audited = await s.audit.list({ actions: ['request.complete', 'request.complete-partially'] });
    expect(audited.entries.map((e) => e.targetId).sort()).toEqual([done, partial].sort());
  });
});
