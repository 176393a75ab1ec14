import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { IdentifierType as T, RecordAction } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';

// A page of requests loads each kind of child (records, decisions, tasks, transitions)
// for every request of the page at once; each request still gets exactly its own.
describe('request lists with their children', () => {
  let gw: TestGateway;
  let headers: Record<string, string>;
  const made: { id: string; records: string[]; tasks: string[] }[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ worker: false });
    headers = await bearer(gw, ['HANDLER']);
    const s = gw.runtime.services;
    for (let n = 0; n < 4; n++) {
      const records = Array.from({ length: n + 1 }, (_, i) => `REC-${n}-${i}`);
      const id = await insertApprovedRequest(s, {
        identifiers: [{ type: T.EMAIL, value: `list-${n}@example.org` }],
        decisions: records.map((recordId) => ({ sourceId: 'case_management', recordId, action: RecordAction.ERASE })),
      });
      // Every other request has been executed: it has tasks and one more transition.
      const tasks = n % 2 ? records.slice(0, n) : [];
      if (tasks.length > 0) {
        await s.dataSource.query(`INSERT INTO task (request_id, source_id, record_id, action, status) SELECT $1, 'case_management', r, 'ERASE', 'QUEUED' FROM unnest($2::text[]) AS r`, [id, tasks]);
        await s.dataSource.query(`INSERT INTO request_transition (request_id, from_status, to_status, event, actor, at) VALUES ($1, 'APPROVED', 'EXECUTING', 'startExecution', 'test', now())`, [id]);
      }
      made.push({ id, records, tasks });
    }
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('every request of a page shows its own records, decisions, tasks and transitions, in order', async () => {
    type Node = { id: string; records: { recordId: string }[]; decisions: { recordId: string }[]; tasks: { recordId: string }[]; transitions: { to: string }[] };
    const reply = await gw.graphql<{ requests: { nodes: Node[] } }>(
      `{ requests(first: 50) { nodes { id records { recordId } decisions { recordId } tasks { recordId } transitions { to } } } }`,
      {},
      headers,
    );
    expect(reply.body.errors).toBeUndefined();
    const nodes = new Map(reply.body.data!.requests.nodes.map((n) => [n.id, n]));
    for (const m of made) {
      const node = nodes.get(m.id)!;
      expect(node.records.map((r) => r.recordId)).toEqual(m.records);
      expect(node.decisions.map((d) => d.recordId)).toEqual(m.records);
      expect(node.tasks.map((t) => t.recordId)).toEqual(m.tasks);
      expect(node.transitions.map((t) => t.to)).toEqual(m.tasks.length > 0 ? ['APPROVED', 'EXECUTING'] : ['APPROVED']);
    }
  });
});
