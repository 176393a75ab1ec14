// What the browser keeps on disk of the people a handler looks up. A browser saves what is
// typed into a form's text fields (its autofill history, in the profile) when the form is
// sent, unless the field says autocomplete="off"; the console's forms are sent by script,
// and Chromium counts a form that goes away after a request as sent. Nothing typed about a
// person may be left in the handler's browser profile.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { launchConsoleBrowser, type ConsoleBrowser } from './browser.js';

let gw: TestGateway;
let browser: ConsoleBrowser;
let key: string;
let plainPage: Server;

// A form of another site without autocomplete="off", sent by script as the console's are:
// what the browser keeps of it shows that the check below can see a remembered value.
const PLAIN_FORM = `<!doctype html><title>plain</title><form id="f"><label>Name <input id="plain-name"></label><button>Send</button></form>
<script>document.getElementById('f').addEventListener('submit', async (e) => { e.preventDefault(); await fetch('/sent', { method: 'POST' }); e.target.remove(); });</script>`;

beforeAll(async () => {
  gw = await startTestGateway({ worker: false });
  key = (await bearer(gw, ['HANDLER'])).authorization!.slice('Bearer '.length);
  browser = await launchConsoleBrowser();
  plainPage = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(req.method === 'POST' ? '' : PLAIN_FORM));
  await new Promise<void>((resolve) => plainPage.listen(0, '127.0.0.1', resolve));
}, 120_000);

afterAll(async () => {
  plainPage?.close();
  await browser?.close();
  await gw?.stop();
});

/** Files of the profile holding `text`, as bytes (the autofill history is an SQLite file). */
function filesHolding(dir: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) found.push(...filesHolding(path, text));
    else if (stat.isFile() && readFileSync(path).includes(needle)) found.push(path);
  }
  return found;
}

describe('the console leaves nothing typed about a person in the browser profile', () => {
  it('a rectification (identifiers, the corrected value), a search and a tombstone check', async () => {
    const typed = {
      email: 'zq-rectify-probe@example.com',
      corrected: 'Zqxcorrectedsurname',
      reason: 'Zqx married since',
      search: 'zq-find-probe@example.com',
      tombstone: 'zq-tombstone-probe@example.com',
    };
    const page = await browser.newPage();
    await page.goto(`${gw.url}/console/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('principal').waitFor();

    await page.goto(`${gw.url}/console/requests/new`);
    await page.getByRole('heading', { name: 'New request' }).waitFor();
    await page.getByLabel('Type', { exact: true }).and(page.locator('input')).click();
    await page.getByRole('option', { name: 'Rectification' }).click();
    await page.getByLabel('Identifier 1 value').fill(typed.email);
    await page.getByLabel('Correction 1 field').fill('family_name');
    await page.getByLabel('Correction 1 new value').fill(typed.corrected);
    await page.getByLabel('Correction 1 reason').fill(typed.reason);
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/console\/requests\/[0-9a-f-]{36}$/);

    await page.getByRole('link', { name: 'Find a person' }).click();
    await page.getByLabel('Identifier 1 value').fill(typed.search);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/graphql')), page.getByRole('button', { name: 'Search' }).click()]);

    await page.getByRole('link', { name: 'Tombstone check' }).click();
    await page.getByLabel('Identifier 1 value').fill(typed.tombstone);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/graphql')), page.getByRole('button', { name: 'Check', exact: true }).click()]);
    // Leaving the screen takes the form away, which Chromium also counts as sent.
    await page.getByRole('link', { name: 'Find a person' }).click();
    await page.getByRole('heading', { name: 'Find a person' }).waitFor();

    const plain = await browser.newPage();
    await plain.goto(`http://127.0.0.1:${(plainPage.address() as AddressInfo).port}/`);
    await plain.getByLabel('Name').fill('Zqxcontrolvalue');
    await plain.getByRole('button', { name: 'Send' }).click();
    await plain.locator('#f').waitFor({ state: 'detached' });

    // Closing writes the profile out, as when the handler closes the browser.
    await browser.context.close();
    expect(filesHolding(browser.profile, 'Zqxcontrolvalue').length).toBeGreaterThan(0);
    const kept = Object.fromEntries(
      Object.values(typed)
        .map((value) => [value, filesHolding(browser.profile, value)])
        .filter(([, files]) => files.length > 0),
    );
    expect(kept).toEqual({});
  }, 120_000);
});
