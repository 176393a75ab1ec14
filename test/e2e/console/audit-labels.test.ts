// The audit trail in words: the audit log and a request's timeline show each entry's action
// as a label (the name it is recorded under beneath it), never the bare name; the timeline's
// status changes show their event in words too, and the audit log's Action filter offers the
// labels and sends the recorded name.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { AuditAction } from '../../../src/audit/index.js';
import { IdentifierType, RequestStatus } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { AUDIT_ACTION_LABELS, REQUEST_EVENT_LABELS } from '../../../src/console/src/components/audit-labels.js';
import { CHROMIUM, launchConsoleBrowser, SCREENSHOTS, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

const LABEL = 'Lost tasks failed (request rejected or cancelled)';

let gw: TestGateway;
let browser: ConsoleBrowser;
let requestId: string;
/** A request taken through the API: submitted, verified, held, resumed and cancelled. */
let movedId: string;

async function api<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<T> {
  const reply = await gw.graphql<T>(query, variables, headers);
  if (!reply.body.data) throw new Error(JSON.stringify(reply.body.errors));
  return reply.body.data;
}

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
  const handler = await bearer(gw, ['HANDLER']);
  const submitted = await api<{ submitRequest: { id: string } }>(
    `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
    { input: { type: 'ERASURE', identifiers: [{ type: 'EMAIL', value: 'event-labels@example.org' }] } },
    handler,
  );
  movedId = submitted.submitRequest.id;
  await api(
    `mutation($id: ID!, $input: IdentityVerificationInput!) { verifyIdentity(requestId: $id, input: $input) { id } }`,
    { id: movedId, input: { method: 'passport', evidenceRef: 'ev-1' } },
    handler,
  );
  await api(
    `mutation($id: ID!, $reason: String!) { holdRequest(requestId: $id, reason: $reason) { id } }`,
    { id: movedId, reason: 'awaiting a letter' },
    handler,
  );
  await api(`mutation($id: ID!) { resumeRequest(requestId: $id) { id } }`, { id: movedId }, handler);
  await api(`mutation($id: ID!, $reason: String!) { cancelRequest(requestId: $id, reason: $reason) { id } }`, { id: movedId, reason: 'withdrawn' }, handler);
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

  it("a request's timeline shows each status change's event in words, the recorded name beneath", async () => {
    const page = await signIn(['HANDLER']);
    await page.goto(`${gw.url}/console/requests/${movedId}`);
    // The What column of each status change.
    const changes = page.locator('[data-testid="timeline-entry"][data-kind="TRANSITION"] > td:nth-child(3)');
    await changes.first().waitFor();
    const verified = changes.filter({ hasText: 'verifyIdentity' });
    expect(await verified.innerText()).toBe(`${REQUEST_EVENT_LABELS['verifyIdentity']} (Received → Identity verified)\nverifyIdentity`);
    // Submitted, verified, held, resumed, cancelled (and whatever verifying moved on to): each in words.
    const cells = await changes.allInnerTexts();
    expect(cells.length).toBeGreaterThanOrEqual(5);
    for (const cell of cells) {
      const [words, event] = cell.split('\n');
      expect(REQUEST_EVENT_LABELS[event!], cell).toBeDefined();
      expect(words!.startsWith(`${REQUEST_EVENT_LABELS[event!]} (`), cell).toBe(true);
    }
    await page.getByTestId('timeline').screenshot({ path: join(SCREENSHOTS, 'request-timeline-events.png') });
    expect(browser.violations).toEqual([]);
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    await page.close();
  }, 60_000);

  it("the audit log's Action filter offers every action in words and sends the recorded name", async () => {
    const page = await signIn(['AUDITOR']);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByTestId('audit-row').first().waitFor();
    const filter = page.getByLabel('Action', { exact: true }).and(page.locator('input'));
    await filter.click();
    expect(await page.getByRole('option').count()).toBe(Object.keys(AUDIT_ACTION_LABELS).length);
    // The recorded name finds its label too (it is what the log shows beneath each action).
    await filter.fill('request.fail-str');
    const option = page.getByRole('option', { name: LABEL });
    expect(await page.getByRole('option').allInnerTexts()).toEqual([`${LABEL}\nrequest.fail-stranded`]);
    await page.screenshot({ path: join(SCREENSHOTS, 'audit-action-filter.png') });
    const filtered = page.waitForResponse((r) => (r.request().postData() ?? '').includes('"action":"request.fail-stranded"'));
    await option.click();
    await filtered;
    await expect.poll(() => page.getByTestId('audit-action').allInnerTexts(), { timeout: 10_000 }).toEqual([`${LABEL}\nrequest.fail-stranded`]);
    expect(browser.violations).toEqual([]);
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    await page.close();
  }, 60_000);
});
