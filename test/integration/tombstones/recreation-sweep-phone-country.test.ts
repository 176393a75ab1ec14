// R10: the recreation sweep reads a source's records in its phone country. A French case
// system's feed that recreated an erased person, writing their mobile the French way, is
// caught by e-mail and phone together, as the guard would have caught it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { personAt } from '../../../src/population/person.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { insertCase } from '../../../connectors/case-management/roster-import.js';
import { runRecreationSweep } from '../../../src/tombstones/recreation-sweep.js';
import { insertApprovedRequest, waitForClosed } from '../../support/requests-fixture.js';
import { caseSource } from '../../support/sources-fixture.js';

const SEED = 17;

describe('R10: the recreation sweep reads national numbers in the source country', () => {
  let gw: TestGateway;
  let pool: pg.Pool;

  beforeAll(async () => {
    gw = await startTestGateway({ queue: 'redis', env: { TASK_BACKOFF_MS: '20', TASK_ATTEMPTS: '2', SCHEDULERS: 'false' } });
    await seedReferenceSources({ url: gw.databaseUrl, people: 10, seed: SEED, systems: ['case_management'] });
    pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await gw?.stop();
  });

  it('R10: a record recreated by a French feed with the erased mobile in national form is a hit (e-mail and phone together)', async () => {
    const s = gw.runtime.services;
    await s.sources.register({ ...caseSource('case_paris', gw.databaseUrl), phoneCountry: 'FR' }, 'test');
    const person = personAt(SEED, 600);
    // Erased with an e-mail and her French mobile as the handler was given it, in E.164.
    const requestId = await insertApprovedRequest(s, {
      identifiers: [
        { type: T.EMAIL, value: person.email },
        { type: T.PHONE, value: '+33 6 12 34 56 78' },
      ],
      decisions: [],
    });
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId)).toBe('COMPLETED');

    const recreated = await insertCase(pool, 'case_management', {
      ref: 'ROW',
      givenName: person.givenName,
      familyName: person.familyName,
      email: person.email,
      phone: '06 12 34 56 78',
      employer: 'Acme',
    });
    const report = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000) });
    expect(report.hits.filter((h) => h.recordId === recreated).map((h) => [h.sourceId, h.requestId])).toEqual([['case_paris', requestId]]);
    expect(report.unconfirmed.filter((u) => u.recordId === recreated)).toEqual([]);
  }, 60_000);

  it('R10: re-registered with another phone country, the source is still swept in the earlier one: the French national mobile is a hit', async () => {
    const s = gw.runtime.services;
    // The country was wrong (or the team changed it): an administrator registers it as German.
    await s.sources.register({ ...caseSource('case_paris', gw.databaseUrl), phoneCountry: 'DE' }, 'admin');
    expect(await s.sources.find('case_paris')).toMatchObject({ status: 'ACTIVE', phoneCountry: 'DE', phoneCountriesBefore: ['FR'] });
    const person = personAt(SEED, 601);
    const requestId = await insertApprovedRequest(s, {
      identifiers: [
        { type: T.EMAIL, value: person.email },
        { type: T.PHONE, value: '+33 6 98 76 54 32' },
      ],
      decisions: [],
    });
    await s.execution.execute(requestId, 'handler');
    expect(await waitForClosed(s, requestId)).toBe('COMPLETED');

    // The feed still writes the French way: read in DE alone the mobile is another number,
    // and the e-mail alone would only be a shared contact.
    const recreated = await insertCase(pool, 'case_management', {
      ref: 'ROW-2',
      givenName: person.givenName,
      familyName: person.familyName,
      email: person.email,
      phone: '06 98 76 54 32',
      employer: 'Acme',
    });
    const report = await runRecreationSweep(s, { since: new Date(Date.now() - 60_000) });
    expect(report.hits.filter((h) => h.recordId === recreated).map((h) => [h.sourceId, h.requestId])).toEqual([['case_paris', requestId]]);
    expect(report.unconfirmed.filter((u) => u.recordId === recreated)).toEqual([]);
  }, 60_000);
});
