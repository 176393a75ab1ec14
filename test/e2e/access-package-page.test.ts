// The page an access-package link opens, in a real Chromium: the token leaves the address
// bar, nothing downloads until the person presses the button, the press saves the archive
// once, and the page's Content-Security-Policy blocks nothing it needs.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsoleBrowser, type ConsoleBrowser } from './console/browser.js';
import { issueAccessPackageLink } from '../support/access-package-download.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;
let browser: ConsoleBrowser;

beforeAll(async () => {
  gw = await startTestGateway({ worker: false });
  browser = await launchConsoleBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

async function downloadedAt(requestId: string): Promise<Date | null> {
  return (await gw.runtime.services.stores.requests.latestPackage(requestId))!.downloadedAt;
}

describe('the access-package page in a browser', () => {
  for (const form of ['fragment', 'path'] as const) {
    it(`a link with the token in the ${form}: opening it downloads nothing and clears the token from the address; the button saves the archive once`, async () => {
      const { requestId, url, token } = await issueAccessPackageLink(gw.runtime.services);
      const link = form === 'fragment' ? `${gw.url}${url}` : `${gw.url}/v1/access-packages/${token}`;
      const page = await browser.newPage();
      await page.goto(link);
      const button = page.getByRole('button', { name: 'Download my copy' });
      await expect.poll(() => button.isEnabled()).toBe(true);
      expect(page.url()).toBe(`${gw.url}/v1/access-packages/open`);
      expect(await downloadedAt(requestId)).toBeNull();

      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      expect(download.suggestedFilename()).toBe(`access-package-${requestId}.zip`);
      expect(
        readFileSync((await download.path())!)
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
      await expect.poll(() => page.getByRole('status').innerText()).toContain('The link is now used up');
      expect(await downloadedAt(requestId)).not.toBeNull();

      await page.close();

      // Opened again from the letter: the page says the link was used.
      const again = await browser.newPage();
      await again.goto(link);
      await again.getByRole('button', { name: 'Download my copy' }).click();
      await expect.poll(() => again.getByRole('status').innerText()).toContain('already used');
      expect(browser.violations).toEqual([]);
      await again.close();
    }, 60_000);
  }
});
