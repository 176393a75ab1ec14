import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { personAt } from '../../../src/population/person.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { insertCase, type RosterPerson } from '../../../connectors/case-management/roster-import.js';
import { changeFeedOf, runRecreationSweep } from '../../../src/tombstones/recreation-sweep.js';
import { insertApprovedRequest, tasksOf, waitForClosed } from '../../support/requests-fixture.js';
import { createForeignCrmDatabase, crmSourceConfig, type ForeignDatabase } from '../connectors/foreign-crm.js';
import { caseSource } from '../../support/sources-fixture.js';
import { eventually } from '../../support/eventually.js';

describe("recreation sweep through the reference stores' changedSince()", () => {
  let gw: TestGateway;
  let pool: pg.Pool;
  let crm: ForeignDatabase;

  beforeAll(async () => {
    gw = await startTestGateway({
      queue: 'redis',
      env: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'not-needed-locally', TASK_BACKOFF_MS: '20', TASK_ATTEMPTS: '2', SCHEDULERS: 'false' },
    });
    await seedReferenceSources({ url: gw.databaseUrl, people: 30, seed: 11, systems: ['case_management'] });
    await gw.runtime.services.sources.register(caseSource('case_management', gw.databaseUrl), 'test');
    pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
    // Every seeded record is old; the tests make the recent ones.
    for (const table of ['cases', 'case_parties']) {
      await pool.query(`UPDATE case_management.${table} SET created_at = now() - interval '2 years', last_activity_at = now() - interval '1 year'`);
    }
    crm = await createForeignCrmDatabase();
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await gw?.stop();
    await crm?.drop();
  });

  it('changedSince lists records created or active since a time (and undated ones), in id order, page by page, on an index', async () => {
    const connector = await gw.runtime.services.sources.connector('case_management');
    expect(connector.changedSince).toBeTypeOf('function');
    const feed = changeFeedOf(connector)!;
    expect(feed).not.toBeNull();
    const { rows: cases } = await pool.query<{ id: string }>(`SELECT id FROM case_management.cases ORDER BY id LIMIT 4`);
    const { rows: parties } = await pool.query<{ id: string }>(`SELECT id FROM case_management.case_parties ORDER BY id LIMIT 1`);
    const [created, active, undated, oldButTouchedLongAgo] = cases.map((c) => c.id);
    await pool.query(`UPDATE case_management.cases SET created_at = now() WHERE id = $1`, [created]);
    await pool.query(`UPDATE case_management.cases SET last_activity_at = now() WHERE id = $1`, [active]);
    await pool.query(`UPDATE case_management.cases SET created_at = NULL, last_activity_at = now() - interval '3 years' WHERE id = $1`, [undated]);
    await pool.query(`UPDATE case_management.case_parties SET last_activity_at = now() WHERE id = $1`, [parties[0]!.id]);
    const since = new Date(Date.now() - 3_600_000);

    const pages: string[][] = [];
    for (let after = ''; ;) {
      const page = await feed.changedSince(since, 2, after);
      if (page.length === 0) break;
      pages.push(page.map((r) => r.recordId));
      after = page[page.length - 1]!.recordId;
    }
    const expected = [created!, active!, undated!, parties[0]!.id].sort();
    expect(pages.flat()).toEqual(expected);
    expect(pages.map((p) => p.length)).toEqual([2, 2]);
    expect(pages.flat()).not.toContain(oldButTouchedLongAgo);
    // The records carry their identifiers (what the sweep checks) and type.
    const [first] = await feed.changedSince(since, 1, '');
    expect(first!.identifiers.length).toBeGreaterThan(0);
    expect(['case', 'case_party']).toContain(first!.recordType);
    await expect(feed.changedSince(since, 0)).rejects.toMatchObject({ code: 'CONFIGURATION' });
    // Each record table has the change-time index the query uses.
    const { rows: indexes } = await pool.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'case_management' AND indexname LIKE '%changed_idx' ORDER BY 1`,
    );
    expect(indexes.map((i) => i.indexname)).toEqual(['case_parties_changed_idx', 'cases_changed_idx']);
  });

  it('R10: the sweep finds records inserted behind the guard across pages, skips sources without changedSince, and reports a store that is down without stopping', async () => {
    const s = gw.runtime.services;
    await s.sources.register(crmSourceConfig(crm.url), 'test');
    const down = new URL(gw.databaseUrl);
    down.pathname = '/dsr_no_such_database';
    await s.sources.register(caseSource('case_down', down.toString()), 'test');

    // People not in the seeded population (indexes beyond it): only the sneaked records carry them.
    const people = [personAt(11, 500), personAt(11, 501)];
    const requestIds: string[] = [];
    for (const p of people) {
      const id = await insertApprovedRequest(s, {
        identifiers: [
          { type: T.EMAIL, value: p.email },
          { type: T.PHONE, value: p.phone },
        ],
        decisions: [],
      });
      await s.execution.execute(id, 'handler');
      expect(await waitForClosed(s, id)).toBe('COMPLETED');
      requestIds.push(id);
    }
    const sneaked: string[] = [];
    for (const [k, p] of people.entries()) {
      const row: RosterPerson = {
        ref: `ROW-${k}`,
        givenName: p.givenName,
        familyName: p.familyName,
        dateOfBirth: p.dateOfBirth,
        email: p.email,
        phone: p.phone,
        employer: 'Acme',
      };
      sneaked.push(await insertCase(pool, 'case_management', row));
    }

    const report = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000), batchSize: 1 });
    expect(report.hits.map((h) => [h.recordId, h.requestId]).sort()).toEqual(sneaked.map((id, k) => [id, requestIds[k]]).sort());
    expect(report.skipped).toEqual(['crm']);
    expect(report.failed).toEqual([{ sourceId: 'case_down', stage: 'LISTING', code: 'UNAVAILABLE' }]);
    expect(report.checked.case_management).toBeGreaterThanOrEqual(2);

    // The erasures queued by the sweep run, and the records are gone.
    for (const [k, recordId] of sneaked.entries()) {
      const task = await eventually(
        async () => (await tasksOf(s, requestIds[k]!)).find((t) => t.record_id === recordId),
        (t) => t?.status === 'SUCCEEDED',
      );
      expect(task?.status).toBe('SUCCEEDED');
    }
    expect((await pool.query(`SELECT id FROM case_management.cases WHERE id = ANY($1)`, [sneaked])).rows).toEqual([]);
    const audit = await s.audit.list({ actions: ['tombstone.sweep'] });
    expect(audit.entries.map((e) => e.outcome)).toEqual(['FAILED']);
    const found = await s.audit.list({ actions: ['tombstone.recreation-found'] });
    expect(found.entries.map((e) => e.targetId).sort()).toEqual([...requestIds].sort());
    await s.sources.disable('case_down');
  }, 90_000);
});
