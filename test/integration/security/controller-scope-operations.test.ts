// Controller scope on the operator routes and in the workers (R13). /metrics and the queue
// board show every controller's figures and jobs (and the board can retry, remove and add
// jobs), so a key bound to some controllers is refused them, as it is the request report.
// A task job names its task by id: the worker acts only on a task of the source whose
// queue the job came through, so a job put on another source's queue (the board can add
// one with any payload) never applies a task's record id to the wrong system. A bound
// administrator gives a key only sources it can see, and a bound key is not told the id of
// another controller's record through the record that sits in it (parentRecordId).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType as T, RecordAction } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { caseSource } from '../../support/sources-fixture.js';
import { eventually } from '../../support/eventually.js';

const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('operator routes and workers under controller scope', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', env: { SCHEDULERS: 'false' } });
    await seedReferenceSources({ url: gw.databaseUrl, people: 10, seed: 9, systems: ['case_management'] });
    const s = gw.runtime.services;
    // Two registrations over one store: the same record ids answer in both.
    await s.sources.register({ ...caseSource('cases_of_a', gw.databaseUrl), controller: { role: 'CONTROLLER', defaultControllerId: 'ctrl-a' } }, 'test');
    await s.sources.register({ ...caseSource('cases_of_b', gw.databaseUrl), controller: { role: 'CONTROLLER', defaultControllerId: 'ctrl-b' } }, 'test');
    // And a shared system, declared for no controller: every key sees it.
    await s.sources.register(caseSource('cases_shared', gw.databaseUrl), 'test');
  }, 120_000);
  afterAll(async () => gw?.stop());

  it("sources: recordCount of a shared system (every controller's records together) is null to a key bound to controllers; of its own controller's source it is told", async () => {
    const counts = async (headers: Record<string, string>) => {
      const reply = await gw.graphql<{ sources: { id: string; recordCount: number | null }[] }>(`{ sources { id recordCount } }`, {}, headers);
      return Object.fromEntries(reply.body.data!.sources.map((x) => [x.id, x.recordCount]));
    };
    const everyone = await bearer(gw, ['HANDLER']);
    const [{ n }] = await gw.runtime.services.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM case_management.cases`);
    // The first count may take longer than the field waits: asked again until it is in.
    const all = await eventually(
      () => counts(everyone),
      (c) => c.cases_shared != null && c.cases_of_b != null,
      { timeoutMs: 20_000, everyMs: 500 },
    );
    expect(all.cases_shared).toBeGreaterThanOrEqual(n!);
    const ofB = await counts(await bearer(gw, ['HANDLER'], ['ctrl-b']));
    expect(Object.keys(ofB).sort()).toEqual(['cases_of_b', 'cases_shared']);
    expect(ofB.cases_of_b).toBe(all.cases_of_b);
    expect(ofB.cases_shared).toBeNull();
  }, 60_000);

  it('/metrics: a MONITOR or ADMIN key bound to a controller is refused (FORBIDDEN); unbound ones scrape', async () => {
    for (const roles of [['MONITOR'], ['ADMIN']]) {
      const bound = await fetch(`${gw.url}/metrics`, { headers: await bearer(gw, roles, ['ctrl-a']) });
      expect(bound.status, roles[0]).toBe(403);
      expect(await codeOf(bound)).toBe('FORBIDDEN');
      const text = await fetch(`${gw.url}/metrics`, { headers: await bearer(gw, roles) });
      expect(text.status, roles[0]).toBe(200);
    }
  });

  it('/admin/queues: an ADMIN key bound to a controller is refused the board and its API (FORBIDDEN), reading or writing', async () => {
    const boundA = await bearer(gw, ['ADMIN'], ['ctrl-a']);
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await fetch(`${gw.url}${path}`, { headers: boundA });
      expect(res.status, path).toBe(403);
      expect(await codeOf(res)).toBe('FORBIDDEN');
    }
    const retry = await fetch(`${gw.url}/admin/queues/api/queues/source-tasks.cases_of_b/retry/failed`, {
      method: 'PUT',
      headers: { ...boundA, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(retry.status).toBe(403);
    expect((await fetch(`${gw.url}/admin/queues/api/queues`, { headers: await bearer(gw, ['ADMIN']) })).status).toBe(200);
  });

  it("createApiKey: an ADMIN bound to A cannot name B's source in sourceIds; refused as an unknown source is (SOURCE_NOT_FOUND), nothing written", async () => {
    const adminA = await bearer(gw, ['ADMIN'], ['ctrl-a']);
    const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key { id sourceIds } } }`;
    const create = (sourceIds: string[]) =>
      gw.graphql<{ createApiKey: { key: { id: string; sourceIds: string[] } } }>(
        CREATE,
        { input: { name: 'feed of A', roles: ['CONNECTOR'], controllerIds: ['ctrl-a'], sourceIds } },
        adminA,
      );
    const [{ n: before }] = await gw.runtime.services.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM api_keys`);
    const ofB = await create(['cases_of_a', 'cases_of_b']);
    const unknown = await create(['cases_of_a', 'cases_of_c']);
    expect(ofB.body.data ?? null).toBeNull();
    expect(ofB.body.errors?.[0]?.extensions?.code).toBe('SOURCE_NOT_FOUND');
    // The same answer as for a source that does not exist: B's source is not told to exist.
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('SOURCE_NOT_FOUND');
    expect(ofB.body.errors![0]!.message.replace('cases_of_b', 'X')).toBe(unknown.body.errors![0]!.message.replace('cases_of_c', 'X'));
    const [{ n: after }] = await gw.runtime.services.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM api_keys`);
    expect(after).toBe(before);
    // Its own controller's source it may name; an administrator bound to none, any.
    expect((await create(['cases_of_a'])).body.data?.createApiKey.key.sourceIds).toEqual(['cases_of_a']);
    const everywhere = await gw.graphql<{ createApiKey: { key: { sourceIds: string[] } } }>(
      CREATE,
      { input: { name: 'feed of B', roles: ['CONNECTOR'], controllerIds: ['ctrl-b'], sourceIds: ['cases_of_b'] } },
      await bearer(gw, ['ADMIN']),
    );
    expect(everywhere.body.data?.createApiKey.key.sourceIds).toEqual(['cases_of_b']);
  });

  it("a request's record whose parent is another controller's record (or a record outside the request, whose controller is not known) shows a key bound to A no parentRecordId; its own parent it does", async () => {
    const s = gw.runtime.services;
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'parent@example.org' }],
      decisions: ['case-of-b', 'contact-in-b', 'case-of-a', 'contact-in-a', 'contact-elsewhere'].map((recordId) => ({
        sourceId: 'cases_shared',
        recordId,
        recordType: 'case',
        action: RecordAction.ERASE,
      })),
    });
    await s.dataSource.query(`UPDATE data_subject_request SET controller_ids = '{ctrl-a,ctrl-b}' WHERE id = $1`, [requestId]);
    const set = (recordId: string, controllerId: string, parent: string | null) =>
      s.dataSource.query(`UPDATE request_record SET controller_id = $3, parent_record_id = $4 WHERE request_id = $1 AND record_id = $2`, [
        requestId,
        recordId,
        controllerId,
        parent,
      ]);
    await set('case-of-b', 'ctrl-b', null);
    // A's record sits in B's (an appearance as a contact in B's case).
    await set('contact-in-b', 'ctrl-a', 'case-of-b');
    await set('case-of-a', 'ctrl-a', null);
    await set('contact-in-a', 'ctrl-a', 'case-of-a');
    // A's record in a case the request does not hold (another person's, of any controller).
    await set('contact-elsewhere', 'ctrl-a', 'case-of-someone');
    const READ = `query($id: ID!) { request(id: $id) { records { recordId parentRecordId } } }`;
    type Read = { request: { records: { recordId: string; parentRecordId: string | null }[] } };
    const parents = async (headers: Record<string, string>) => {
      const reply = await gw.graphql<Read>(READ, { id: requestId }, headers);
      expect(reply.body.errors).toBeUndefined();
      return Object.fromEntries(reply.body.data!.request.records.map((r) => [r.recordId, r.parentRecordId]));
    };
    expect(await parents(await bearer(gw, ['HANDLER']))).toEqual({
      'case-of-b': null,
      'contact-in-b': 'case-of-b',
      'case-of-a': null,
      'contact-in-a': 'case-of-a',
      'contact-elsewhere': 'case-of-someone',
    });
    expect(await parents(await bearer(gw, ['HANDLER'], ['ctrl-a']))).toEqual({
      'contact-in-b': null,
      'case-of-a': null,
      'contact-in-a': 'case-of-a',
      'contact-elsewhere': null,
    });
  });

  it("a task job on another source's queue is not run there: the task stays queued for its own source and the record stays", async () => {
    const s = gw.runtime.services;
    const [record] = await s.dataSource.query<{ id: string }[]>(`SELECT id FROM case_management.cases WHERE controller_id IS NULL ORDER BY id LIMIT 1`);
    // Source A is disabled: its tasks wait in its queue.
    await s.sources.changeStatus('cases_of_a', 'disable', 'test');
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'scope@example.org' }],
      decisions: [{ sourceId: 'cases_of_a', recordId: record!.id, recordType: 'case', action: RecordAction.ERASE }],
    });
    await s.execution.execute(requestId, 'handler');
    const [task] = await s.dataSource.query<{ id: string; status: string }[]>(`SELECT id, status FROM task WHERE request_id = $1`, [requestId]);
    expect(task!.status).toBe('QUEUED');

    // Jobs naming A's task, put on B's queue (as the board's "add job" can), whichever
    // source their payload names.
    for (const sourceId of ['cases_of_b', 'cases_of_a']) {
      const job = await s.execution.queue('source-tasks.cases_of_b').add('task', { taskId: task!.id, requestId, sourceId });
      const state = await eventually(
        async () => (await job.getState()) as string,
        (state) => state === 'completed' || state === 'failed',
        { timeoutMs: 20_000 },
      );
      expect(state, sourceId).toBe('completed');
    }

    const [after] = await s.dataSource.query<{ status: string; attempts: number }[]>(`SELECT status, attempts FROM task WHERE id = $1`, [task!.id]);
    expect(after).toEqual({ status: 'QUEUED', attempts: 0 });
    const [still] = await s.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM case_management.cases WHERE id = $1`, [record!.id]);
    expect(still!.n).toBe(1);
  }, 60_000);
});
