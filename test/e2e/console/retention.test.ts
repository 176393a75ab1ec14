// The console's Retention screen (R9) in a real browser against a real gateway: real
// PostgreSQL, two reference stores with a few records aged past retention, a worker running
// the destruction tasks. A handler prepares, reads and approves a preview and watches it
// complete; an auditor reads the runs and is offered no action.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { IdentifierType, RecordAction, RequestStatus, SourceKind } from '../../../src/domain/vocabulary.js';
import { insertApprovedRequest } from '../../support/requests-fixture.js';
import { CHROMIUM, launchConsoleBrowser, screenshot, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

const SYSTEMS = { case_management: SourceKind.CASE_MANAGEMENT, training: SourceKind.TRAINING } as const;

let gw: TestGateway;
let browser: ConsoleBrowser;
let footageDir: string;
const keys = { handler: '', auditor: '' };
let destroyed = 0;
const aged: Record<keyof typeof SYSTEMS, string[]> = { case_management: [], training: [] };

const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => gw.runtime.services.dataSource.query(text, params) as Promise<R[]>;

async function api<T>(query: string, variables: Record<string, unknown>, key: string): Promise<T> {
  const r = await gw.graphql<T>(query, variables, { authorization: `Bearer ${key}` });
  if (!r.body.data) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data;
}

const prepareOverApi = async (): Promise<string> =>
  (await api<{ prepareRetentionRun: { id: string } }>(`mutation { prepareRetentionRun { id } }`, {}, keys.handler)).prepareRetentionRun.id;

async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(`${gw.url}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('principal').waitFor();
}

async function expectAccessible(page: Page, screen: string): Promise<void> {
  const serious = await seriousAxeViolations(page);
  expect(browser.violations, `CSP violations on ${screen}`).toEqual([]);
  expect(serious.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await screenshot(page, screen);
}

/** Waits until the element's text matches (the page polls and re-renders on its own). */
async function waitText(locator: Locator, pattern: RegExp, timeout = 30_000): Promise<void> {
  await expect.poll(async () => ((await locator.textContent()) ?? '').trim(), { timeout, interval: 250 }).toMatch(pattern);
}

/** Clicks Prepare preview and waits for the new run at the top of the list, PREVIEWED; its id. */
async function prepareInPage(page: Page): Promise<string> {
  await page.getByTestId('retention-runs').waitFor({ state: 'attached' });
  const before = new Set(await page.getByTestId('retention-run').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-run'))));
  await page.getByRole('button', { name: 'Prepare preview' }).click();
  let id = '';
  await expect
    .poll(
      async () => {
        id =
          (await page
            .getByTestId('retention-run')
            .first()
            .getAttribute('data-run', { timeout: 1000 })
            .catch(() => null)) ?? '';
        return id !== '' && !before.has(id);
      },
      { timeout: 30_000, interval: 250 },
    )
    .toBe(true);
  await waitText(runCard(page, id).getByTestId('run-status'), /^Previewed$/);
  return id;
}

const runCard = (page: Page, id: string) => page.locator(`[data-testid="retention-run"][data-run="${id}"]`);
const sourceRow = (card: Locator, sourceId: string) => card.locator(`[data-testid="retention-source"][data-source="${sourceId}"]`);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  gw = await startTestGateway({ env: { SCHEDULERS: 'false', TASK_BACKOFF_MS: '50' } });
  footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-console-retention-'));
  await seedReferenceSources({ url: gw.databaseUrl, people: 40, seed: 47, systems: ['case_management', 'training'], footageDir });
  for (const [system, kind] of Object.entries(SYSTEMS)) {
    await gw.runtime.services.sources.register(
      { id: system, name: system, kind, type: 'builtin', connection: { system, schema: system, url: gw.databaseUrl } },
      'test',
    );
  }
  // Everything recent, then three cases and two learners four years past their last activity.
  for (const table of ['case_management.cases', 'training.learners']) {
    await sql(`UPDATE ${table} SET created_at = now() - interval '10 days', last_activity_at = now() - interval '10 days'`);
  }
  const age = async (table: string, where: string, n: number) => {
    const ids = (await sql<{ id: string }>(`SELECT id FROM ${table} ${where} ORDER BY id LIMIT ${n}`)).map((r) => r.id);
    await sql(`UPDATE ${table} SET created_at = now() - interval '4 years', last_activity_at = now() - interval '4 years' WHERE id = ANY($1)`, [ids]);
    return ids;
  };
  const cases = await age('case_management.cases', 'WHERE controller_id IS NULL', 4);
  aged.case_management = cases.slice(0, 3);
  // An open request keeps the fourth aged case: the preview says so.
  await insertApprovedRequest(gw.runtime.services, {
    identifiers: [{ type: IdentifierType.EMAIL, value: 'held@example.org' }],
    status: RequestStatus.IN_REVIEW,
    decisions: [{ sourceId: 'case_management', recordId: cases[3]!, recordType: 'case', action: RecordAction.RETAIN, basis: 'legal claim pending' }],
  });
  aged.training = await age('training.learners', '', 2);
  keys.handler = (await bearer(gw, ['HANDLER'])).authorization!.slice('Bearer '.length);
  keys.auditor = (await bearer(gw, ['AUDITOR'])).authorization!.slice('Bearer '.length);
  browser = await launchConsoleBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  if (footageDir) await rm(footageDir, { recursive: true, force: true });
});

describe('the Retention screen in Chromium', () => {
  it('a HANDLER prepares a preview, reads its counts per source and record type, approves it and sees it complete', async () => {
    const page = await browser.newPage();
    await signIn(page, keys.handler);
    await page.getByRole('link', { name: 'Retention', exact: true }).click();
    await page.getByRole('heading', { name: 'Retention', exact: true }).waitFor();
    await page.getByText('No retention run yet.').waitFor();
    const runId = await prepareInPage(page);
    const card = runCard(page, runId);
    // The counts the API gives, per source, record type and action, as the page shows them:
    // the aged cases and learners with what is erased with them (parties, certificates).
    type Count = { recordType: string; action: string; count: number };
    const { retentionRun: previewed } = await api<{ retentionRun: { sources: { sourceId: string; toDestroy: Count[] }[] } }>(
      `query($id: ID!) { retentionRun(id: $id) { sources { sourceId toDestroy { recordType action count } } } }`,
      { id: runId },
      keys.auditor,
    );
    const counts = Object.fromEntries(previewed.sources.map((s) => [s.sourceId, s.toDestroy]));
    expect(counts.case_management).toContainEqual({ recordType: 'case', action: 'ERASE', count: 3 });
    expect(counts.training).toContainEqual({ recordType: 'learner', action: 'ERASE', count: 2 });
    const shown = (list: Count[]) => list.map((c) => `${c.count} ${c.recordType} (${c.action.charAt(0)}${c.action.slice(1).toLowerCase()})`).join('');
    for (const sourceId of ['case_management', 'training']) {
      expect(await sourceRow(card, sourceId).getByTestId('to-destroy').textContent()).toBe(shown(counts[sourceId]!));
    }
    destroyed = Object.values(counts).reduce((sum, list) => sum + list.reduce((n, c) => n + c.count, 0), 0);
    expect(await card.getByTestId('run-total').textContent()).toBe(String(destroyed));
    // Sample record ids to look at before approving.
    for (const id of aged.case_management) expect(await sourceRow(card, 'case_management').textContent()).toContain(id);
    // What is kept, and why.
    expect(await sourceRow(card, 'case_management').getByTestId('kept').textContent()).toBe('1 Open request');
    expect(await sourceRow(card, 'training').getByTestId('kept').textContent()).toBe('—');
    await expectAccessible(page, 'retention-01-preview');

    // Nothing is destroyed before approval.
    expect((await sql(`SELECT 1 FROM case_management.cases WHERE id = ANY($1)`, [aged.case_management])).length).toBe(3);
    // Approving destroys for good: the first click only asks.
    await page.getByRole('button', { name: `Approve retention run ${runId}` }).click();
    const confirmButton = page.getByRole('button', { name: `Confirm: destroy the records of retention run ${runId}` });
    await confirmButton.waitFor();
    expect((await sql<{ status: string }>(`SELECT status FROM retention_run WHERE id = $1`, [runId]))[0]?.status).toBe('PREVIEWED');
    await page.getByRole('button', { name: `Do not approve retention run ${runId}` }).click();
    await page.getByRole('button', { name: `Approve retention run ${runId}` }).click();
    await confirmButton.click();
    // The page polls while the run executes; no reload.
    await waitText(runCard(page, runId).getByTestId('run-status'), /^Completed$/, 60_000);
    await waitText(runCard(page, runId).getByTestId('run-outcome'), /^Destroyed and verified: (\d+) · failed: 0 · held since the preview: 0/);
    expect(await runCard(page, runId).getByTestId('run-outcome').textContent()).toContain(`Destroyed and verified: ${destroyed} ·`);
    expect(await page.getByRole('button', { name: `Approve retention run ${runId}` }).count()).toBe(0);
    expect(await sql(`SELECT 1 FROM case_management.cases WHERE id = ANY($1)`, [aged.case_management])).toEqual([]);
    expect(await sql(`SELECT 1 FROM training.learners WHERE id = ANY($1)`, [aged.training])).toEqual([]);

    // The run's detail: every task done.
    await page.getByRole('link', { name: `Details of retention run ${runId}` }).click();
    await page.waitForURL(new RegExp(`/console/retention/${runId}$`));
    await waitText(page.getByTestId('task-progress'), new RegExp(`^${destroyed} tasks: ${destroyed} Succeeded$`));
    expect(await page.getByTestId('retention-items').textContent()).toMatch(/Kept: Open request \(request [0-9a-f-]{36} is open and holds this record\)/);
    await expectAccessible(page, 'retention-02-run-detail');
    // Ids only in the address and the key only in this tab's storage.
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual(['dsr-console-key']);
    await page.close();
  }, 120_000);

  it('a HANDLER previews a chosen source and cancels it, and approving one superseded meanwhile shows the error with its code', async () => {
    const page = await browser.newPage();
    await signIn(page, keys.handler);
    await page.getByRole('link', { name: 'Retention', exact: true }).click();
    // A preview of the chosen sources only.
    await page.getByRole('checkbox', { name: 'training' }).check();
    const cancelled = await prepareInPage(page);
    expect(
      await runCard(page, cancelled)
        .getByTestId('retention-source')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-source'))),
    ).toEqual(['training']);
    await page.getByRole('checkbox', { name: 'training' }).uncheck();
    await page.getByRole('button', { name: `Cancel retention run ${cancelled}` }).click();
    await waitText(runCard(page, cancelled).getByTestId('run-status'), /^Cancelled$/);

    const stale = await prepareInPage(page);
    expect(stale).not.toBe(cancelled);
    // Someone else prepares a newer preview of the same sources while this page is open.
    const newer = await prepareOverApi();
    await page.getByRole('button', { name: `Approve retention run ${stale}` }).click();
    await page.getByRole('button', { name: `Confirm: destroy the records of retention run ${stale}` }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The run did not change' });
    await waitText(alert, /RETENTION_RUN_NOT_PREVIEWED/);
    // The list was read again: the stale run shows it was superseded, and by which.
    await waitText(runCard(page, stale).getByTestId('run-status'), /^Superseded$/);
    expect(await runCard(page, stale).getByTestId('superseded-by').textContent()).toContain(newer);
    await expectAccessible(page, 'retention-03-superseded-error');
    await page.close();
  }, 90_000);

  it('an AUDITOR reads the runs but is offered no preview, approval or cancellation', async () => {
    const previewed = await prepareOverApi();
    const page = await browser.newPage();
    await signIn(page, keys.auditor);
    await page.getByRole('link', { name: 'Retention', exact: true }).click();
    await waitText(runCard(page, previewed).getByTestId('run-status'), /^Previewed$/);
    expect(await page.getByTestId('retention-run').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('[data-testid="retention-run"][data-status="COMPLETED"]').count()).toBe(1);
    expect(await page.getByRole('button', { name: /^(Approve|Cancel) retention run / }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Prepare preview' }).count()).toBe(0);
    await expectAccessible(page, 'retention-04-auditor');
    await page.close();
  }, 60_000);

  it('older runs are a page away: 20 a page, Older runs and Newer runs move through every run, none lost or shown twice', async () => {
    const list = async () =>
      (await api<{ retentionRuns: { id: string }[] }>(`{ retentionRuns(first: 100) { id } }`, {}, keys.handler)).retentionRuns.map((r) => r.id);
    while ((await list()).length < 23) await prepareOverApi();
    const all = await list();
    const page = await browser.newPage();
    await signIn(page, keys.handler);
    await page.getByRole('link', { name: 'Retention', exact: true }).click();
    const shown = () => page.getByTestId('retention-run').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-run')));
    await expect.poll(shown).toEqual(all.slice(0, 20));
    expect(await page.getByRole('button', { name: 'Newer runs' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Older runs' }).click();
    await expect.poll(shown).toEqual(all.slice(20, 40));
    expect(await page.getByRole('button', { name: 'Older runs' }).isDisabled()).toBe(all.length <= 40);
    await page.getByRole('button', { name: 'Newer runs' }).click();
    await expect.poll(shown).toEqual(all.slice(0, 20));
    await page.close();
  }, 90_000);
});
