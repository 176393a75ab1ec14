// The console's new-request form in a real browser: a phone number written in national form
// is submitted with the country it was written in (a select beside the phone row; empty:
// the deployment's default), and the API reads it as that country's number.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { CHROMIUM, launchConsoleBrowser, screenshot, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

let gw: TestGateway;
let browser: ConsoleBrowser;
let key = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  // The deployment reads national numbers as British unless told otherwise.
  gw = await startTestGateway({ worker: false, env: { SCHEDULERS: 'false', DSR_DEFAULT_PHONE_COUNTRY: 'GB' } });
  key = (await bearer(gw, ['HANDLER'])).authorization!.slice('Bearer '.length);
  browser = await launchConsoleBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

/** The requests the API finds by one phone number (the blind index, normalised as at submission). */
async function requestsByPhone(value: string): Promise<string[]> {
  const reply = await gw.graphql<{ requests: { nodes: { id: string }[] } }>(
    `query($f: RequestFilter) { requests(filter: $f) { nodes { id } } }`,
    { f: { identifier: { type: 'PHONE', value } } },
    { authorization: `Bearer ${key}` },
  );
  if (!reply.body.data) throw new Error(JSON.stringify(reply.body.errors));
  return reply.body.data.requests.nodes.map((n) => n.id);
}

describe('new request: the country of a phone number', () => {
  it('a French number in national form is submitted with country FR and read as +33, not in the deployment default', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw.url}/console/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('principal').waitFor();
    await page.goto(`${gw.url}/console/requests/new`);
    await page.getByRole('heading', { name: 'New request' }).waitFor();

    await page.getByLabel('Identifier 1 value').fill('Amélie');
    await page.getByLabel('Identifier 2 value').fill('Roux');
    await page.getByLabel('Identifier 3 value').fill('1990-04-02');
    await page.getByLabel('Identifier 4 value').fill('amelie.roux@example.fr');
    // No country beside an e-mail; one beside a phone number.
    expect(await page.getByLabel('Identifier 4 country').count()).toBe(0);
    await page.getByRole('button', { name: 'Add an identifier' }).click();
    await page.getByLabel('Identifier 5 type', { exact: true }).and(page.locator('input')).click();
    await page.getByRole('option', { name: 'Phone', exact: true }).click();
    await page.getByLabel('Identifier 5 value').fill('07 11 22 33 44');
    const country = page.getByLabel('Identifier 5 country', { exact: true }).and(page.locator('input'));
    await country.waitFor();
    expect(await page.getByText("Empty: the deployment's default country").count()).toBe(1);
    await country.click();
    await country.fill('Fra');
    await page.getByRole('option', { name: 'FR — France', exact: true }).click();
    expect(browser.violations).toEqual([]);
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    await screenshot(page, 'new-request-phone-country');

    const [sent] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/graphql') && (r.postData() ?? '').includes('SubmitRequest')),
      page.getByRole('button', { name: 'Submit request' }).click(),
    ]);
    const { identifiers } = (sent.postDataJSON() as { variables: { input: { identifiers: Record<string, string>[] } } }).variables.input;
    expect(identifiers.find((i) => i.type === 'PHONE')).toEqual({ type: 'PHONE', value: '07 11 22 33 44', country: 'FR' });
    expect(identifiers.find((i) => i.type === 'EMAIL')).toEqual({ type: 'EMAIL', value: 'amelie.roux@example.fr' });
    await page.waitForURL(/\/console\/requests\/[0-9a-f-]{36}$/);
    const requestId = page.url().split('/').pop()!;

    // Through the API: the request's phone number reads +33 7 11 22 33 44, not the British +44 7112 233 44.
    expect(await requestsByPhone('+33 7 11 22 33 44')).toEqual([requestId]);
    expect(await requestsByPhone('+44 7112 233 44')).toEqual([]);
    await page.close();
  }, 90_000);
});
