// The request page in a real browser for a handler bound to controllers: on a request that
// holds records of a controller outside its key, the acts on the whole request (approve,
// acknowledge, extend, hold, cancel, reject, …), which the API would refuse, are not
// offered, and the page says why once; a handler whose key sees every record is offered them.
// Should the request change between reading and clicking, the API's refusal is shown in words.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { IdentifierType, RecordAction, RequestStatus } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { CHROMIUM, launchConsoleBrowser, screenshot, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

const A = 'EMP-001';
const B = 'EMP-002';
const WHOLE_REQUEST_ACTIONS = ['Approve and execute', 'Mark acknowledged', 'Extend by two months', 'Put on hold', 'Cancel request', 'Reject request'];
const EXPLANATION = /records of controllers outside your key/;

let gw: TestGateway;
let browser: ConsoleBrowser;
let requestId: string;
const keys = { boundToA: '', unbound: '' };

const sql = <R = Record<string, unknown>>(text: string, params: unknown[]) => gw.runtime.services.dataSource.query(text, params) as Promise<R[]>;
const clearKey = (headers: Record<string, string>) => headers.authorization!.slice('Bearer '.length);

async function openRequest(key: string, id = requestId): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${gw.url}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('principal').waitFor();
  await page.goto(`${gw.url}/console/requests/${id}`);
  // The page renders from one query: once the status shows, so do the actions it offers.
  await page.getByTestId('status').waitFor();
  expect((await page.getByTestId('status').textContent())?.trim()).toBe('In review');
  return page;
}

async function buttonsShown(page: Page): Promise<string[]> {
  const shown: string[] = [];
  for (const name of WHOLE_REQUEST_ACTIONS) if ((await page.getByRole('button', { name, exact: true }).count()) > 0) shown.push(name);
  return shown;
}

async function expectAccessible(page: Page, screen: string): Promise<void> {
  const serious = await seriousAxeViolations(page);
  expect(browser.violations, `CSP violations on ${screen}`).toEqual([]);
  expect(serious.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help}`)).toEqual([]);
  await screenshot(page, screen);
}

/** An erasure in review holding a case of each of these controllers (request and records written straight to the tables). */
async function requestHolding(controllers: { a: string; b: string }): Promise<string> {
  const id = await insertApprovedRequest(gw.runtime.services, {
    identifiers: [{ type: IdentifierType.EMAIL, value: 'two-controllers@example.org' }],
    status: RequestStatus.IN_REVIEW,
    decisions: [
      { sourceId: 'case_management', recordId: 'case-of-a', recordType: 'case', action: RecordAction.ERASE },
      { sourceId: 'case_management', recordId: 'case-of-b', recordType: 'case', action: RecordAction.ERASE },
    ],
  });
  await sql(`UPDATE data_subject_request SET controller_ids = $2 WHERE id = $1`, [id, [A, B]]);
  await sql(`UPDATE request_record SET controller_id = CASE record_id WHEN 'case-of-a' THEN $2 ELSE $3 END WHERE request_id = $1`, [
    id,
    controllers.a,
    controllers.b,
  ]);
  return id;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  gw = await startTestGateway({ worker: false, env: { SCHEDULERS: 'false' } });
  requestId = await requestHolding({ a: A, b: B });
  keys.boundToA = clearKey(await bearer(gw, ['HANDLER'], [A]));
  keys.unbound = clearKey(await bearer(gw, ['HANDLER']));
  browser = await launchConsoleBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

describe('acts on the whole request in the console', () => {
  it("a handler bound to A is offered none of them on a request holding B's records, and is told why once", async () => {
    const page = await openRequest(keys.boundToA);
    expect(await page.getByText(EXPLANATION).count()).toBe(1);
    expect(await buttonsShown(page)).toEqual([]);
    // What concerns A's own records stays: the page shows them, not B's.
    expect(await page.getByText('case-of-a').count()).toBeGreaterThan(0);
    expect(await page.getByText('case-of-b').count()).toBe(0);
    await expectAccessible(page, '18-whole-request-bound-handler');
    await page.close();
  }, 60_000);

  it('a handler whose key sees every record is offered them, with no explanation', async () => {
    const page = await openRequest(keys.unbound);
    expect(await buttonsShown(page)).toEqual(WHOLE_REQUEST_ACTIONS);
    expect(await page.getByText(EXPLANATION).count()).toBe(0);
    await expectAccessible(page, '19-whole-request-unbound-handler');
    await page.close();
  }, 60_000);

  it('a request that comes to hold records of another controller after the page was read: the click is refused by the API, and the page says why', async () => {
    const id = await requestHolding({ a: A, b: A });
    const page = await openRequest(keys.boundToA, id);
    expect(await page.getByText(EXPLANATION).count()).toBe(0);
    // Meanwhile a record of B joins the request (a search again, say).
    await sql(`UPDATE request_record SET controller_id = $2 WHERE request_id = $1 AND record_id = 'case-of-b'`, [id, B]);
    await page.getByRole('button', { name: 'Mark acknowledged', exact: true }).click();
    // The refusal says it is the controllers, not only the roles, with the API's reason beneath.
    const alert = page.getByRole('alert').filter({ hasText: 'Your roles or your controllers do not allow this action.' });
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toContain('a handler who may see the whole request must do this');
    const [row] = await sql<{ acknowledged_at: Date | null }>(`SELECT acknowledged_at FROM data_subject_request WHERE id = $1`, [id]);
    expect(row!.acknowledged_at).toBeNull();
    await page.close();
  }, 60_000);
});
