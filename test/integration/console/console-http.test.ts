// The console's HTTP edge (strict CSP, caching, client routes) and the `me` query it signs
// in with. Needs the console built into dist/console (`npm test` builds first).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src/version.js';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { graphqlCodeOf } from '../../support/error-codes.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ worker: false });
});
afterAll(async () => {
  await gw?.stop();
});

describe('me: the caller as the console shows it', () => {
  it('returns the key id, name, roles and the permissions the roles grant; nothing without a key', async () => {
    const headers = await bearer(gw, ['HANDLER', 'SPECIAL_CATEGORY'], ['ctrl-a']);
    const keyId = headers.authorization!.split('_')[1];
    const reply = await gw.graphql<{ me: { id: string; kind: string; name: string; roles: string[]; controllerIds: string[]; permissions: string[] } }>(
      '{ me { id kind name roles controllerIds permissions } }',
      {},
      headers,
    );
    expect(reply.body.errors).toBeUndefined();
    const me = reply.body.data!.me;
    expect(me).toMatchObject({ id: keyId, kind: 'api-key', name: 'test HANDLER+SPECIAL_CATEGORY', controllerIds: ['ctrl-a'] });
    expect(me.roles).toEqual(['HANDLER', 'SPECIAL_CATEGORY']);
    expect(me.permissions).toEqual(expect.arrayContaining(['request:write', 'discovery:run', 'special-category:read']));
    expect(me.permissions).not.toContain('key:manage');
    expect(me.permissions).not.toContain('audit:read');

    const anonymous = await gw.graphql('{ me { id } }');
    expect(graphqlCodeOf(anonymous)).toBe('UNAUTHENTICATED');
  });
});

describe('the console at /console', () => {
  it('serves the page with a strict CSP (no inline script) and a fresh style nonce per response, never cached', async () => {
    const first = await fetch(`${gw.url}/console/`);
    expect(first.status).toBe(200);
    const csp = first.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(first.headers.get('cache-control')).toBe('no-store');
    const html = await first.text();
    const nonce = /name="csp-nonce" content="([^"]+)"/.exec(html)![1]!;
    expect(csp).toContain(`'nonce-${nonce}'`);
    expect(html).not.toContain('__CSP_NONCE__');
    // Scripts only by src: nothing inline.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const second = await fetch(`${gw.url}/console/`);
    expect(second.headers.get('content-security-policy')).not.toContain(`'nonce-${nonce}'`);
  });

  it('answers client routes with the page (ids only in the path), and redirects /console', async () => {
    const deep = await fetch(`${gw.url}/console/requests/5b0f6a3e-0000-4000-8000-000000000000`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await deep.text()).toContain('<div id="root">');
    const bare = await fetch(`${gw.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
  });

  it('caches hashed assets for a year, with the CSP; a missing asset is a 404, never the page', async () => {
    const asset = readdirSync(join(projectRoot, 'dist', 'console', 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await fetch(`${gw.url}/console/assets/${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const missing = await fetch(`${gw.url}/console/assets/nope-12345678.js`);
    expect(missing.status).toBe(404);
  });
});
