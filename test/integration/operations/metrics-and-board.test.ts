import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType as T, RecordAction } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest, waitForClosed } from '../../support/requests-fixture.js';
import { caseSource } from '../../support/sources-fixture.js';

/** Prometheus text as { 'name{labels}': value } (comments and blank lines left out). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('operations over HTTP: /metrics and /admin/queues (redis queue)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', env: { SCHEDULERS: 'false' } });
    await seedReferenceSources({ url: gw.databaseUrl, people: 10, seed: 9, systems: ['case_management'] });
    await gw.runtime.services.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
  }, 120_000);
  afterAll(async () => gw?.stop());

  const scrape = async () => {
    const res = await fetch(`${gw.url}/metrics`, { headers: await bearer(gw, ['MONITOR']) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('/metrics: queue depth per queue; task outcomes and durations appear once a task has run', async () => {
    const before = await scrape();
    expect(before).toContain('# TYPE dsr_queue_jobs gauge');
    const depth = samples(before);
    for (const queue of ['requests', 'schedules', 'system', 'source-tasks.case_management']) {
      expect(depth.get(`dsr_queue_jobs{queue="${queue}",state="waiting"}`)).toBe(0);
    }
    expect(before).not.toMatch(/^dsr_task_outcomes_total\{/m);

    const s = gw.runtime.services;
    const records: { id: string }[] = await s.dataSource.query(`SELECT id FROM case_management.cases ORDER BY id LIMIT 2`);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [{ type: T.EMAIL, value: 'metrics@example.org' }],
      decisions: records.map((r) => ({ sourceId: 'case_management', recordId: r.id, recordType: 'case', action: RecordAction.ERASE })),
    });
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId)).toBe('COMPLETED');

    const after = await scrape();
    expect(after).toContain('# TYPE dsr_task_outcomes_total counter');
    expect(after).toContain('# TYPE dsr_task_duration_seconds histogram');
    const m = samples(after);
    expect(m.get('dsr_task_outcomes_total{source="case_management",action="ERASE",outcome="APPLIED"}')).toBe(2);
    expect(m.get('dsr_task_duration_seconds_count{source="case_management",action="ERASE"}')).toBe(2);
    expect(m.get('dsr_task_duration_seconds_bucket{le="+Inf",source="case_management",action="ERASE"}')).toBe(2);
    expect(m.get('dsr_tasks{status="SUCCEEDED"}')).toBe(2);
    // The two task jobs and the request's parent job went through their queues.
    expect(m.get('dsr_queue_jobs{queue="source-tasks.case_management",state="completed"}')).toBe(2);
    expect(m.get('dsr_queue_jobs{queue="requests",state="completed"}')).toBe(1);
  }, 60_000);

  it('/metrics: 401 without credentials, 403 for a HANDLER key; a MONITOR key as Bearer or as Basic password (Prometheus basic_auth)', async () => {
    const none = await fetch(`${gw.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const handler = await fetch(`${gw.url}/metrics`, { headers: await bearer(gw, ['HANDLER']) });
    expect(handler.status).toBe(403);
    expect(((await handler.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    const key = (await bearer(gw, ['MONITOR'])).authorization!.slice('Bearer '.length);
    const basic = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Basic ${Buffer.from(`prometheus:${key}`).toString('base64')}` } });
    expect(basic.status).toBe(200);
    expect(await basic.text()).toContain('# TYPE dsr_queue_jobs gauge');
  });

  it('/admin/queues: 401 without credentials, 403 for a HANDLER or MONITOR key, the board for an ADMIN key (Bearer or Basic)', async () => {
    const none = await fetch(`${gw.url}/admin/queues`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${gw.url}/admin/queues`, { headers: { authorization: 'Bearer dsr_nonsense' } })).status).toBe(401);

    const handler = await fetch(`${gw.url}/admin/queues`, { headers: await bearer(gw, ['HANDLER']) });
    expect(handler.status).toBe(403);
    // Metrics access is not the board's.
    expect((await fetch(`${gw.url}/admin/queues`, { headers: await bearer(gw, ['MONITOR']) })).status).toBe(403);
    expect(((await handler.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');

    const admin = await bearer(gw, ['ADMIN']);
    const board = await fetch(`${gw.url}/admin/queues`, { headers: admin });
    expect(board.status).toBe(200);
    expect(board.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await board.text()).toMatch(/<html/i);
    // The board's own API lists the gateway's queues, the source's included.
    const api = await fetch(`${gw.url}/admin/queues/api/queues`, { headers: admin });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['requests', 'schedules', 'system', 'source-tasks.case_management']));
    // A browser sends the key as the Basic password with every request the page makes.
    const key = admin.authorization!.slice('Bearer '.length);
    const basic = await fetch(`${gw.url}/admin/queues/api/queues`, { headers: { authorization: `Basic ${Buffer.from(`admin:${key}`).toString('base64')}` } });
    expect(basic.status).toBe(200);
  });
});
