// The console in a real browser: a phone number written in national form is sent with the
// country it was written in (a select beside a phone identifier; empty: the deployment's
// default), and the API reads it as that country's number: on the new-request form, and
// the same select on Find a person, the inbox search and the tombstone check.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { IdentifierType, RequestStatus } from '../../../src/domain/vocabulary.js';
import { normaliseQueryIdentifiers } from '../../../src/identity/index.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
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

const FRENCH_MOBILE = '+33 7 11 22 33 44';

async function signedIn(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${gw.url}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('principal').waitFor();
  return page;
}

/** Chooses a country in the select labelled `label` by typing part of its name. */
async function chooseCountry(page: Page, label: string, typed: string, option: string): Promise<void> {
  const country = page.getByLabel(label, { exact: true }).and(page.locator('input'));
  await country.click();
  await country.fill(typed);
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** Clicks `button` and answers the identifiers of the GraphQL operation `operation` it sent. */
async function sentIdentifiers(page: Page, operation: string, click: () => Promise<void>, pick: (variables: never) => unknown): Promise<unknown> {
  const [sent] = await Promise.all([page.waitForRequest((r: Request) => r.url().endsWith('/graphql') && (r.postData() ?? '').includes(operation)), click()]);
  return pick((sent.postDataJSON() as { variables: never }).variables);
}

describe('the phone country beside every identifier a handler types', () => {
  it('Find a person sends a national number with the country chosen', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: 'Find a person' }).click();
    await page.getByRole('heading', { name: 'Find a person' }).waitFor();
    await page.getByLabel('Identifier 1 type', { exact: true }).and(page.locator('input')).click();
    await page.getByRole('option', { name: 'Phone', exact: true }).click();
    await page.getByLabel('Identifier 1 value').fill('07 11 22 33 44');
    await chooseCountry(page, 'Identifier 1 country', 'Fra', 'FR — France');
    const sent = await sentIdentifiers(
      page,
      'FindPerson',
      () => page.getByRole('button', { name: 'Search' }).click(),
      (v: { query: { identifiers: unknown[] } }) => v.query.identifiers,
    );
    expect(sent).toEqual([{ type: 'PHONE', value: '07 11 22 33 44', country: 'FR' }]);
    await page.getByRole('region', { name: 'Sources asked' }).or(page.getByRole('alert')).first().waitFor();
    expect(await page.getByText('INVALID_IDENTIFIER').count()).toBe(0);
    expect(browser.violations).toEqual([]);
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    await page.close();
  }, 60_000);

  it('the inbox search finds the request of a French number typed in national form with FR, not with the default', async () => {
    const submitted = await gw.graphql<{ submitRequest: { id: string } }>(
      `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
      {
        input: {
          type: 'ACCESS',
          identifiers: [
            { type: 'PHONE', value: '+33 6 12 34 56 78' },
            { type: 'EMAIL', value: 'inbox-phone@example.fr' },
          ],
        },
      },
      { authorization: `Bearer ${key}` },
    );
    const requestId = submitted.body.data!.submitRequest.id;
    const page = await signedIn();
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByLabel('Identifier type', { exact: true }).and(page.locator('input')).click();
    await page.getByRole('option', { name: 'Phone', exact: true }).click();
    await page.getByLabel('Identifier value').fill('06 12 34 56 78');
    // No country: read as British (the deployment's default), not this person.
    await page.getByRole('search').getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('0 requests of the person searched for').waitFor();
    await chooseCountry(page, 'Country', 'Fra', 'FR — France');
    const sent = await sentIdentifiers(
      page,
      'Inbox',
      () => page.getByRole('search').getByRole('button', { name: 'Search', exact: true }).click(),
      (v: { filter: { identifier: unknown } }) => v.filter.identifier,
    );
    expect(sent).toEqual({ type: 'PHONE', value: '06 12 34 56 78', country: 'FR' });
    await page.getByText('1 request of the person searched for').waitFor();
    expect(await page.getByTestId('inbox-row').allInnerTexts()).toEqual([expect.stringContaining(requestId.slice(0, 8))]);
    expect(browser.violations).toEqual([]);
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    await screenshot(page, 'inbox-search-phone-country');
    await page.close();
  }, 60_000);

  it('the tombstone check reads a national number in the country chosen', async () => {
    const s = gw.runtime.services;
    const identifiers = [{ type: IdentifierType.PHONE, value: FRENCH_MOBILE }];
    const erasing = await insertApprovedRequest(s, { identifiers, status: RequestStatus.COMPLETED, decisions: [] });
    await s.tombstones.record(erasing, normaliseQueryIdentifiers(identifiers), new Date());
    const page = await signedIn();
    await page.getByRole('link', { name: 'Tombstone check' }).click();
    await page.getByLabel('Identifier 1 type', { exact: true }).and(page.locator('input')).click();
    await page.getByRole('option', { name: 'Phone', exact: true }).click();
    await page.getByLabel('Identifier 1 value').fill('07 11 22 33 44');
    await chooseCountry(page, 'Identifier 1 country', 'Fra', 'FR — France');
    const sent = await sentIdentifiers(
      page,
      'TombstoneCheck',
      () => page.getByRole('button', { name: 'Check', exact: true }).click(),
      (v: { identifiers: unknown[] }) => v.identifiers,
    );
    expect(sent).toEqual([{ type: 'PHONE', value: '07 11 22 33 44', country: 'FR' }]);
    await page.getByText('Erased person').waitFor();
    expect(await page.getByTestId('tombstone-request').innerText()).toBe(erasing);
    expect(browser.violations).toEqual([]);
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    await page.close();
  }, 60_000);
});
