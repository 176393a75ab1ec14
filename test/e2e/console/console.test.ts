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
import pg from 'pg';
import { insertCase } from '../../../connectors/case-management/roster-import.js';
import { personAt } from '../../../src/population/person.js';
import { identifiersOf, personOfRecord, SEED, startSeededGateway, type SeededGateway } from '../../integration/requests/support.js';
import { startFakeOidcProvider, type FakeOidcProvider } from './fake-oidc-provider.js';
import { CHROMIUM, launchConsoleBrowser, screenshot, seriousAxeViolations, type ConsoleBrowser } from './browser.js';
import { graphqlCodeOf } from '../../support/error-codes.js';

let env: SeededGateway;
let idp: FakeOidcProvider;
let browser: ConsoleBrowser;
const keys: Record<'handler' | 'special' | 'auditor' | 'admin', string> = { handler: '', special: '', auditor: '', admin: '' };

let erasurePerson: string | undefined;
let erasureRequest: string | undefined;

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

/** Values only a SPECIAL_CATEGORY key is shown of this person: the clinic's health data. */
async function healthValues(personId: string): Promise<string[]> {
  const full = await subject(personId, keys.special);
  const limited = JSON.stringify(await subject(personId, keys.handler));
  return [...new Set(full.filter((f) => f.sourceId === 'clinic').flatMap((f) => strings(f.data)))].filter((v) => v.length >= 4 && !limited.includes(v));
}

/** A seeded person whose clinic records hold health data (the erasure test's person first: its clinic records stay under hold). */
async function personWithHealthData(): Promise<{ personId: string; health: string[] }> {
  const people = [...(erasurePerson ? [erasurePerson] : []), ...[...env.truth].filter(([, refs]) => refs.some((r) => r.startsWith('clinic/'))).map(([p]) => p)];
  for (const personId of people) {
    const health = await healthValues(personId);
    if (health.length > 0) return { personId, health };
  }
  throw new Error('no seeded person with health data in the clinic');
}

async function api<T>(query: string, variables: Record<string, unknown>, key: string): Promise<T> {
  const r = await env.gw.graphql<T>(query, variables, { authorization: `Bearer ${key}` });
  if (!r.body.data) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data;
}

interface ApiRequest {
  id: string;
  status: string;
  records: { sourceId: string; recordId: string; reviewState: string }[];
  decisions: { sourceId: string; needsController: boolean }[];
}
const FIELDS = 'id status records { sourceId recordId reviewState } decisions { sourceId needsController }';

/** Submits and verifies a request over the API and settles review and controllers, ready to approve. */
async function readyRequest(personId: string, type: string, key: string): Promise<string> {
  const { submitRequest } = await api<{ submitRequest: ApiRequest }>(
    `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
    { input: { type, identifiers: formIdentifiers(personId), channel: 'email' } },
    key,
  );
  let req = (
    await api<{ verifyIdentity: ApiRequest }>(
      `mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport" }) { ${FIELDS} } }`,
      { id: submitRequest.id },
      key,
    )
  ).verifyIdentity;
  const mine = new Set(env.truth.get(personId)!);
  const pending = req.records.filter((r) => r.reviewState === 'PENDING');
  for (const [mutation, list] of [
    ['confirmMatches', pending.filter((r) => mine.has(`${r.sourceId}/${r.recordId}`))],
    ['rejectMatches', pending.filter((r) => !mine.has(`${r.sourceId}/${r.recordId}`))],
  ] as const) {
    if (list.length === 0) continue;
    const answer = await api<Record<string, ApiRequest>>(
      `mutation($id: ID!, $records: [RecordRefInput!]!) { ${mutation}(requestId: $id, records: $records) { ${FIELDS} } }`,
      { id: req.id, records: list.map(({ sourceId, recordId }) => ({ sourceId, recordId })) },
      key,
    );
    req = answer[mutation]!;
  }
  for (const sourceId of new Set(req.decisions.filter((d) => d.needsController).map((d) => d.sourceId))) {
    await api(
      `mutation($id: ID!, $input: ControllerInstructionInput!) { recordControllerInstruction(requestId: $id, input: $input) { id } }`,
      { id: req.id, input: { sourceId, decision: 'PROCEED', reference: 'letter 7' } },
      key,
    );
  }
  return req.id;
}

/** Every string in a JSON value (the leaves). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

async function expectAccessible(page: Page, screen: string): Promise<void> {
  const serious = await seriousAxeViolations(page);
  // Checked after axe has run: the browser reports violations asynchronously.
  expect(browser.violations, `CSP violations on ${screen}`).toEqual([]);
  expect(serious.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await screenshot(page, screen);
}

/** Elements reaching past the right edge of the window (the page would scroll sideways), named by tag and text. */
async function sidewaysOverflow(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    return [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > width + 1 && e.children.length === 0)
      .slice(0, 10)
      .map((e) => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40));
  })()`)) as string[];
}

/** Waits until the element's text matches (the page polls and re-renders on its own). */
async function waitText(locator: Locator, pattern: RegExp, timeout = 15_000): Promise<void> {
  try {
    await expect.poll(async () => ((await locator.textContent()) ?? '').trim(), { timeout, interval: 250 }).toMatch(pattern);
  } catch (error) {
    // A failed action says why in an alert: the failure names it.
    const alerts = await locator.page().getByRole('alert').allTextContents();
    throw new Error(`${(error as Error).message}\nalerts on the page: ${JSON.stringify(alerts)}`);
  }
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(`${env.gw.url}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('principal').waitFor();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  // OIDC configured, so the sign-in page offers it beside API keys.
  // A group-wide auditor: the token's controllers claim says every controller.
  idp = await startFakeOidcProvider({ sub: 'oidc-auditor-1', roles: ['AUDITOR'], controllers: '*' });
  env = await startSeededGateway({
    DSR_OIDC_ISSUER: idp.issuer,
    DSR_OIDC_AUDIENCE: idp.audience,
    DSR_OIDC_JWKS_URL: `${idp.issuer}/jwks`,
    DSR_OIDC_CONSOLE_CLIENT_ID: idp.clientId,
  });
  keys.handler = clearKey(await bearer(env.gw, ['HANDLER']));
  keys.special = clearKey(await bearer(env.gw, ['HANDLER', 'SPECIAL_CATEGORY']));
  keys.auditor = clearKey(await bearer(env.gw, ['AUDITOR']));
  keys.admin = clearKey(await bearer(env.gw, ['ADMIN']));
  browser = await launchConsoleBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
  await idp?.close();
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
    const t0 = Date.now();
    const step = (what: string) => console.info(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
    const personId = (erasurePerson = await erasureCandidate());
    step(`candidate ${personId}`);
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
    const requestId = (erasureRequest = page.url().split('/').pop()!);
    await waitText(page.getByTestId('status'), /^Received$/);

    await page.getByLabel('Method', { exact: false }).fill('passport seen on video call');
    await page.getByLabel('Evidence reference').fill('EV-42');
    step('submitted');
    await page.getByRole('button', { name: 'Verify identity' }).click();
    await waitText(page.getByTestId('status'), /^(In review|Awaiting controller)$/, 30_000);
    expect(await page.getByTestId('source-outcome').count()).toBe(6);

    // A REVIEW record's explanation, then the handler's verdict on every pending record.
    const pending = page.locator('[data-testid="record-row"][data-review="PENDING"]');
    expect(await pending.count()).toBeGreaterThan(0);
    await pending
      .first()
      .getByRole('button', { name: /^Explain the match/ })
      .click();
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

    step('reviewed');
    const instruction = page.getByRole('form', { name: 'Record a controller instruction' });
    expect(await instruction.count()).toBe(1);
    const instructed = page.getByRole('row', { name: /client letter 12/ });
    for (let n = 1; (await instruction.count()) > 0; n++) {
      expect(n, 'one instruction per waiting source').toBeLessThanOrEqual(6);
      await page.getByLabel('Controller’s reference').fill('client letter 12');
      await page.getByRole('button', { name: 'Record instruction' }).click();
      await expect.poll(() => instructed.count(), { timeout: 15_000 }).toBe(n);
    }
    await waitText(page.getByTestId('status'), /^In review$/);

    step('instructed');
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
    // The timeline: status changes with their actor, and the audit log's entries about the request.
    const timeline = page.getByTestId('timeline-entry');
    const keyId = (await page.getByTestId('principal').innerText()).match(/api-key (\S+)\)/)![1]!;
    await expect.poll(() => timeline.filter({ hasText: 'request.execute' }).count()).toBeGreaterThan(0);
    expect(await timeline.filter({ hasText: 'request.execute' }).first().innerText()).toContain(keyId);
    expect(await page.locator('[data-testid="timeline-entry"][data-kind="TRANSITION"]').filter({ hasText: 'Identity verified' }).count()).toBeGreaterThan(0);
    await expectAccessible(page, '05-request-completed');
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 180_000);

  it('an ACCESS request through to the download, as a handler allowed to see every record', async () => {
    const personId = [...env.truth.keys()].find((p) => p !== erasurePerson && env.truth.get(p)!.length >= 2)!;
    const requestId = await readyRequest(personId, 'ACCESS', keys.special);
    const page = await browser.newPage();
    await signIn(page, keys.special);
    await page.goto(`${env.gw.url}/console/requests/${requestId}`);
    await waitText(page.getByTestId('status'), /^In review$/);
    await page.getByRole('button', { name: 'Approve and build the access package' }).click();
    await waitText(page.getByTestId('status'), /^Completed$/, 60_000);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    expect(download.suggestedFilename()).toMatch(/^access-package-.+\.zip$/);
    const file = await download.path();
    expect(readFileSync(file).subarray(0, 2).toString()).toBe('PK');
    await expectAccessible(page, '06-access-package');
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 120_000);

  it('R6: a source holding the records of two controllers for the person: the handler picks the controller, and each instructs for its own records', async () => {
    // A person with a case of one employer (A), given a second case of another employer (B).
    const cases = await env.query<{ id: string; controller_id: string }>(
      `SELECT id, controller_id FROM case_management.cases WHERE controller_id IS NOT NULL ORDER BY id DESC`,
    );
    const pick = cases
      .map((c) => ({ ...c, personId: personOfRecord(env.truth, `case_management/${c.id}`) }))
      .find((c) => c.personId && c.personId !== erasurePerson)!;
    const person = personAt(SEED, Number(pick.personId!.slice(1)));
    const a = pick.controller_id;
    const b = `${a}-second-employer`;
    const pool = new pg.Pool({ connectionString: env.gw.databaseUrl, max: 1 });
    try {
      await insertCase(pool, 'case_management', { ref: 'E2E', ...person, employer: 'Second employer', controllerId: b });
    } finally {
      await pool.end();
    }
    const { submitRequest } = await api<{ submitRequest: { id: string } }>(
      `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
      { input: { type: 'ERASURE', identifiers: identifiersOf(pick.personId!), channel: 'email' } },
      keys.handler,
    );
    const RECORDS = 'records { sourceId recordId reviewState controllerId }';
    type Rec = { sourceId: string; recordId: string; reviewState: string; controllerId: string | null };
    const { verifyIdentity } = await api<{ verifyIdentity: { records: Rec[] } }>(
      `mutation($id: ID!) { verifyIdentity(requestId: $id, input: { method: "passport" }) { ${RECORDS} } }`,
      { id: submitRequest.id },
      keys.handler,
    );
    const pending = verifyIdentity.records.filter((r) => r.reviewState === 'PENDING');
    if (pending.length) {
      await api(
        `mutation($id: ID!, $records: [RecordRefInput!]!) { rejectMatches(requestId: $id, records: $records) { id } }`,
        { id: submitRequest.id, records: pending.map(({ sourceId, recordId }) => ({ sourceId, recordId })) },
        keys.handler,
      );
    }
    // Every other source's controllers instruct over the API: the page is left with case management.
    const others = verifyIdentity.records.filter((r) => r.controllerId && r.reviewState !== 'PENDING' && r.sourceId !== 'case_management');
    for (const { sourceId, controllerId } of new Map(others.map((r) => [`${r.sourceId}/${r.controllerId}`, r])).values()) {
      await api(
        `mutation($id: ID!, $input: ControllerInstructionInput!) { recordControllerInstruction(requestId: $id, input: $input) { id } }`,
        { id: submitRequest.id, input: { sourceId, controllerId, decision: 'PROCEED' } },
        keys.handler,
      );
    }

    const page = await browser.newPage();
    await signIn(page, keys.handler);
    await page.goto(`${env.gw.url}/console/requests/${submitRequest.id}`);
    await waitText(page.getByTestId('status'), /^Awaiting controller$/);
    const form = page.getByRole('form', { name: 'Record a controller instruction' });
    await form.getByLabel('Controller', { exact: true }).and(page.locator('input')).click();
    const offered = (await page.getByRole('option').allTextContents()).sort();
    expect(offered).toEqual([a, b].sort());
    await page.getByRole('option', { name: b, exact: true }).click();
    await form.getByLabel('Controller’s reference').fill('letter of B');
    await form.getByRole('button', { name: 'Record instruction' }).click();
    const rowOfB = page.getByRole('row', { name: /letter of B/ });
    await expect.poll(() => rowOfB.count(), { timeout: 15_000 }).toBe(1);
    expect(await rowOfB.innerText()).toContain(b);
    // B's word does not settle A's case: the request still waits, and only A is left to pick.
    await waitText(page.getByTestId('status'), /^Awaiting controller$/);
    await form.getByLabel('Controller', { exact: true }).and(page.locator('input')).click();
    expect(await page.getByRole('option').allTextContents()).toEqual([a]);
    await page.keyboard.press('Escape');
    await form.getByLabel('Controller’s reference').fill('letter of A');
    await form.getByRole('button', { name: 'Record instruction' }).click();
    await waitText(page.getByTestId('status'), /^In review$/);
    expect(await page.getByRole('row', { name: /letter of A/ }).innerText()).toContain(a);
    await expectAccessible(page, '06b-two-controllers');
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 120_000);

  it('a HANDLER without SPECIAL_CATEGORY never sees health data in find a person (request pages show no record values)', async () => {
    const { personId, health } = await personWithHealthData();
    expect(health.length).toBeGreaterThan(0);

    const page = await browser.newPage();
    await signIn(page, keys.handler);
    await page.getByRole('link', { name: 'Find a person' }).click();
    await page.getByRole('heading', { name: 'Find a person' }).waitFor();
    const ids = formIdentifiers(personId);
    await page.getByRole('button', { name: 'Remove identifier 1' }).waitFor();
    for (let i = 1; i < ids.length; i++) await page.getByRole('button', { name: 'Add an identifier' }).click();
    for (const [i, id] of ids.entries()) {
      await page
        .getByLabel(`Identifier ${i + 1} type`, { exact: true })
        .and(page.locator('input'))
        .click();
      await page.getByRole('option', { name: id.type.charAt(0) + id.type.slice(1).toLowerCase().replaceAll('_', ' '), exact: true }).click();
      await page.getByLabel(`Identifier ${i + 1} value`).fill(id.value);
    }
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('found-record').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByText(/Withheld as special-category data/).count()).toBeGreaterThan(0);
    await expectAccessible(page, '07-find-a-person');
    const text = await page.locator('body').innerText();
    for (const value of health) expect(text).not.toContain(value);
    await page.close();
  }, 120_000);

  it('the sources and tombstone screens for a handler', async () => {
    const page = await browser.newPage();
    await signIn(page, keys.handler);
    await page.getByRole('link', { name: 'Sources' }).click();
    await expect.poll(() => page.getByTestId('source-card').count(), { timeout: 20_000 }).toBe(6);
    // Each source's record count as the API gives it (the connector's cached count).
    const { sources } = await api<{ sources: { id: string; recordCount: number | null }[] }>(`{ sources { id recordCount } }`, {}, keys.handler);
    expect(sources.filter((s) => s.recordCount != null).length).toBeGreaterThan(0);
    for (const source of sources) {
      const card = page.getByTestId('source-card').filter({ has: page.locator('code', { hasText: new RegExp(`^${source.id}$`) }) });
      const shown = source.recordCount != null ? `Records: ${source.recordCount.toLocaleString('en-GB')}` : 'Records: not known';
      await waitText(card.getByTestId('record-count'), new RegExp(`^${shown}`));
    }
    await expectAccessible(page, '08-sources');
    await page.getByRole('link', { name: 'Tombstone check' }).click();
    await page.getByLabel('Identifier 1 value').fill('nobody@example.org');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText('Not tombstoned').waitFor();
    await expectAccessible(page, '09-tombstone-check');
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 60_000);

  it('signs in with OIDC (authorization code with PKCE) when DSR_OIDC_* is configured', async () => {
    const page = await browser.newPage();
    await page.goto(`${env.gw.url}/console/`);
    await page.getByRole('button', { name: 'Sign in with your organisation (OIDC)' }).click();
    await page.getByTestId('principal').waitFor({ timeout: 20_000 });
    // The provider saw an S256 challenge and the matching verifier.
    expect(idp.pkceVerified).toBe(1);
    expect(idp.refused).toBe(0);
    expect(await page.getByTestId('principal').innerText()).toContain('oidc oidc-auditor-1');
    expect(await page.getByTestId('role').first().textContent()).toBe('AUDITOR');
    // The one-time code left the address; the PKCE verifier left the tab's storage; nothing in localStorage.
    expect(page.url()).not.toContain('code=');
    expect(await page.evaluate(`sessionStorage.getItem('dsr-console-oidc')`)).toBeNull();
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => page.getByTestId('audit-row').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(browser.violations).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.close();
  }, 60_000);

  it('an AUDITOR reads the audit log and cannot act on requests', async () => {
    const { submitRequest } = await api<{ submitRequest: { id: string } }>(
      `mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { id } }`,
      { input: { type: 'ACCESS', identifiers: formIdentifiers([...env.truth.keys()][0]!) } },
      keys.special,
    );
    const page = await browser.newPage();
    await signIn(page, keys.auditor);
    expect(await page.getByRole('link', { name: 'Inbox' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => page.getByTestId('audit-row').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    // The chain verified by the API, said in words.
    await expect.poll(() => page.getByTestId('chain-state').getAttribute('data-ok'), { timeout: 20_000 }).toBe('true');
    await page.getByText('Chain intact').waitFor();
    await expectAccessible(page, '10-audit-log');
    // Straight to a request: the API refuses, the page says so in words, no action is offered.
    await page.goto(`${env.gw.url}/console/requests/${submitRequest.id}`);
    await page.getByText('Your roles or your controllers do not allow this action.').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('button', { name: /Approve|Verify identity|Retry/ }).count()).toBe(0);
    await expectAccessible(page, '11-auditor-request-refused');
    await page.close();
  }, 60_000);

  it('an ADMIN creates a key (shown once) and revokes it', async () => {
    const page = await browser.newPage();
    await signIn(page, keys.admin);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name (who holds it)').fill('front desk');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-key').locator('pre, code').first().textContent())!.trim();
    expect(secret).toMatch(/^dsr_/);
    await expectAccessible(page, '12-api-keys');
    // The new key works until it is revoked.
    expect((await env.gw.graphql('{ version }', {}, { authorization: `Bearer ${secret}` })).body.errors).toBeUndefined();
    await page.getByRole('button', { name: 'Revoke key front desk' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Revoke key front desk' }).count(), { timeout: 15_000 }).toBe(0);
    const after = await env.gw.graphql('{ version }', {}, { authorization: `Bearer ${secret}` });
    expect(graphqlCodeOf(after)).toBe('UNAUTHENTICATED');
    // Sources: register one (its secret named as an environment variable), then disable it.
    await page.getByRole('link', { name: 'Sources' }).click();
    await page.getByRole('form', { name: 'Register a source' }).waitFor();
    await page.getByLabel('Id (optional)').fill('e2e-remote');
    await page.getByLabel('Name', { exact: true }).fill('Partner feed');
    await page.getByLabel('Connection (JSON)').fill(JSON.stringify({ baseUrl: 'http://127.0.0.1:9/', secretEnv: 'DSR_SOURCE_SECRET_TRAINING' }));
    await page.getByLabel('Controller (JSON, optional)').fill('{ "role": "CONTROLLER" }');
    await page.getByRole('button', { name: 'Register source' }).click();
    const card = page.getByTestId('source-card').filter({ hasText: 'e2e-remote' });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 20_000 }).toBe('ACTIVE');
    await page.getByRole('button', { name: 'Disable source e2e-remote' }).click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('DISABLED');
    expect(await card.innerText()).toMatch(/disabled/i);
    const [source] = await env.query<{ status: string }>(`SELECT status FROM source WHERE id = 'e2e-remote'`);
    expect(source?.status).toBe('DISABLED');
    await expectAccessible(page, '13-sources-admin');
    // Signing out forgets the key: a reload shows the sign-in form again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.reload();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 60_000);

  it('the inbox finds a person by an identifier, lists failed tasks, pages 10,000 requests from the server by channel and by days left, and works at 200 % zoom', async () => {
    const personId = erasurePerson ?? (await erasureCandidate());
    const email = identifiersOf(personId).find((i) => i.type === 'EMAIL')!.value;
    const { requests } = await api<{ requests: { totalCount: number } }>(
      `query($f: RequestFilter) { requests(filter: $f) { totalCount } }`,
      { f: { identifier: { type: 'EMAIL', value: email } } },
      keys.handler,
    );
    expect(requests.totalCount).toBeGreaterThan(0);
    const page = await browser.newPage();
    await signIn(page, keys.handler);
    const rows = page.getByTestId('inbox-row');
    const caption = page.getByTestId('inbox').locator('caption');

    // Search: typed in the page, sent in the POST body; never in the address.
    await page.getByLabel('Identifier type', { exact: true }).and(page.locator('input')).click();
    await page.getByRole('option', { name: 'Email', exact: true }).click();
    await page.getByLabel('Identifier value').fill(email.toUpperCase());
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await waitText(caption, new RegExp(`^${requests.totalCount} requests? of the person searched for`));
    if (erasureRequest) expect(await rows.filter({ hasText: erasureRequest.slice(0, 8) }).count()).toBe(1);
    expect(page.url()).not.toContain(encodeURIComponent(email));
    expect(page.url()).not.toContain(email);
    await expectAccessible(page, '14-inbox-search');
    await page.getByRole('button', { name: 'Clear the search' }).click();

    // Failed tasks: one request gets a failed task.
    const [failing] = await env.query<{ id: string }>(`SELECT id FROM data_subject_request WHERE status = 'COMPLETED' ORDER BY created_at LIMIT 1`);
    await env.query(
      `INSERT INTO task (request_id, source_id, record_id, action, status, last_error) VALUES ($1, 'crm', 'e2e-failed', 'ERASE', 'FAILED', 'SOURCE_UNAVAILABLE')`,
      [failing!.id],
    );
    await page.getByLabel('Failed tasks').check();
    await waitText(caption, /^1 request, page 1 of 1$/);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain(failing!.id.slice(0, 8));
    await page.getByLabel('Failed tasks').uncheck();

    // 10,000 more requests, written straight to the table: the inbox reads one page of 25 and the count.
    await env.query(
      `INSERT INTO data_subject_request (type, status, received_at, acknowledge_by, jurisdiction, channel, identifiers_sealed, blind_index, created_by, version, created_at)
       SELECT 'ACCESS', 'RECEIVED', now() - n * interval '1 minute', now() + interval '10 days', 'GB', 'bulk', 'not-sealed', '{}', 'bulk-seed', 1, now() - n * interval '1 second'
         FROM generate_series(1, 10000) AS n`,
    );
    const [{ n: total }] = await env.query<{ n: number }>(`SELECT count(*)::int AS n FROM data_subject_request`);
    expect(total).toBeGreaterThan(10_000);
    await page.reload();
    await waitText(caption, new RegExp(`^${total} requests, page 1 of ${Math.ceil(total / 25)}$`), 20_000);
    expect(await rows.count()).toBe(25);
    await page.getByRole('button', { name: 'Next page' }).click();
    await waitText(caption, new RegExp(`^${total} requests, page 2 of`));
    expect(await rows.count()).toBe(25);
    await expectAccessible(page, '15-inbox-10k');

    // Channel: the 10,000 came by "bulk" (typed, then Enter); removing the tag lists everything again.
    const channel = page.getByLabel('Channel', { exact: true }).and(page.locator('input'));
    await channel.fill('bulk');
    await channel.press('Enter');
    await waitText(caption, /^10000 requests, page 1 of 400$/);
    await channel.press('Backspace');
    await waitText(caption, new RegExp(`^${total} requests, page 1 of`));

    // Fewest days left first, from the server: the earliest (extended) due date heads page 1,
    // and the next page goes on from the cursor of that order.
    const urgent = await env.query<{ id: string }>(
      `SELECT id FROM data_subject_request ORDER BY COALESCE(extended_due_at, due_at) ASC NULLS LAST, id ASC LIMIT 26`,
    );
    await page.getByLabel('Order', { exact: true }).and(page.locator('input')).click();
    await page.getByRole('option', { name: 'Fewest days left first' }).click();
    await expect.poll(() => rows.first().innerText()).toContain(urgent[0]!.id.slice(0, 8));
    expect(await page.getByRole('columnheader', { name: /^Due/ }).getAttribute('aria-sort')).toBe('ascending');
    await expectAccessible(page, '17-inbox-days-left');
    await page.getByRole('button', { name: 'Next page' }).click();
    await waitText(caption, new RegExp(`^${total} requests, page 2 of`));
    await expect.poll(() => rows.first().innerText()).toContain(urgent[25]!.id.slice(0, 8));

    // 200 % zoom on a 1280×720 laptop is a 640×360 CSS viewport: no sideways scrolling, and
    // the navigation, the search and the main actions are reachable.
    await page.setViewportSize({ width: 640, height: 360 });
    await page.getByRole('button', { name: 'Previous page' }).click();
    await waitText(caption, /page 1 of/);
    expect(await sidewaysOverflow(page)).toEqual([]);
    for (const control of [
      page.getByRole('link', { name: 'New request' }).first(),
      page.getByRole('link', { name: 'Find a person' }),
      page.getByRole('button', { name: 'Sign out' }),
      page.getByRole('button', { name: 'Search', exact: true }),
      page.getByRole('button', { name: 'Next page' }),
      rows.first().getByRole('link'),
    ]) {
      await control.scrollIntoViewIfNeeded();
      const box = (await control.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(640);
    }
    await expectAccessible(page, '16-inbox-200-percent');
    // The request page reflows too.
    await page.goto(`${env.gw.url}/console/requests/${failing!.id}`);
    await page.getByTestId('timeline').waitFor();
    expect(await sidewaysOverflow(page)).toEqual([]);
    await page.close();
  }, 120_000);
});
