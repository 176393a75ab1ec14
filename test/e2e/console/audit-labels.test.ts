// The audit trail in words: the audit log and a request's timeline show each entry's action
// as a label (the name it is recorded and filtered under beneath it), never the bare name.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { AuditAction } from '../../../src/audit/index.js';
import { IdentifierType, RequestStatus } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { CHROMIUM, launchConsoleBrowser, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

const LABEL = 'Lost tasks failed (request rejected or cancelled)';

let gw: TestGateway;
let browser: ConsoleBrowser;
let requestId: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  gw = await startTestGateway({ worker: false, env: { SCHEDULERS: 'false' } });
  const s = gw.runtime.services;
  requestId = await insertApprovedRequest(s, {
    identifiers: [{ type: IdentifierType.EMAIL, value: 'audit-labels@example.org' }],
    status: RequestStatus.CANCELLED,
    decisions: [],
  });
  await s.audit.record({
    actor: { id: 'system:worker', kind: 'worker' },
    action: AuditAction.REQUEST_FAIL_STRANDED,
    target: { type: 'request', id: requestId },
    params: { tasks: 1 },
    outcome: 'SUCCESS',
  });
  browser = await launchConsoleBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

async function signIn(roles: string[]): Promise<Page> {
  const key = (await bearer(gw, roles)).authorization!.slice('Bearer '.length);
  const page = await browser.newPage();
  await page.goto(`${gw.url}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('principal').waitFor();
  return page;
}

describe('audit actions in words', () => {
  it('the audit log labels each action, the recorded name beneath', async () => {
    const page = await signIn(['AUDITOR']);
    await page.getByRole('link', { name: 'Audit log' }).click();
    const row = page.getByTestId('audit-row').filter({ hasText: LABEL });
    await row.waitFor();
    expect(await row.getByTestId('audit-action').innerText()).toBe(`${LABEL}\nrequest.fail-stranded`);
    // Every action on the page has a label: none is shown as its bare name alone.
    for (const cell of await page.getByTestId('audit-action').allInnerTexts()) expect(cell.split('\n')).toHaveLength(2);
    expect(browser.violations).toEqual([]);
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    await page.close();
  }, 60_000);

  it("a request's timeline labels its audit entries", async () => {
    const page = await signIn(['HANDLER']);
    await page.goto(`${gw.url}/console/requests/${requestId}`);
    const entry = page.locator('[data-testid="timeline-entry"][data-kind="AUDIT"]').filter({ hasText: 'request.fail-stranded' });
    await entry.waitFor();
    expect(await entry.innerText()).toContain(LABEL);
    expect(browser.violations).toEqual([]);
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    await page.close();
  }, 60_000);
});
