import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../../support/runtime.js';
import { IdentifierType as T, RecordAction, RequestType, TaskStatus } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest, recordInaccuracyFinding, tasksOf, waitForClosed } from '../../support/requests-fixture.js';
import { startGatewayWithForeignCrm, type ForeignDatabase } from '../connectors/foreign-crm.js';

// R14 at the moment of action: a connector's `correct` carries no mode, so an annotation is
// sent only to a source that says itself it annotates. A team's own database registered as
// a clinic through the generic SQL connector does not: its medical record keeps its value
// (real PostgreSQL and Redis).
describe('R14: an annotation is never sent to a source that would overwrite', () => {
  let gw: TestGateway;
  let crm: ForeignDatabase;

  beforeAll(async () => {
    ({ gw, crm } = await startGatewayWithForeignCrm((config) => ({ ...config, kind: 'CLINIC' })));
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await crm?.drop();
  });

  it('R14: an ANNOTATE on a clinic-kind source whose connector does not say it annotates overwrites nothing; the task fails with the reason and the request closes PARTIALLY_COMPLETED', async () => {
    const s = gw.runtime.services;
    const [before] = await crm.query<{ surname: string }>(`SELECT surname FROM crm.customers WHERE cust_no = 2`);
    const requestId = await insertApprovedRequest(s, {
      type: RequestType.RECTIFICATION,
      identifiers: [{ type: T.EMAIL, value: 'annotated@example.org' }],
      corrections: [{ field: 'surname', value: 'Overwritten', reason: 'the person showed evidence' }],
      decisions: [{ sourceId: 'crm', recordId: 'customer:2', recordType: 'customer', action: RecordAction.ANNOTATE }],
    });
    await recordInaccuracyFinding(s, requestId, ['surname']);
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId, 30_000)).toBe('PARTIALLY_COMPLETED');
    const [task] = await tasksOf(s, requestId);
    expect([task!.status, task!.applied_count]).toEqual([TaskStatus.FAILED, 0]);
    expect(task!.last_error).toMatch(/NOT_SUPPORTED: ANNOTATE refused, the source does not say it annotates its records/);
    expect(await crm.query(`SELECT surname FROM crm.customers WHERE cust_no = 2`)).toEqual([before]);
  }, 60_000);
});
