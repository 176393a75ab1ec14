// The console's request page revokes a package once built (the identity proved false, the
// link went to the wrong address): "Revoke package" beside "New download link" asks for a
// reason and a confirmation; then the link answers as an expired one and the page says why.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { downloadPackage, issueAccessPackageLink, storeReturnedPackage } from '../../support/access-package-download.js';
import { CHROMIUM, launchConsoleBrowser, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

let gw: TestGateway;
let browser: ConsoleBrowser;
let key = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  gw = await startTestGateway({ worker: false });
  key = (await gw.runtime.services.apiKeys.create({ name: 'package revocation', roles: ['HANDLER'], controllerIds: [] })).clearKey;
  browser = await launchConsoleBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

async function openRequest(requestId: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${gw.url}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('principal').waitFor();
  await page.goto(`${gw.url}/console/requests/${requestId}`);
  return page;
}

describe('revoking a package on the request page', () => {
  it("the person's package: nothing happens until confirmed with a reason; then the link is dead and the page says revoked, and why", async () => {
    const { requestId, url } = await issueAccessPackageLink(gw.runtime.services);
    const page = await openRequest(requestId);
    const card = page.getByTestId('access-package');
    await card.getByRole('button', { name: 'Revoke package' }).click();
    const confirm = card.getByRole('button', { name: 'Revoke now' });
    expect(await confirm.isDisabled()).toBe(true);
    // Changing one's mind leaves the package as it was.
    await card.getByRole('button', { name: 'Keep it' }).click();
    expect(await confirm.count()).toBe(0);
    expect((await downloadPackage(gw.url, url)).status).toBe(200);

    const fresh = await issueAccessPackageLink(gw.runtime.services);
    await page.goto(`${gw.url}/console/requests/${fresh.requestId}`);
    const again = page.getByTestId('access-package');
    await again.getByRole('button', { name: 'Revoke package' }).click();
    await again.getByLabel('Why revoke it').fill('identity proved false');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await again.getByRole('button', { name: 'Revoke now' }).click();
    await again.getByText('Revoked').waitFor();
    expect(await again.innerText()).toContain('identity proved false');
    expect(await again.getByRole('button', { name: 'New download link' }).count()).toBe(0);
    expect(await again.getByRole('button', { name: 'Revoke package' }).count()).toBe(0);
    expect(await downloadPackage(gw.url, fresh.url)).toEqual({ status: 410, code: 'PACKAGE_LINK_EXPIRED' });
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 60_000);

  it('R6: a package returned to a controller is revoked the same way', async () => {
    const { requestId, url } = await storeReturnedPackage(gw.runtime.services, 'EMP-9');
    const page = await openRequest(requestId);
    const returned = page.getByTestId('returned-package');
    await returned.getByRole('button', { name: 'Revoke package' }).click();
    await returned.getByLabel('Why revoke it').fill('sent to the wrong employer');
    await returned.getByRole('button', { name: 'Revoke now' }).click();
    await returned.getByText('Revoked').waitFor();
    expect(await returned.innerText()).toContain('sent to the wrong employer');
    expect(await downloadPackage(gw.url, url)).toEqual({ status: 410, code: 'PACKAGE_LINK_EXPIRED' });
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 60_000);
});
