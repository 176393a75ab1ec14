// Values from outside the console (what a person wrote, a handler's free text, a key's name)
// rendered as text, never as markup or a link; and what a handler types about a person stays
// out of the address, the page title, the browser's console and its storage.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { CHROMIUM, launchConsoleBrowser, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

// Each would run script, or make an element or a link, if the console rendered it as HTML.
const HOSTILE = {
  channel: '<img src="x" data-pwned="channel" onerror="window.__pwned=1">',
  method: '<svg data-pwned="method" onload="window.__pwned=1"></svg>',
  evidence: 'javascript:window.__pwned=1',
  extension: '=cmd|\' /C calc\'!A0 <b data-pwned="extension">bold</b>',
  hold: '<a data-pwned="hold" href="javascript:window.__pwned=1">click</a>',
  key: '<iframe data-pwned="key" src="javascript:window.__pwned=1"></iframe>',
};
const EMAIL = 'zq-hostile-probe@example.org';

let gw: TestGateway;
let browser: ConsoleBrowser;
let handler: Record<string, string>;
let admin: Record<string, string>;
let requestId: string;

async function api<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<T> {
  const reply = await gw.graphql<T>(query, variables, headers);
  if (!reply.body.data) throw new Error(JSON.stringify(reply.body.errors));
  return reply.body.data;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  gw = await startTestGateway({ worker: false, env: { SCHEDULERS: 'false' } });
  handler = await bearer(gw, ['HANDLER']);
  admin = await bearer(gw, ['ADMIN']);
  const submitted = await api<{ submitRequest: { id: string } }>(
    `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
    { input: { type: 'ERASURE', identifiers: [{ type: 'EMAIL', value: EMAIL }], channel: HOSTILE.channel, scope: HOSTILE.method } },
    handler,
  );
  requestId = submitted.submitRequest.id;
  await api(
    `mutation($id: ID!, $input: IdentityVerificationInput!) { verifyIdentity(requestId: $id, input: $input) { id } }`,
    { id: requestId, input: { method: HOSTILE.method, evidenceRef: HOSTILE.evidence } },
    handler,
  );
  await api(
    `mutation($id: ID!, $reason: String!) { extendDeadline(requestId: $id, reason: $reason) { id } }`,
    { id: requestId, reason: HOSTILE.extension },
    handler,
  );
  await api(`mutation($id: ID!, $reason: String!) { holdRequest(requestId: $id, reason: $reason) { id } }`, { id: requestId, reason: HOSTILE.hold }, handler);
  await api(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { clearKey } }`, { input: { name: HOSTILE.key, roles: ['AUDITOR'] } }, admin);
  browser = await launchConsoleBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

/** A signed-in page that keeps every address it went to and everything written to its console. */
async function signedIn(headers: Record<string, string>): Promise<{ page: Page; addresses: string[]; logged: string[] }> {
  const page = await browser.newPage();
  const addresses: string[] = [];
  const logged: string[] = [];
  page.on('framenavigated', (frame) => addresses.push(frame.url()));
  page.on('console', (msg) => logged.push(msg.text()));
  await page.goto(`${gw.url}/console/`);
  await page.getByLabel('API key').fill(headers.authorization!.slice('Bearer '.length));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('principal').waitFor();
  return { page, addresses, logged };
}

/** Nothing of the hostile values became an element, a link or ran. */
async function inert(page: Page): Promise<void> {
  expect(await page.locator('[data-pwned]').count()).toBe(0);
  expect(await page.locator('a[href^="javascript:" i], iframe, [src^="javascript:" i]').count()).toBe(0);
  expect(await page.evaluate('window.__pwned')).toBeUndefined();
  expect(browser.violations).toEqual([]);
}

describe('values from outside are text', () => {
  it('the inbox and the request page show channel, verification, extension and hold reason as typed', async () => {
    const { page } = await signedIn(handler);
    await page.getByTestId('inbox-row').first().waitFor();
    expect(await page.getByTestId('inbox').innerText()).toContain(HOSTILE.channel);
    await inert(page);

    await page.goto(`${gw.url}/console/requests/${requestId}`);
    await page.getByTestId('timeline-entry').first().waitFor();
    const text = await page.locator('main').innerText();
    for (const value of [HOSTILE.channel, HOSTILE.method, HOSTILE.evidence, HOSTILE.extension, HOSTILE.hold]) expect(text).toContain(value);
    await inert(page);
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    await page.close();
  }, 60_000);

  it("the keys screen shows a key's name as typed", async () => {
    const { page } = await signedIn(admin);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText(HOSTILE.key).first().waitFor();
    await inert(page);
    await page.close();
  }, 60_000);
});

describe('what a handler types about a person stays in the page', () => {
  it('an inbox search and a Find a person search: not in any address, the title, the console or browser storage', async () => {
    const { page, addresses, logged } = await signedIn(handler);
    await page.getByLabel('Identifier value').fill(EMAIL);
    await page.getByRole('search').getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('1 request of the person searched for').waitFor();
    await page.getByRole('link', { name: 'Find a person' }).click();
    await page.getByLabel('Identifier 1 value').fill(EMAIL);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/graphql')), page.getByRole('button', { name: 'Search' }).click()]);
    await page.getByRole('region', { name: 'Sources asked' }).waitFor();

    const kept = (await page.evaluate(`(async () => ({
      title: document.title,
      local: JSON.stringify(Object.entries(localStorage)),
      sessionKeys: Object.keys(sessionStorage),
      session: JSON.stringify(Object.entries(sessionStorage)),
      indexedDb: (await indexedDB.databases()).map((d) => d.name),
      cookies: document.cookie,
    }))()`)) as { title: string; local: string; sessionKeys: string[]; session: string; indexedDb: string[]; cookies: string };
    expect(kept.sessionKeys).toEqual(['dsr-console-key']);
    expect(kept.local).toBe('[]');
    expect(kept.indexedDb).toEqual([]);
    for (const where of [kept.title, kept.session, kept.cookies, ...addresses, page.url(), ...logged]) {
      expect(where.toLowerCase()).not.toContain('zq-hostile-probe');
      expect(where).not.toContain(encodeURIComponent(EMAIL));
    }
    await page.close();
  }, 60_000);
});

describe("an identity provider's answer leaves the address at once", () => {
  // A provider sends the browser back with a one-time code, or an error whose description
  // may name the user (`The signed in user 'someone@example.org' is not assigned ...`).
  const answers = [
    ['a code, while the gateway cannot give its OIDC settings', `?code=zq-one-time-code&state=zq-state`],
    [
      'an error naming the user, in a tab that started no sign-in',
      `?error=access_denied&state=zq-state&error_description=user+zq-idp-user%40example.org+not+assigned`,
    ],
  ];
  for (const [what, query] of answers) {
    it(`${what}: neither the code nor the description stays in the address`, async () => {
      const page = await browser.newPage();
      await page.goto(`${gw.url}/console/`);
      // The first of them as if this tab had started a sign-in (the verifier and state kept).
      if (query!.includes('code=')) await page.evaluate(`sessionStorage.setItem('dsr-console-oidc', JSON.stringify({ verifier: 'v', state: 'zq-state' }))`);
      await page.goto(`${gw.url}/console/${query}`);
      await page.getByLabel('API key').waitFor();
      expect(page.url()).toBe(`${gw.url}/console/`);
      expect(await page.getByRole('alert').innerText()).toMatch(/OIDC|sign-in/i);
      await page.close();
    }, 60_000);
  }
});
