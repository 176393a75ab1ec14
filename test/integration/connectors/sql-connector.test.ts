// A team registers a PostgreSQL database the gateway has never seen, with a mapping and no
// code; the gateway indexes it and finds a person in it, including as someone's next of kin.
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../connectors/contract.js';
import { createConnector, SourceConfigError } from '../../../connectors/registry.js';
import { blockingKeysOf } from '../../../src/identity/blocking.js';
import { IdentifierType, Relationship } from '../../../src/domain/vocabulary.js';
import { createTestDatabase } from '../../support/test-database.js';
import { createForeignCrmDatabase, crmSourceConfig, type ForeignDatabase } from './foreign-crm.js';

let gateway: { url: string; drop: () => Promise<void> };
let crm: ForeignDatabase;
let connector: Connector;
const env = () => ({ gatewayDatabaseUrl: gateway.url, vars: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' } });
const query = (identifiers: { type: IdentifierType; value: string }[]) => ({ identifiers, blockingKeys: blockingKeysOf(identifiers) });

beforeAll(async () => {
  gateway = await createTestDatabase();
  crm = await createForeignCrmDatabase();
  connector = await createConnector(crmSourceConfig(crm.url), env());
});
afterAll(async () => {
  await connector?.close();
  await crm?.drop();
  await gateway?.drop();
});

describe('generic SQL connector on an unknown database', () => {
  it('finds a person after registration and an index refresh, as subject and as next of kin', async () => {
    const esther = [{ type: IdentifierType.PHONE, value: '+447700900005' }];
    expect(await connector.discover([query(esther)])).toEqual([[]]); // not indexed yet
    const refreshed = await crm.refresh(connector);
    expect(refreshed.records).toBe(6);
    const [found] = await connector.discover([query(esther)]);
    const byType = Object.fromEntries(found!.map((r) => [r.recordType, r]));
    expect(byType.customer?.recordId).toBe('customer:5');
    expect(byType.customer?.relationship).toBe(Relationship.SUBJECT);
    expect(byType.customer?.data).toMatchObject({ first_name: 'Esther', e_mail: 'esther.okafor@example.com' });
    expect(byType.next_of_kin).toMatchObject({ relationship: Relationship.EMERGENCY_CONTACT, parentRecordId: 'customer:1' });
    expect(byType.customer?.identifiers).toContainEqual({ type: IdentifierType.FULL_NAME, value: 'Esther Okafor' });
  });

  it('describes mapped columns with categories; health reports the index', async () => {
    const d = connector.describe();
    expect(d.name).toBe('Partner CRM');
    expect(d.retention).toMatchObject({ summary: '5 years after last contact', erasure: 'ANONYMISE' });
    expect(d.fields.find((f) => f.field === 'allergies')).toMatchObject({ special: true, categories: ['HEALTH'] });
    const health = await connector.health();
    expect(health.healthy).toBe(true);
    expect(health.detail).toMatch(/index refreshed/);
  });

  it('R14: corrects a date column with the date asked, once', async () => {
    const ref = { sourceId: 'crm', recordId: 'customer:2' };
    const change = [{ field: 'born', value: '1984-03-07', reason: 'birth certificate seen' }];
    expect((await connector.correct(ref, change)).outcome).toBe('APPLIED');
    expect((await connector.correct(ref, change)).outcome).toBe('ALREADY_APPLIED');
    const [row] = await crm.query<{ born: string }>(`SELECT born::text AS born FROM crm.customers WHERE cust_no = 2`);
    expect(row!.born).toBe('1984-03-07');
  });

  it('R14, R13: a corrected value its column cannot hold is refused naming the field and the reason, never the value (the task, its audit entry and the queue keep the answer)', async () => {
    const ref = { sourceId: 'crm', recordId: 'customer:2' };
    const [before] = await crm.query<{ born: string }>(`SELECT born::text AS born FROM crm.customers WHERE cust_no = 2`);
    for (const value of ['30 Febuary 1984', '1984-02-30']) {
      const answer = await connector.correct(ref, [{ field: 'born', value, reason: 'birth certificate seen' }]).catch((error: Error) => error);
      expect(answer).toEqual({ outcome: 'REFUSED', detail: expect.stringMatching(/^born: the value does not fit the column \(SQLSTATE 22/) });
      expect(JSON.stringify(answer)).not.toContain(value);
    }
    const [after] = await crm.query<{ born: string }>(`SELECT born::text AS born FROM crm.customers WHERE cust_no = 2`);
    expect(after).toEqual(before);
  });

  it('applies the erase strategy per column: null, fixed text, hash; and unindexes the record', async () => {
    await crm.refresh(connector);
    const ref = { sourceId: 'crm', recordId: 'customer:3' };
    expect((await connector.erase(ref, { action: 'ERASE', requestId: 'r1', taskId: 't1' })).outcome).toBe('APPLIED');
    const [row] = await crm.query<Record<string, unknown>>(`SELECT * FROM crm.customers WHERE cust_no = 3`);
    expect(row).toMatchObject({ first_name: null, surname: 'ERASED', mobile: null, allergies: null, born: null });
    expect(String(row!.e_mail)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await connector.erase(ref, { action: 'ERASE', requestId: 'r1', taskId: 't1' })).outcome).toBe('ALREADY_APPLIED');
    const [again] = await crm.query<Record<string, unknown>>(`SELECT e_mail FROM crm.customers WHERE cust_no = 3`);
    expect(again!.e_mail).toBe(row!.e_mail); // not hashed twice
    expect(await connector.discover([query([{ type: IdentifierType.EMAIL, value: 'chloe.n@example.com' }])])).toEqual([[]]);
  });

  it('deletes a row whose mapping says DELETE_ROW (a next of kin removed from a record, R16)', async () => {
    const ref = { sourceId: 'crm', recordId: 'next_of_kin:1' };
    expect((await connector.erase(ref, { action: 'ERASE', requestId: 'r2', taskId: 't2' })).outcome).toBe('APPLIED');
    expect(await crm.query(`SELECT * FROM crm.next_of_kin`)).toEqual([]);
    expect((await connector.erase(ref, { action: 'ERASE', requestId: 'r2', taskId: 't2' })).outcome).toBe('NOT_FOUND');
  });

  it('reports an unreachable database through health instead of failing registration', async () => {
    const cfg = crmSourceConfig('postgres://postgres@127.0.0.1:1/nowhere') as Record<string, unknown>;
    const down = await createConnector({ ...cfg, id: 'crm-down' }, env());
    try {
      const health = await down.health();
      expect(health.healthy).toBe(false);
      await expect(down.discover([query([{ type: IdentifierType.EMAIL, value: 'someone.else@example.org' }])])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      await down.close();
    }
  });

  it('refuses a mapping that names a parent record type it does not define, naming the field', async () => {
    const cfg = crmSourceConfig(crm.url) as { mapping: { recordTypes: { parent?: { recordType: string } }[] } };
    cfg.mapping.recordTypes[1]!.parent!.recordType = 'client';
    await expect(createConnector(cfg, env())).rejects.toThrow(SourceConfigError);
    await expect(createConnector(cfg, env())).rejects.toMatchObject({ code: 'CONFIGURATION', field: 'mapping.recordTypes[1].parent.recordType' });
  });

  it('gives up on a database that accepts the connection but never answers, after the registered connectTimeoutMs', async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const cfg = crmSourceConfig(`postgres://postgres@127.0.0.1:${port}/crm`);
    (cfg.connection as { connectTimeoutMs?: number }).connectTimeoutMs = 300;
    const stalled = await createConnector(cfg, env());
    try {
      // Without the setting honoured, the call would wait for the silent database for ever.
      expect((await stalled.health()).healthy).toBe(false);
    } finally {
      await stalled.close();
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });
});
