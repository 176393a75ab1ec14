// The handler console in a real browser against a real gateway: real PostgreSQL, the six
// seeded reference sources, a worker running the tasks. One gateway and one browser are
// shared by every scenario to keep the run short.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { projectRoot } from '../../../src/version.js';
import { bearer } from '../../support/runtime.js';
import { identifiersOf, startSeededGateway, type SeededGateway } from '../../integration/requests/support.js';
import { CHROMIUM, launchConsoleBrowser, screenshot, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

let env: SeededGateway;
let browser: ConsoleBrowser;
const keys: Record<'handler' | 'special' | 'auditor' | 'admin', string> = { handler: '', special: '', auditor: '', admin: '' };

const clearKey = (h: Record<string, string>) => h.authorization!.slice('Bearer '.length);

/** The identifiers the form asks for first: given name, family name, date of birth, e-mail. */
const formIdentifiers = (personId: string) => identifiersOf(personId).slice(0, 4);

interface Found {
  sourceId: string;
  recordId: string;
  band: string;
  controllerId: string | null;
  relationship: string;
  data: unknown;
  retention: { legalHold: boolean };
}

async function subject(personId: string, key: string): Promise<Found[]> {
  const r = await env.gw.graphql<{ subject: { records: Found[] } }>(
    `query($q: SubjectQueryInput!) { subject(query: $q) { records { sourceId recordId band controllerId relationship data retention { legalHold } } } }`,
    { q: { identifiers: formIdentifiers(personId) } },
    { authorization: `Bearer ${key}` },
  );
  if (!r.body.data) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data.subject.records;
}

/** A person with a clinic record (legal hold), a record a client controls, and a REVIEW record. */
async function erasureCandidate(): Promise<string> {
  for (const [personId, refs] of env.truth) {
    if (!refs.some((r) => r.startsWith('clinic/'))) continue;
    const found = await subject(personId, keys.special);
    const clinic = found.some((f) => f.sourceId === 'clinic' && f.relationship === 'SUBJECT' && f.band === 'MATCH' && f.retention.legalHold);
    const controlled = found.some((f) => f.controllerId && f.sourceId !== 'clinic');
    const review = found.some((f) => f.band === 'REVIEW');
    if (clinic && controlled && review) return personId;
  }
  throw new Error('no seeded person with clinic, controlled and REVIEW records');
}

async function expectAccessible(page: Page, screen: string): Promise<void> {
  const serious = await seriousAxeViolations(page);
  expect(serious.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await screenshot(page, screen);
}

/** Waits until the element's text matches (the page polls and re-renders on its own). */
async function waitText(locator: Locator, pattern: RegExp, timeout = 15_000): Promise<void> {
  await expect.poll(async () => ((await locator.textContent()) ?? '').trim(), { timeout, interval: 250 }).toMatch(pattern);
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(`${env.gw.url}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('principal').waitFor();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  env = await startSeededGateway();
  keys.handler = clearKey(await bearer(env.gw, ['HANDLER']));
  keys.special = clearKey(await bearer(env.gw, ['HANDLER', 'SPECIAL_CATEGORY']));
  keys.auditor = clearKey(await bearer(env.gw, ['AUDITOR']));
  keys.admin = clearKey(await bearer(env.gw, ['ADMIN']));
  browser = await launchConsoleBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('handler console in Chromium', () => {
  it('keeps the first screen within 250 kB of gzipped JavaScript', () => {
    const dir = join(projectRoot, 'dist', 'console');
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce((sum, s) => sum + gzipSync(readFileSync(join(dir, s)), { level: 9 }).length, 0);
    console.info(`console initial JavaScript: ${(gzipped / 1024).toFixed(1)} kB gzipped in ${scripts.length} files`);
    expect(gzipped).toBeLessThanOrEqual(250 * 1024);
  });

  it('a HANDLER submits an ERASURE, verifies, reads a waterfall, confirms, instructs, executes and reads the response with the clinic hold', async () => {
    const personId = await erasureCandidate();
    const mine = new Set(env.truth.get(personId)!);
    const page = await browser.newPage();
    await page.goto(`${env.gw.url}/console/`);
    await expectAccessible(page, '01-sign-in');
    await signIn(page, keys.handler);
    expect(await page.getByTestId('role').first().textContent()).toBe('HANDLER');
    // Roles decide the navigation: no audit log or keys for a handler.
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await page.getByTestId('inbox').waitFor();
    await expectAccessible(page, '02-inbox');

    await page.getByRole('link', { name: 'New request' }).first().click();
    await page.getByRole('heading', { name: 'New request' }).waitFor();
    await page.getByLabel('Type', { exact: true }).and(page.locator('input')).click();
    await page.getByRole('option', { name: 'Erasure' }).click();
    const ids = formIdentifiers(personId);
    for (const [i, id] of ids.entries()) await page.getByLabel(`Identifier ${i + 1} value`).fill(id.value);
    await expectAccessible(page, '03-new-request');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/console\/requests\/[0-9a-f-]{36}$/);
    // Ids only in the address: none of the person's identifiers.
    for (const id of ids) expect(page.url()).not.toContain(encodeURIComponent(id.value));
    const requestId = page.url().split('/').pop()!;
    await waitText(page.getByTestId('status'), /^Received$/);

    await page.getByLabel('Method', { exact: false }).fill('passport seen on video call');
    await page.getByLabel('Evidence reference').fill('EV-42');
    await page.getByRole('button', { name: 'Verify identity' }).click();
    await waitText(page.getByTestId('status'), /^(In review|Awaiting controller)$/, 30_000);
    expect(await page.getByTestId('source-outcome').count()).toBe(6);

    // A REVIEW record's explanation, then the handler's verdict on every pending record.
    const pending = page.locator('[data-testid="record-row"][data-review="PENDING"]');
    expect(await pending.count()).toBeGreaterThan(0);
    await pending.first().getByRole('button', { name: /^Explain the match/ }).click();
    await page.getByTestId('waterfall').waitFor();
    await expectAccessible(page, '04-request-review-waterfall');
    while ((await pending.count()) > 0) {
      const row = pending.first();
      const label = (await row.getByRole('button', { name: /^Confirm / }).getAttribute('aria-label'))!;
      const recordId = label.split(' ').pop()!;
      const sourceId = (await row.locator('xpath=ancestor::*[starts-with(@data-testid, "records-")]').getAttribute('data-testid'))!.slice('records-'.length);
      const before = await pending.count();
      const verdict = mine.has(`${sourceId}/${recordId}`) ? 'Confirm' : 'Reject';
      await row.getByRole('button', { name: new RegExp(`^${verdict} `) }).click();
      await expect.poll(() => pending.count(), { timeout: 15_000 }).toBe(before - 1);
    }

    const instruction = page.getByRole('form', { name: 'Record a controller instruction' });
    expect(await instruction.count()).toBe(1);
    while ((await instruction.count()) > 0) {
      await page.getByLabel('Controller’s reference').fill('client letter 12');
      await page.getByRole('button', { name: 'Record instruction' }).click();
      await page.getByRole('row', { name: /client letter 12/ }).first().waitFor();
      await page.waitForTimeout(300);
    }
    await waitText(page.getByTestId('status'), /^In review$/);

    await page.getByRole('button', { name: 'Approve and execute' }).click();
    await waitText(page.getByTestId('status'), /^Completed$/, 90_000);
    const tasks = page.getByTestId('task-row');
    expect(await tasks.count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="task-row"]:not([data-status="SUCCEEDED"])').count()).toBe(0);
    const response = page.getByTestId('response');
    await response.waitFor();
    // The clinic's records are kept under the statutory hold, named in the response.
    const clinicRow = response.getByRole('row').filter({ hasText: /clinic/i });
    expect(await clinicRow.innerText()).toMatch(/until/);
    expect(await page.getByTestId('letter').innerText()).toContain(requestId);
    await expectAccessible(page, '05-request-completed');
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 180_000);
});
