// The console's tombstone check in a real browser for a feed's key bound to a controller:
// a person erased by a request of another controller counts for its guard, but the request
// is not named; the screen says so in words, apart from "—" for a person not erased. The
// same person checked with a key bound to no controller shows the request.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { IdentifierType, RequestStatus } from '../../../src/domain/vocabulary.js';
import { normaliseQueryIdentifiers } from '../../../src/identity/index.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { CHROMIUM, launchConsoleBrowser, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

const ERASED = 'erased-elsewhere@example.org';
const NOT_ERASED = 'never-erased@example.org';

let gw: TestGateway;
let browser: ConsoleBrowser;
let requestId: string;
const keys = { boundToA: '', unbound: '' };
const clearKey = (headers: Record<string, string>) => headers.authorization!.slice('Bearer '.length);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  gw = await startTestGateway({ worker: false, env: { SCHEDULERS: 'false' } });
  const s = gw.runtime.services;
  const identifiers = [{ type: IdentifierType.EMAIL, value: ERASED }];
  requestId = await insertApprovedRequest(s, { identifiers, status: RequestStatus.COMPLETED, decisions: [] });
  await s.dataSource.query(`UPDATE data_subject_request SET controller_ids = $2 WHERE id = $1`, [requestId, ['EMP-B']]);
  await s.tombstones.record(requestId, normaliseQueryIdentifiers(identifiers), new Date());
  keys.boundToA = clearKey(await bearer(gw, ['CONNECTOR'], ['EMP-A']));
  keys.unbound = clearKey(await bearer(gw, ['CONNECTOR']));
  browser = await launchConsoleBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

/** Signs in, checks both people on the tombstone screen and answers the "By request" cells. */
async function check(key: string): Promise<{ page: Page; cells: string[] }> {
  const page = await browser.newPage();
  await page.goto(`${gw.url}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('principal').waitFor();
  await page.getByRole('link', { name: 'Tombstone check' }).click();
  await page.getByLabel('Identifier 1 value').fill(ERASED);
  await page.getByRole('button', { name: 'Add an identifier' }).click();
  await page.getByLabel('Identifier 2 value').fill(NOT_ERASED);
  await page.getByRole('button', { name: 'Check' }).click();
  await page.getByTestId('tombstone-request').first().waitFor();
  return { page, cells: (await page.getByTestId('tombstone-request').allInnerTexts()).map((t) => t.trim()) };
}

describe('tombstone check: an erasure the caller may not see', () => {
  it('a key bound to another controller reads "erased — request outside your controllers", told apart from "—" (not erased)', async () => {
    const { page, cells } = await check(keys.boundToA);
    expect(cells).toEqual(['erased — request outside your controllers', '—']);
    expect(await page.getByText('Erased person').count()).toBe(1);
    expect(await page.getByText('Not tombstoned').count()).toBe(1);
    expect(browser.violations).toEqual([]);
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    await page.close();
  }, 60_000);

  it('a key bound to no controller is shown the request', async () => {
    const { page, cells } = await check(keys.unbound);
    expect(cells).toEqual([requestId, '—']);
    await page.close();
  }, 60_000);
});
