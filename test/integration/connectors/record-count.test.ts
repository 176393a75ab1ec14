// Connector.recordCount: how many records a source searches, from PostgreSQL's statistics
// (the gateway scales the match prior of a large source with it). Reference stores, the
// generic SQL connector and the remote protocol.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Connector } from '../../../connectors/contract.js';
import { createBuiltinConnector } from '../../../connectors/builtin.js';
import { createConnector } from '../../../connectors/registry.js';
import { REFERENCE_SYSTEM_NAMES } from '../../../connectors/reference-systems.js';
import { qualified } from '../../../connectors/shared/sql.js';
import { startTrainingService, type TrainingService } from '../../../connectors/training/service.js';
import { SourceKind } from '../../../src/domain/vocabulary.js';
import { seededStores, type SeededStores } from './fixtures.js';
import { createForeignCrmDatabase, crmSourceConfig, type ForeignDatabase } from './foreign-crm.js';

const SECRET = 'record-count-secret-0123456789';
let stores: SeededStores;
let training: TrainingService;
let crm: ForeignDatabase;
const opened: Connector[] = [];

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
  Number((await sql<{ n: string }>(stores.url, `SELECT count(*) AS n FROM ${qualified(system, 'appearance')}`))[0]!.n);

beforeAll(async () => {
  stores = await seededStores(60, 13);
  // Statistics as autovacuum would leave them, now rather than whenever it gets round to it.
  await sql(stores.url, 'ANALYZE');
  training = await startTrainingService({ url: stores.url, secret: SECRET });
  crm = await createForeignCrmDatabase();
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await training?.close();
  await crm?.drop();
  await stores?.drop();
});

describe('record counts for the match prior', () => {
  it('a reference store counts every record discovery searches, appearances in others\u2019 records included', async () => {
    for (const system of REFERENCE_SYSTEM_NAMES) {
      const connector = createBuiltinConnector(system, { url: stores.url, schema: system, footageDir: stores.footageDir });
      opened.push(connector);
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
        connection: { baseUrl: training.baseUrl, secretEnv: 'DSR_SOURCE_SECRET_TRAINING_FOR_TEST' },
      },
      { vars: { DSR_SOURCE_SECRET_TRAINING_FOR_TEST: SECRET } },
    );
    opened.push(remote);
    expect(remote.recordCount).toBeTypeOf('function');
    expect(await remote.recordCount!()).toBe(await appearances('training'));
  });

  it('the generic SQL connector counts its mapped tables: exactly before any ANALYZE, then from statistics that follow growth', async () => {
    const connector = await createConnector(crmSourceConfig(crm.url), {
      gatewayDatabaseUrl: stores.url,
      vars: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' },
    });
    opened.push(connector);
    // Five customers and one next of kin, in tables never analysed: counted row by row.
    expect(await connector.recordCount!()).toBe(6);
    await crm.query(`INSERT INTO crm.customers (first_name, surname) SELECT 'Test', 'Customer ' || g FROM generate_series(1, 4000) g`);
    await crm.query('ANALYZE crm.customers, crm.next_of_kin');
    expect(await connector.recordCount!()).toBe(4006);
    // Grown since the last ANALYZE: the estimate scales with the table's pages, as the planner's does.
    await crm.query(`INSERT INTO crm.customers (first_name, surname) SELECT 'Test', 'Customer ' || g FROM generate_series(4001, 8000) g`);
    const grown = await connector.recordCount!();
    expect(grown).toBeGreaterThan(8006 * 0.85);
    expect(grown).toBeLessThan(8006 * 1.15);
  });

  it('an unreachable SQL source fails its count as UNAVAILABLE (the gateway keeps its last count)', async () => {
    const cfg = crmSourceConfig('postgres://postgres@127.0.0.1:1/nowhere') as Record<string, unknown>;
    const down = await createConnector(
      { ...cfg, id: 'crm-down' },
      { gatewayDatabaseUrl: stores.url, vars: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' } },
    );
    opened.push(down);
    await expect(down.recordCount!()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
