// An erasure rejected while it executes (the identity documents were forged) withdraws its own tombstones: the feeds that ask before creating a person are no longer
// told the real person was erased. A completed erasure of the same person keeps its
// tombstones, also where it shares them with the rejected one. No worker runs here, so the
// rejected request's tasks are still queued when the handler rejects it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identifier } from '../../../connectors/contract.js';
import { IdentifierType as T, RequestStatus } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';

let gw: TestGateway;
let handler: Record<string, string>;
let connector: Record<string, string>;

beforeAll(async () => {
  gw = await startTestGateway({ worker: false });
  handler = await bearer(gw, ['HANDLER']);
  connector = await bearer(gw, ['CONNECTOR']);
}, 60_000);
afterAll(async () => gw?.stop());

/** An erasure approved and started: its tombstones written, its task queued, nothing run. */
async function executing(identifiers: Identifier[], recordId: string): Promise<string> {
  const { services } = gw.runtime;
  const id = await insertApprovedRequest(services, { identifiers, decisions: [{ sourceId: 'crm', recordId, action: 'ERASE' }] });
  await services.execution.execute(id, 'test');
  return id;
}

async function status(id: string): Promise<string> {
  const [row] = await gw.runtime.services.dataSource.query(`SELECT status FROM data_subject_request WHERE id = $1`, [id]);
  return (row as { status: string }).status;
}

/** The recreation guard as a source feed asks it (POST /v1/tombstones/check). */
async function guard(identifiers: Identifier[]): Promise<{ tombstoned: boolean; requestId: string | null }[]> {
  const res = await fetch(`${gw.url}/v1/tombstones/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...connector },
    body: JSON.stringify({ identifiers }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { tombstoned: boolean; requestId: string | null }[] }).results;
}

async function act(call: 'rejectRequest', id: string): Promise<string> {
  const reply = await gw.graphql<Record<string, { status: string }>>(
    `mutation($id: ID!, $reason: String!) { ${call}(requestId: $id, reason: $reason) { status } }`,
    { id, reason: 'the identity documents were found to be forged' },
    handler,
  );
  const data = reply.body.data?.[call];
  if (!data) throw new Error(`${call} failed: ${JSON.stringify(reply.body.errors)}`);
  return data.status;
}

describe('R10/R11: tombstones of a refused erasure', () => {
  it('a request rejected while executing withdraws its tombstones; a completed erasure of the same person keeps its own', async () => {
    const onlyForged: Identifier[] = [{ type: T.EMAIL, value: 'real.person@example.org' }];
    const shared: Identifier = { type: T.PHONE, value: '+44 20 7946 0555' };
    const forged = await executing([...onlyForged, shared], 'c-forged');
    expect(await status(forged)).toBe(RequestStatus.EXECUTING);
    // The person's own erasure, started after the forged one: its phone's tombstone is shared.
    const genuine = await executing([shared, { type: T.EMAIL, value: 'asked.herself@example.org' }], 'c-genuine');
    await gw.runtime.services.dataSource.query(`UPDATE data_subject_request SET status = 'COMPLETED' WHERE id = $1`, [genuine]);
    expect((await guard([...onlyForged, shared])).map((r) => r.tombstoned)).toEqual([true, true]);

    expect(await act('rejectRequest', forged)).toBe(RequestStatus.REJECTED);

    const [email, phone] = await guard([...onlyForged, shared]);
    expect(email).toEqual({ type: 'EMAIL', tombstoned: false, requestId: null });
    expect(phone).toEqual({ type: 'PHONE', tombstoned: true, requestId: genuine });
    // Audited with a count only (the entry keeps ids and a digest of its parameters).
    const audited = await gw.runtime.services.dataSource.query(`SELECT 1 FROM audit_log WHERE action = 'tombstone.withdraw' AND target_id = $1`, [forged]);
    expect(audited).toHaveLength(1);
  }, 60_000);

  it('a request rejected after one of its tasks erased a record keeps its tombstones (that record must not come back), audited with the counts', async () => {
    const identifiers: Identifier[] = [{ type: T.EMAIL, value: 'partly.erased@example.org' }];
    const id = await executing(identifiers, 'c-partly');
    // The task ran before the rejection: the source erased the record.
    await gw.runtime.services.dataSource.query(`UPDATE task SET status = 'SUCCEEDED', outcome = 'APPLIED', applied_count = 1 WHERE request_id = $1`, [id]);

    expect(await act('rejectRequest', id)).toBe(RequestStatus.REJECTED);

    expect((await guard(identifiers)).map((r) => [r.tombstoned, r.requestId])).toEqual([[true, id]]);
    const audited = await gw.runtime.services.dataSource.query(`SELECT action FROM audit_log WHERE action LIKE 'tombstone.%' AND target_id = $1 ORDER BY seq`, [
      id,
    ]);
    expect(audited.map((r: { action: string }) => r.action)).toEqual(['tombstone.write', 'tombstone.kept']);
  }, 60_000);
});
