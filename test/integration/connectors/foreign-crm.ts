// A database the gateway has never seen: a CRM with its own schema and column names,
// registered through the generic SQL connector with nothing but a mapping.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { Connector } from '../../../connectors/contract.js';
import type { SourceConfigInput } from '../../../connectors/registry.js';
import { databaseUrl, withAdminClient } from '../../support/test-database.js';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';

export interface ForeignDatabase {
  url: string;
  refresh(connector: Connector): Promise<{ records: number; keys: number }>;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

export const CRM_PEOPLE = [
  ['Amelia', 'Hart', 'amelia.hart@example.org', '+447700900001', '1984-02-11', 'Asthma'],
  ['Bruno', 'Keller', 'bruno.k@example.net', '+447700900002', '1979-07-30', null],
  ['Chloe', 'Nakamura', 'chloe.n@example.com', '+447700900003', '1991-12-05', 'Diabetes'],
  ['Dmitri', 'Volkov', 'dmitri@example.org', '+447700900004', '1966-05-19', null],
  ['Esther', 'Okafor', 'esther.okafor@example.com', '+447700900005', '2000-01-23', null],
] as const;

export async function createForeignCrmDatabase(): Promise<ForeignDatabase> {
  // Not cloned from the gateway's template: a plain, empty database with the team's own schema.
  const name = `dsr_test_crm_${randomBytes(5).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA crm`);
  await client.query(`CREATE TABLE crm.customers (
    cust_no serial PRIMARY KEY, first_name text, surname text, e_mail text, mobile text, born date,
    allergies text, is_restricted boolean NOT NULL DEFAULT false, signed_up timestamptz DEFAULT now(), updated timestamptz DEFAULT now())`);
  await client.query(`CREATE TABLE crm.next_of_kin (
    kin_id serial PRIMARY KEY, customer_no integer NOT NULL, kin_name text, kin_phone text)`);
  for (const [first, last, email, phone, born, allergies] of CRM_PEOPLE) {
    await client.query(`INSERT INTO crm.customers (first_name, surname, e_mail, mobile, born, allergies) VALUES ($1,$2,$3,$4,$5,$6)`, [
      first,
      last,
      email,
      phone,
      born,
      allergies,
    ]);
  }
  // Esther is Amelia's next of kin: she appears in someone else's record.
  await client.query(`INSERT INTO crm.next_of_kin (customer_no, kin_name, kin_phone) VALUES (1, 'Esther Okafor', '+447700900005')`);
  await client.end();
  return {
    url,
    async refresh(connector) {
      return connector.refreshIndex!();
    },
    async query(sql, params = []) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
    drop: () => withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** The registration a team would send: connection by URL + password variable, and a mapping. */
export function crmSourceConfig(url: string): SourceConfigInput {
  return {
    id: 'crm',
    name: 'Partner CRM',
    kind: 'OTHER',
    type: 'sql',
    connection: { url, passwordEnv: 'DSR_SOURCE_SECRET_CRM_DB_PASSWORD' },
    controller: { role: 'CONTROLLER' },
    retention: { summary: '5 years after last contact', activePeriod: 'P5Y', erasure: 'ANONYMISE' },
    mapping: {
      recordTypes: [
        {
          name: 'customer',
          table: 'crm.customers',
          primaryKey: 'cust_no',
          identifiers: { first_name: 'GIVEN_NAME', surname: 'FAMILY_NAME', e_mail: 'EMAIL', mobile: 'PHONE', born: 'DATE_OF_BIRTH' },
          fullName: ['first_name', 'surname'],
          columns: {
            first_name: { categories: ['IDENTITY'], erase: 'NULL', correctable: true },
            surname: { categories: ['IDENTITY'], erase: { fixed: 'ERASED' }, correctable: true },
            e_mail: { categories: ['CONTACT'], erase: 'HASH', correctable: true },
            mobile: { categories: ['CONTACT'], erase: 'NULL', correctable: true },
            born: { categories: ['IDENTITY'], erase: 'NULL', correctable: true },
            allergies: { categories: ['HEALTH'], erase: 'NULL' },
          },
          dates: { createdAt: 'signed_up', lastActivityAt: 'updated' },
          restrictedColumn: 'is_restricted',
        },
        {
          name: 'next_of_kin',
          table: 'crm.next_of_kin',
          primaryKey: 'kin_id',
          relationship: 'EMERGENCY_CONTACT',
          parent: { column: 'customer_no', recordType: 'customer' },
          identifiers: { kin_name: 'FULL_NAME', kin_phone: 'PHONE' },
          columns: {
            kin_name: { categories: ['IDENTITY'], erase: 'DELETE_ROW' },
            kin_phone: { categories: ['CONTACT'], erase: 'DELETE_ROW' },
          },
        },
      ],
    },
  } as SourceConfigInput;
}

/**
 * A gateway with Redis queues and no schedulers, the CRM registered as its source through the
 * generic SQL connector (`adjust` changes the registration, say its kind). Stopped again if
 * the CRM cannot be set up.
 */
export async function startGatewayWithForeignCrm(
  adjust: (config: SourceConfigInput) => unknown = (config) => config,
): Promise<{ gw: TestGateway; crm: ForeignDatabase }> {
  const gw = await startTestGateway({
    queue: 'redis',
    env: { SCHEDULERS: 'false', TASK_BACKOFF_MS: '20', DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' },
  });
  try {
    const crm = await createForeignCrmDatabase();
    await gw.runtime.services.sources.register(adjust(crmSourceConfig(crm.url)), 'test');
    return { gw, crm };
  } catch (error) {
    await gw.stop();
    throw error;
  }
}
