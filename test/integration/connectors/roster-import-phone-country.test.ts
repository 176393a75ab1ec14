// The reference roster import writes cases into the case-management store, keys included, as
// the store's connector would: a store registered with phoneCountry FR is keyed in FR, so the
// cases the roster creates must be too, or discovery never finds them by their French mobile.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { importRoster } from '../../../connectors/case-management/roster-import.js';
import { caseSource } from '../../support/sources-fixture.js';

interface Found {
  subject: { records: { sourceId: string; recordId: string }[] };
}

describe('roster import into a store of another phone country than GB', () => {
  let gw: TestGateway;
  let pool: pg.Pool;
  let handler: Record<string, string>;
  const found = async (phone: string) => {
    const reply = await gw.graphql<Found>(
      `query($q: SubjectQueryInput!) { subject(query: $q) { records { sourceId recordId } } }`,
      // Without a given name or date of birth, only the phone's key can bring the case in.
      {
        q: {
          identifiers: [
            { type: 'PHONE', value: phone },
            { type: 'FAMILY_NAME', value: 'Marchetti' },
          ],
          sourceIds: ['case_management'],
        },
      },
      handler,
    );
    if (!reply.body.data) throw new Error(JSON.stringify(reply.body.errors));
    return reply.body.data.subject.records.map((r) => r.recordId);
  };

  beforeAll(async () => {
    gw = await startTestGateway({ worker: false, env: { SCHEDULERS: 'false' } });
    await seedReferenceSources({ url: gw.databaseUrl, people: 5, seed: 23, systems: ['case_management'] });
    await gw.runtime.services.sources.register({ ...caseSource('case_management', gw.databaseUrl), phoneCountry: 'FR' }, 'test');
    pool = new pg.Pool({ connectionString: gw.databaseUrl, max: 2 });
    handler = await bearer(gw, ['HANDLER']);
    // The connector re-keys the store in FR before its first search.
    await found('+33 6 00 00 00 00');
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await gw?.stop();
  });

  it('a case the roster creates with a French national mobile is found by that number', async () => {
    const { clearKey } = await gw.runtime.services.apiKeys.create({
      name: 'roster feed',
      roles: ['CONNECTOR'],
      controllerIds: [],
      sourceIds: ['case_management'],
    });
    const report = await importRoster(
      [{ ref: 'ROW-1', givenName: 'Lucia', familyName: 'Marchetti', email: 'lucia.m@example.net', phone: '06 12 34 56 78', employer: 'Acme' }],
      { pool, gatewayUrl: gw.url, apiKey: clearKey },
    );
    expect(report.skipped).toEqual([]);
    const created = report.created[0]!.recordId;
    expect(await found('+33 6 12 34 56 78')).toContain(created);
    expect(await found('+44 612 345678')).not.toContain(created);
  });
});
