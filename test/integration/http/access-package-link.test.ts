// The one-time access-package link over HTTP: the link opens a page that consumes nothing
// (mail scanners and link previews fetch it), the package is served once to a POST that
// carries the token in its body, and the token never reaches the log.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logging/logger.js';
import { verifyManifest } from '../../../src/requests/access-package.js';
import { issueAccessPackageLink } from '../../support/access-package-download.js';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';

let gw: TestGateway;
const lines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  gw = await startTestGateway({ worker: false, logger: createLogger('trace', sink) });
}, 60_000);
afterAll(async () => gw?.stop());

async function issuedLink(): Promise<{ requestId: string; url: string; token: string; sha256: string }> {
  return issueAccessPackageLink(gw.runtime.services);
}

async function post(body: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${gw.url}/v1/access-packages/download`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

async function codeOf(res: Response): Promise<string | undefined> {
  return ((await res.json()) as { error?: { code?: string } }).error?.code;
}

async function downloadedAt(requestId: string): Promise<Date | null> {
  return (await gw.runtime.services.stores.requests.latestPackage(requestId))!.downloadedAt;
}

describe('the access-package link', () => {
  it('carries its token in the fragment: fetching the link (twice) answers a page without the token and uses nothing; one POST downloads, the next is PACKAGE_LINK_USED', async () => {
    const { requestId, url, token, sha256 } = await issuedLink();
    expect(url).toBe(`/v1/access-packages/open#${token}`);
    for (let i = 0; i < 2; i++) {
      // fetch, like a browser or a scanner, never sends the fragment.
      const page = await fetch(`${gw.url}${url}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await page.text();
      expect(html).not.toContain(token);
      expect(html).not.toContain(requestId);
      expect(html).toContain('<script src="open.js"');
    }
    const script = await fetch(`${gw.url}/v1/access-packages/open.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await downloadedAt(requestId)).toBeNull();

    const first = await post(JSON.stringify({ token }));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/zip');
    expect(first.headers.get('content-disposition')).toBe(`attachment; filename="access-package-${requestId}.zip"`);
    expect(first.headers.get('x-content-sha256')).toBe(sha256);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(verifyManifest(new Uint8Array(await first.arrayBuffer())).ok).toBe(true);
    expect(await downloadedAt(requestId)).not.toBeNull();

    const second = await post(JSON.stringify({ token }));
    expect(second.status).toBe(410);
    expect(await codeOf(second)).toBe('PACKAGE_LINK_USED');
  });

  it('a link issued with the token in the path opens the same page: GET and HEAD (twice each) use nothing, the POST still downloads once', async () => {
    const { requestId, token } = await issuedLink();
    const legacy = `${gw.url}/v1/access-packages/${token}`;
    for (let i = 0; i < 2; i++) {
      const page = await fetch(legacy);
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).not.toContain(token);
      expect((await fetch(legacy, { method: 'HEAD' })).status).toBe(200);
    }
    expect(await downloadedAt(requestId)).toBeNull();
    expect((await post(JSON.stringify({ token }))).status).toBe(200);
    const again = await post(JSON.stringify({ token }));
    expect([again.status, await codeOf(again)]).toEqual([410, 'PACKAGE_LINK_USED']);
  });

  it('a wrong or malformed token is PACKAGE_NOT_FOUND (404) and uses up no other link; a body that is not JSON with a token is BAD_REQUEST (400)', async () => {
    const { requestId, token } = await issuedLink();
    const wrong = await post(JSON.stringify({ token: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }));
    expect([wrong.status, await codeOf(wrong)]).toEqual([404, 'PACKAGE_NOT_FOUND']);
    const malformed = await post(JSON.stringify({ token: 'short' }));
    expect([malformed.status, await codeOf(malformed)]).toEqual([404, 'PACKAGE_NOT_FOUND']);
    for (const [body, type] of [
      [`token=${token}`, 'application/x-www-form-urlencoded'],
      [token, 'text/plain'],
      ['{"token": 42}', 'application/json'],
      ['{not json', 'application/json'],
    ] as const) {
      const refused = await post(body, type);
      expect([refused.status, await codeOf(refused)], type).toEqual([400, 'BAD_REQUEST']);
    }
    expect(await downloadedAt(requestId)).toBeNull();
    expect((await post(JSON.stringify({ token }))).status).toBe(200);
  });

  it('no log line holds a token, whether it came in the path, the body, or a refused request', async () => {
    const { token } = await issuedLink();
    await fetch(`${gw.url}/v1/access-packages/${token}`);
    await post(JSON.stringify({ token }));
    await post(JSON.stringify({ token }));
    await post(`token=${token}`, 'application/x-www-form-urlencoded');
    const unknown = 'u'.repeat(43);
    await fetch(`${gw.url}/v1/access-packages/${unknown}`);
    await post(JSON.stringify({ token: unknown }));
    const log = lines.join('');
    expect(log).not.toContain(token);
    expect(log).not.toContain(unknown);
  });
});
