import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../../support/runtime.js';
import { IdentifierType as T, RecordAction, RequestType, TaskStatus } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest, recordInaccuracyFinding, tasksOf, waitForClosed } from '../../support/requests-fixture.js';
import { QueueNames } from '../../../jobs/queue-names.js';
import { crmSourceConfig, startGatewayWithForeignCrm, type ForeignDatabase } from '../connectors/foreign-crm.js';

// R14 at the moment of action: a source re-registered, while a correction waits in the queue,
// as one whose records are medical (a clinic's: annotated, never overwritten) keeps the
// original value; the correction decided when it was not is not carried out
// (real PostgreSQL and Redis, a team's own database through the generic SQL connector).
describe('R14: a correction queued before its source became one that annotates', () => {
  let gw: TestGateway;
  let crm: ForeignDatabase;

  beforeAll(async () => {
    ({ gw, crm } = await startGatewayWithForeignCrm());
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await crm?.drop();
  });

  it('R14: a CORRECT whose source is re-registered as a clinic before the task runs overwrites nothing; the task fails with the reason and the request closes PARTIALLY_COMPLETED', async () => {
    const s = gw.runtime.services;
    const [before] = await crm.query<{ surname: string }>(`SELECT surname FROM crm.customers WHERE cust_no = 2`);
    const requestId = await insertApprovedRequest(s, {
      type: RequestType.RECTIFICATION,
      identifiers: [{ type: T.EMAIL, value: 'corrected@example.org' }],
      corrections: [{ field: 'surname', value: 'Overwritten', reason: 'the person showed evidence' }],
      decisions: [{ sourceId: 'crm', recordId: 'customer:2', recordType: 'customer', action: RecordAction.CORRECT }],
    });
    await recordInaccuracyFinding(s, requestId, ['surname']);
    const queue = s.execution.queue(QueueNames.sourceTasks('crm'));
    await queue.pause();
    try {
      await s.execution.execute(requestId, 'handler');
      // The team tells the gateway its records are patient records (a clinic's).
      await s.sources.register({ ...crmSourceConfig(crm.url), kind: 'CLINIC' }, 'test');
    } finally {
      await queue.resume();
    }
    expect(await waitForClosed(s, requestId, 30_000)).toBe('PARTIALLY_COMPLETED');
    const [task] = await tasksOf(s, requestId);
    expect([task!.status, task!.applied_count]).toEqual([TaskStatus.FAILED, 0]);
    expect(task!.last_error).toMatch(/INVALID_ACTION: CORRECT refused, the source’s records are annotated, never overwritten \(R14\)/);
    expect(await crm.query(`SELECT surname FROM crm.customers WHERE cust_no = 2`)).toEqual([before]);
  }, 60_000);
});
