import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { ControllerDecision, IdentifierType as T, RecordAction } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';

// A page of requests loads each kind of child (records, decisions, tasks, transitions,
// controller instructions, access packages, the duplicates it may see) for every request
// of the page at once; each request still gets exactly its own.
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
        await s.stores.tasks.insertPlanned(
          id,
          tasks.map((recordId) => ({ sourceId: 'case_management', recordId, action: RecordAction.ERASE })),
          s.dataSource.manager,
        );
        // The transition alone (the request stays APPROVED): the store only writes one with its move.
        await s.dataSource.query(
          `INSERT INTO request_transition (request_id, from_status, to_status, event, actor, at) VALUES ($1, 'APPROVED', 'EXECUTING', 'startExecution', 'test', now())`,
          [id],
        );
      }
      made.push({ id, records, tasks });
    }
    // Request 1 and 3: their records' controller gave an instruction. Request 2: an access
    // package (two versions: the latest shows). Request 3: a possible duplicate of request 0.
    for (const n of [1, 3]) {
      await s.dataSource.query(`UPDATE request_record SET controller_id = 'ctl-acme' WHERE request_id = $1`, [made[n]!.id]);
      await s.stores.requests.upsertInstruction(s.dataSource.manager, {
        requestId: made[n]!.id,
        sourceId: 'case_management',
        controllerId: 'ctl-acme',
        decision: ControllerDecision.PROCEED,
        reference: `REF-${n}`,
        actor: 'test',
        at: new Date(),
      });
    }
    for (const [sha, age] of [
      ['old-sha', '2 days'],
      ['new-sha', '1 day'],
    ]) {
      await s.dataSource.query(
        `INSERT INTO access_package (request_id, sha256, size_bytes, archive_sealed, manifest, token_hash, expires_at, created_at, retain_until)
         VALUES ($1, $2, 10, 'sealed', '{"files":[{"path":"a.json","sha256":"x","bytes":10}]}', $2, now() + interval '7 days', now() - $3::interval, now() + interval '20 days')`,
        [made[2]!.id, sha, age],
      );
    }
    await s.dataSource.query(`UPDATE data_subject_request SET possible_duplicate_of = ARRAY[$2::uuid] WHERE id = $1`, [made[3]!.id, made[0]!.id]);
  }, 120_000);

  const everything = `id records { recordId } decisions { recordId } tasks { recordId } transitions { to }
    controllerInstructions { sourceId reference } accessPackage { sha256 files { path } } possibleDuplicateOf`;
  afterAll(async () => {
    await gw?.stop();
  });

  it('every request of a page shows its own records, decisions, tasks and transitions, in order', async () => {
    type Node = {
      id: string;
      records: { recordId: string }[];
      decisions: { recordId: string }[];
      tasks: { recordId: string }[];
      transitions: { to: string }[];
    };
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

  it('every request shows its own instructions, latest access package and duplicates', async () => {
    type Node = {
      id: string;
      controllerInstructions: { reference: string }[];
      accessPackage: { sha256: string; files: { path: string }[] } | null;
      possibleDuplicateOf: string[];
    };
    const reply = await gw.graphql<{ requests: { nodes: Node[] } }>(`{ requests(first: 50) { nodes { ${everything} } } }`, {}, headers);
    expect(reply.body.errors).toBeUndefined();
    const node = (n: number) => reply.body.data!.requests.nodes.find((x) => x.id === made[n]!.id)!;
    expect([0, 1, 2, 3].map((n) => node(n).controllerInstructions.map((i) => i.reference))).toEqual([[], ['REF-1'], [], ['REF-3']]);
    expect([0, 1, 2, 3].map((n) => node(n).accessPackage?.sha256 ?? null)).toEqual([null, null, 'new-sha', null]);
    expect(node(2).accessPackage!.files).toEqual([{ path: 'a.json' }]);
    expect([0, 1, 2, 3].map((n) => node(n).possibleDuplicateOf)).toEqual([[], [], [], [made[0]!.id]]);
  });

  it('a page of four requests reads their children with as many statements as a page of one', async () => {
    const ds = gw.runtime.services.dataSource;
    const children = /\b(request_record|record_decision|task|request_transition|controller_instruction|access_package|data_subject_request)\b/;
    const statementsFor = async (first: number) => {
      const counted: string[] = [];
      const logger = ds.logger;
      ds.logger = Object.assign(Object.create(logger), {
        logQuery: (query: string, ...rest: unknown[]) => {
          if (children.test(query)) counted.push(query);
          return (logger.logQuery as (...a: unknown[]) => void).call(logger, query, ...rest);
        },
      });
      try {
        const reply = await gw.graphql<{ requests: { nodes: unknown[] } }>(`{ requests(first: ${first}) { nodes { ${everything} } } }`, {}, headers);
        expect(reply.body.errors).toBeUndefined();
        expect(reply.body.data!.requests.nodes).toHaveLength(first);
      } finally {
        ds.logger = logger;
      }
      return counted.length;
    };
    await statementsFor(1); // caches of the first call (the key, the sources) out of the way
    const one = await statementsFor(1);
    const four = await statementsFor(4);
    expect(one).toBeGreaterThan(0);
    expect(four).toBe(one);
  });
});
