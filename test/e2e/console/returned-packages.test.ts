// The console's request page lists the package an erasure returned to its controller (R6)
// and gives it a new link: the handler renews it, and "Download here" saves the archive
// through the link's token, which the old link no longer opens.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { downloadPackage, storeReturnedPackage } from '../../support/access-package-download.js';
import { CHROMIUM, launchConsoleBrowser, type ConsoleBrowser } from './browser.js';

let gw: TestGateway;
let browser: ConsoleBrowser;
let key = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  gw = await startTestGateway({ worker: false });
  key = (await gw.runtime.services.apiKeys.create({ name: 'returned packages', roles: ['HANDLER', 'SPECIAL_CATEGORY'], controllerIds: [] })).clearKey;
  browser = await launchConsoleBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

describe('R6: packages returned to controllers on the request page', () => {
  it('lists the controller’s package; a new link downloads it here, and the old link is void', async () => {
    const { requestId, url } = await storeReturnedPackage(gw.runtime.services, 'EMP-7');
    const page = await browser.newPage();
    await page.goto(`${gw.url}/console/`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('principal').waitFor();
    await page.goto(`${gw.url}/console/requests/${requestId}`);

    const returned = page.getByTestId('returned-package');
    await returned.waitFor();
    expect(await returned.innerText()).toContain('EMP-7');
    await returned.getByRole('button', { name: 'New download link' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-returned-EMP-7').click()]);
    expect(download.suggestedFilename()).toBe(`access-package-${requestId}.zip`);
    expect(
      readFileSync((await download.path())!)
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    expect(await downloadPackage(gw.url, url)).toEqual({ status: 404, code: 'PACKAGE_NOT_FOUND' });
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 60_000);
});
