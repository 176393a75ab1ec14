// The console's sources screen as the approval view: a source team's changed registration is
// shown as what approving it changes (not a code), the source is still held to what was
// approved, and "Approve" applies exactly that change.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { RecordingSource, serveRemote } from '../../integration/sources/recording-remote.js';
import { CHROMIUM, launchConsoleBrowser, seriousAxeViolations, type ConsoleBrowser } from './browser.js';

const SECRET = 'console-approval-secret-0123456789abcdef';

let gw: TestGateway;
let browser: ConsoleBrowser;
let server: Server;
let adminKey = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  gw = await startTestGateway({ worker: false, env: { DSR_SOURCE_SECRET_TEAM_HR: SECRET, SCHEDULERS: 'false' } });
  adminKey = (await gw.runtime.services.apiKeys.create({ name: 'privacy admin', roles: ['ADMIN'], controllerIds: [] })).clearKey;
  browser = await launchConsoleBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

describe('approving a changed source on the sources screen', () => {
  it('shows what approving changes, against what it is held to; Approve makes that change what it is held to', async () => {
    const source = new RecordingSource();
    let baseUrl: string;
    ({ server, baseUrl } = await serveRemote(source, SECRET));
    const registration = (name: string) => ({
      id: 'team-hr',
      name,
      kind: 'OTHER',
      type: 'remote',
      connection: { baseUrl, secretEnv: 'DSR_SOURCE_SECRET_TEAM_HR', timeoutMs: 2000 },
    });
    const team = await bearer(gw, ['CONNECTOR']);
    const register = async () => {
      const reply = await gw.graphql(
        `mutation($input: RegisterSourceInput!) { registerSource(input: $input) { id } }`,
        { input: registration('Team HR') },
        team,
      );
      expect(reply.body.errors).toBeUndefined();
    };
    await register();
    expect((await gw.graphql(`mutation { approveSource(id: "team-hr") { id } }`, {}, await bearer(gw, ['ADMIN']))).body.errors).toBeUndefined();
    // The team's service now also takes a date of birth and keeps its records longer; it registers again.
    source.identifierTypes = [T.EMAIL, T.DATE_OF_BIRTH];
    source.retentionSummary = '5 years after last contact';
    await register();

    const page = await browser.newPage();
    await page.goto(`${gw.url}/console/`);
    await page.getByLabel('API key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('principal').waitFor();
    await page.getByRole('link', { name: 'Sources' }).click();
    const card = page.getByTestId('source-card').filter({ has: page.locator('code', { hasText: /^team-hr$/ }) });
    await card.getByTestId('source-changes').waitFor({ timeout: 20_000 });
    const changes = await card.getByTestId('source-changes').innerText();
    expect(changes).toContain('Changed since approval');
    expect(changes).toContain('Searched by: added DATE_OF_BIRTH');
    expect(changes).toContain('Retention: 1 year after last contact; active P1Y; not statutory; erasure DELETE → 5 years after last contact');
    // Still held to what was approved until then.
    expect(await card.innerText()).toMatch(/Retention: 1 year after last contact/);
    expect(await card.getAttribute('data-status')).toBe('PENDING_APPROVAL');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await card.getByRole('button', { name: 'Approve source team-hr' }).click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('ACTIVE');
    expect(await card.getByTestId('source-changes').count()).toBe(0);
    expect(await card.innerText()).toMatch(/Retention: 5 years after last contact/);
    const [row] = (await gw.runtime.services.dataSource.query(`SELECT declared->'identifierTypes' AS types FROM source WHERE id = 'team-hr'`)) as {
      types: string[];
    }[];
    expect(row?.types).toEqual(['EMAIL', 'DATE_OF_BIRTH']);
    expect(browser.violations).toEqual([]);
    await page.close();
  }, 90_000);
});
