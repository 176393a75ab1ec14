import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../../support/runtime.js';
import { IdentifierType as T, RecordAction, RequestType } from '../../../src/domain/vocabulary.js';
import { answerDueAt } from '../../../src/requests/deadlines.js';
import { insertApprovedRequest, requestStatus, waitForClosed } from '../../support/requests-fixture.js';
import { startGatewayWithForeignCrm, type ForeignDatabase } from '../connectors/foreign-crm.js';

// R3, R4: the answer the finaliser writes gives the person's days where the request is
// handled (its jurisdiction's calendar, as the deadlines are counted), not UTC days
// (real PostgreSQL and Redis, a team's own database through the generic SQL connector).
describe('R3, R4: the days in the answer to the person', () => {
  let gw: TestGateway;
  let crm: ForeignDatabase;

  beforeAll(async () => {
    ({ gw, crm } = await startGatewayWithForeignCrm());
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await crm?.drop();
  });

  it('R3, R4: a request received in New York late in the evening (already the next day in UTC) is answered with New York days: received, verified and the date owed', async () => {
    const s = gw.runtime.services;
    const requestId = await insertApprovedRequest(s, {
      type: RequestType.RESTRICTION,
      identifiers: [{ type: T.EMAIL, value: 'evening@example.org' }],
      decisions: [{ sourceId: 'crm', recordId: 'customer:3', recordType: 'customer', action: RecordAction.RESTRICT }],
    });
    const receivedAt = new Date('2026-03-10T02:30:00Z'); // 22:30 on 9 March in New York
    const dueAt = answerDueAt(receivedAt, receivedAt, 'US-NY'); // the end of 8 April there
    await s.dataSource.query(`UPDATE data_subject_request SET jurisdiction = 'US-NY', received_at = $2, verified_at = $2, due_at = $3 WHERE id = $1`, [
      requestId,
      receivedAt,
      dueAt,
    ]);
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId, 30_000)).toBe('COMPLETED');
    const letter = String((await requestStatus(s, requestId)).response!.letter);
    expect(letter).toContain(
      'On 2026-03-09 you asked us for the restriction of the processing of your personal data. We confirmed your identity on 2026-03-09.',
    );
    expect(letter).toContain('after the date we owed it to you (2026-04-08)');
  }, 60_000);

  it('R5: an extended request closed by the finaliser tells the person it was extended, to which New York day, and why', async () => {
    const s = gw.runtime.services;
    const requestId = await insertApprovedRequest(s, {
      type: RequestType.RESTRICTION,
      identifiers: [{ type: T.EMAIL, value: 'evening@example.org' }],
      decisions: [{ sourceId: 'crm', recordId: 'customer:3', recordType: 'customer', action: RecordAction.RESTRICT }],
    });
    const receivedAt = new Date('2026-03-10T02:30:00Z'); // 22:30 on 9 March in New York
    const dueAt = answerDueAt(receivedAt, receivedAt, 'US-NY'); // the end of 8 April there
    const extendedDueAt = new Date('2026-06-09T03:59:59.999Z'); // the end of 8 June there
    await s.dataSource.query(
      `UPDATE data_subject_request SET jurisdiction = 'US-NY', received_at = $2, verified_at = $2, due_at = $3, extended_due_at = $4, extension_reason = 'several systems to search' WHERE id = $1`,
      [requestId, receivedAt, dueAt, extendedDueAt],
    );
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId, 30_000)).toBe('COMPLETED');
    const letter = String((await requestStatus(s, requestId)).response!.letter);
    expect(letter).toContain('We extended the time to answer from 2026-04-08 to 2026-06-08, as we told you, because: several systems to search.');
  }, 60_000);
});
