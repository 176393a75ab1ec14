// Connector.recordCount: how many records a source searches, from PostgreSQL's statistics
// (the gateway scales the match prior of a large source with it). Reference stores, the
// generic SQL connector and the remote protocol.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { createBuiltinConnector } from '../../../connectors/builtin.js';
import { createConnector } from '../../../connectors/registry.js';
import { REFERENCE_SYSTEM_NAMES } from '../../../connectors/reference-systems.js';
import { qualified } from '../../../connectors/shared/sql.js';
import { SourceKind } from '../../../src/domain/vocabulary.js';
import { crmSourceConfig } from './foreign-crm.js';
import { threeKindsOfSource } from './three-kinds.js';

const SECRET = 'record-count-secret-0123456789';
// Statistics as autovacuum would leave them, now rather than whenever it gets round to it.
const world = threeKindsOfSource(SECRET, (url) => sql(url, 'ANALYZE').then(() => undefined));

async function sql<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

const appearances = async (system: string) =>
  Number((await sql<{ n: string }>(world.stores.url, `SELECT count(*) AS n FROM ${qualified(system, 'appearance')}`))[0]!.n);

describe('record counts for the match prior', () => {
  it('a reference store counts every record discovery searches, appearances in others\u2019 records included', async () => {
    for (const system of REFERENCE_SYSTEM_NAMES) {
      const connector = createBuiltinConnector(system, { url: world.stores.url, schema: system, footageDir: world.stores.footageDir });
      world.opened.push(connector);
      expect(await connector.recordCount!(), system).toBe(await appearances(system));
    }
  });

  it('the remote protocol passes the training platform\u2019s count through', async () => {
    const remote = await createConnector(
      {
        id: 'training',
        name: 'Training',
        kind: SourceKind.TRAINING,
        type: 'remote',
        connection: { baseUrl: world.training.baseUrl, secretEnv: 'DSR_SOURCE_SECRET_TRAINING_FOR_TEST' },
      },
      { vars: { DSR_SOURCE_SECRET_TRAINING_FOR_TEST: SECRET } },
    );
    world.opened.push(remote);
    expect(remote.recordCount).toBeTypeOf('function');
    expect(await remote.recordCount!()).toBe(await appearances('training'));
  });

  it('the generic SQL connector counts its mapped tables: exactly before any ANALYZE, then from statistics that follow growth', async () => {
    const connector = await createConnector(crmSourceConfig(world.crm.url), {
      gatewayDatabaseUrl: world.stores.url,
      vars: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' },
    });
    world.opened.push(connector);
    // Five customers and one next of kin, in tables never analysed: counted row by row.
    expect(await connector.recordCount!()).toBe(6);
    await world.crm.query(`INSERT INTO crm.customers (first_name, surname) SELECT 'Test', 'Customer ' || g FROM generate_series(1, 4000) g`);
    await world.crm.query('ANALYZE crm.customers, crm.next_of_kin');
    expect(await connector.recordCount!()).toBe(4006);
    // Grown since the last ANALYZE: the estimate scales with the table's pages, as the planner's does.
    await world.crm.query(`INSERT INTO crm.customers (first_name, surname) SELECT 'Test', 'Customer ' || g FROM generate_series(4001, 8000) g`);
    const grown = await connector.recordCount!();
    expect(grown).toBeGreaterThan(8006 * 0.85);
    expect(grown).toBeLessThan(8006 * 1.15);
  });

  it('an unreachable SQL source fails its count as UNAVAILABLE (the gateway keeps its last count)', async () => {
    const cfg = crmSourceConfig('postgres://postgres@127.0.0.1:1/nowhere') as Record<string, unknown>;
    const down = await createConnector(
      { ...cfg, id: 'crm-down' },
      { gatewayDatabaseUrl: world.stores.url, vars: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' } },
    );
    world.opened.push(down);
    await expect(down.recordCount!()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
