// Controller scope on the operator routes (R13). /metrics and the queue board show every
// controller's figures and jobs (and the board can retry, remove and add jobs), so a key
// bound to some controllers is refused them, as it is the request report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { caseSource } from '../../support/sources-fixture.js';

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
  }, 120_000);
  afterAll(async () => gw?.stop());

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
});
