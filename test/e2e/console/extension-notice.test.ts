// R5: the console's request page extends the deadline with a reason, shows the notice to send
// the person (the new date, the reason) as "to be sent", and records it sent on one click.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestStatus, RequestType } from '../../../src/domain/vocabulary.js';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { CHROMIUM, launchConsoleBrowser, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

let gw: TestGateway;
let browser: ConsoleBrowser;
let key = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  gw = await startTestGateway({ worker: false });
  key = (await gw.runtime.services.apiKeys.create({ name: 'extension notice', roles: ['HANDLER'], controllerIds: [] })).clearKey;
  browser = await launchConsoleBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

describe('the extension notice on the request page (R5)', () => {
  it('extending shows the notice to be sent; "Mark extension notice sent" records it, audited', async () => {
    const requestId = await insertApprovedRequest(gw.runtime.services, {
      type: RequestType.ACCESS,
      status: RequestStatus.IN_REVIEW,
      identifiers: [],
      decisions: [],
    });
    const page = await browser.newPage();
    await page.goto(`${gw.url}/console/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('principal').waitFor();
    await page.goto(`${gw.url}/console/requests/${requestId}`);

    await page.getByLabel('Reason for an extension').fill('several systems to search');
    await page.getByRole('button', { name: 'Extend by two months' }).click();
    const notice = page.getByTestId('extension-notice');
    await notice.getByText('to be sent').waitFor();
    expect(await notice.getByTestId('extension-notice-letter').innerText()).toContain('The reason: several systems to search.');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await notice.getByRole('button', { name: 'Mark extension notice sent' }).click();
    await notice.getByText(/sent, recorded/).waitFor();
    expect(await notice.getByRole('button', { name: 'Mark extension notice sent' }).count()).toBe(0);
    const audited = await gw.runtime.services.dataSource.query(`SELECT 1 FROM audit_log WHERE action = 'request.extension-notice-sent' AND target_id = $1`, [
      requestId,
    ]);
    expect(audited).toHaveLength(1);
    // Ids only in the address bar: no reason, no date.
    expect(page.url()).toBe(`${gw.url}/console/requests/${requestId}`);
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 60_000);
});
