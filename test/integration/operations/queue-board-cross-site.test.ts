import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';

// The board's API adds a job with POST /admin/queues/api/queues/<queue>/add. A browser
// logged in with Basic credentials resends them to any page's form or text/plain POST.
describe('queue board: cross-site writes (redis queue)', () => {
  let gw: TestGateway;
  let basic: string;
  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', worker: false, env: { SCHEDULERS: 'false' } });
    const admin = await bearer(gw, ['ADMIN']);
    basic = `Basic ${Buffer.from(`admin:${admin.authorization!.slice('Bearer '.length)}`).toString('base64')}`;
  }, 60_000);
  afterAll(async () => gw?.stop());

  const addUrl = () => `${gw.url}/admin/queues/api/queues/system/add`;
  const jobs = () => gw.runtime.services.execution.queue('system').getJobCounts('waiting', 'delayed', 'prioritized');
  const total = async () => Object.values(await jobs()).reduce((a, b) => a + b, 0);

  it("refuses a text/plain or form POST from another site with the browser's remembered credentials, and adds no job", async () => {
    const before = await total();
    const attempts: Record<string, string>[] = [
      { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { 'content-type': 'text/plain', origin: 'https://evil.example' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'application/json', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of attempts) {
      const res = await fetch(addUrl(), {
        method: 'POST',
        headers: { authorization: basic, ...headers },
        body: JSON.stringify({ name: 'x', data: {}, options: {} }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CROSS_SITE_REFUSED');
    }
    expect(await total()).toBe(before);
  });

  it('still lets the board itself (same origin, JSON) add a job', async () => {
    const before = await total();
    const res = await fetch(addUrl(), {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json', origin: gw.url, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ name: 'board-test', data: {}, options: {} }),
    });
    expect(res.status).toBe(200);
    expect(await total()).toBe(before + 1);
  });

  // Framed by another site, the board's buttons could be clicked unawares with the remembered
  // credentials; the board's own requests would then be same-origin, so only the page's
  // headers stop it. Downloads and JSON must not be sniffed as HTML either.
  it('may not be framed by another site, nor sniffed: the board and every other route say so', async () => {
    for (const path of [
      '/admin/queues',
      '/admin/queues/api/queues',
      '/metrics',
      '/v1/data-map.csv',
      '/healthz',
      '/v1/access-packages/xxxxxxxxxxxxxxxxxxxxxxxx',
    ]) {
      const res = await fetch(`${gw.url}${path}`, { headers: { authorization: basic } });
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    const graphql = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ version }"}' });
    expect(graphql.headers.get('x-frame-options')).toBe('DENY');
    expect(graphql.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sends no X-Powered-By header, on the board or elsewhere', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/healthz']) {
      const res = await fetch(`${gw.url}${path}`, { headers: { authorization: basic } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });
});
