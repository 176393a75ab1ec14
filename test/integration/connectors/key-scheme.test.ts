// A key scheme change (KEY_SCHEME_VERSION) must reach the keys already stored: a store or
// index keyed with an older scheme is re-keyed before it is searched, or the new query keys
// (swapped names, e-mail typos, transposed dates) would silently miss its records.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinConnector } from '../../../connectors/builtin.js';
import type { Connector } from '../../../connectors/contract.js';
import { createConnector } from '../../../connectors/registry.js';
import { RemoteConnector } from '../../../connectors/remote/client.js';
import { startTrainingService } from '../../../connectors/training/service.js';
import { REFERENCE_SYSTEM_NAMES } from '../../../connectors/reference-systems.js';
import type { ReferenceConnector } from '../../../connectors/shared/reference-connector.js';
import { IdentifierType, SourceKind } from '../../../src/domain/vocabulary.js';
import { blockingKeysOf, KEY_SCHEME_VERSION } from '../../../src/identity/blocking.js';
import { seedReferenceSources } from '../../../src/population/seed.js';
import { createTestDatabase } from '../../support/test-database.js';
import { createForeignCrmDatabase, crmSourceConfig, type ForeignDatabase } from './foreign-crm.js';

let db: { url: string; drop: () => Promise<void> };
let crm: ForeignDatabase;
let dir: string;
const opened: Connector[] = [];

async function sql<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** A connector as a freshly started process has it (nothing checked yet). */
function store(system: (typeof REFERENCE_SYSTEM_NAMES)[number]): ReferenceConnector {
  const connector = createBuiltinConnector(system, { url: db.url, schema: system, footageDir: dir });
  opened.push(connector);
  return connector as unknown as ReferenceConnector;
}

/** The query of someone who gave their given and family names the other way round. */
function swapped(given: string, family: string) {
  const identifiers = [
    { type: IdentifierType.GIVEN_NAME, value: family },
    { type: IdentifierType.FAMILY_NAME, value: given },
  ];
  return { identifiers, blockingKeys: blockingKeysOf(identifiers) };
}

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'dsr-key-scheme-'));
  await seedReferenceSources({
    url: db.url,
    people: 40,
    seed: 11,
    footageDir: dir,
    cardKey: Buffer.alloc(32, 3),
    groundTruthPath: path.join(dir, 'truth.csv'),
  });
});
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await crm?.drop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('key scheme upgrades', () => {
  it('a freshly loaded store records the current key scheme and is not rebuilt', async () => {
    for (const system of REFERENCE_SYSTEM_NAMES) {
      expect(await sql(db.url, `SELECT version FROM "${system}".record_key_scheme`)).toEqual([{ version: KEY_SCHEME_VERSION }]);
    }
    expect(await store('clinic').ensureKeyScheme()).toMatchObject({ rebuilt: false, from: KEY_SCHEME_VERSION });
  });

  it('discovery: a store keyed with scheme 2 is re-keyed on start, and swapped given and family names find the learner', async () => {
    const [learner] = await sql<{ id: string; given_name: string; family_name: string }>(
      db.url,
      `SELECT id, given_name, family_name FROM training.learners WHERE given_name IS NOT NULL AND family_name IS NOT NULL AND anonymised_at IS NULL ORDER BY id LIMIT 1`,
    );
    const query = swapped(learner!.given_name, learner!.family_name);
    // The old scheme's key set: none of the keys that let swapped names meet, and scheme 2.
    await sql(db.url, `DELETE FROM training.record_key WHERE key = ANY($1)`, [query.blockingKeys]);
    await sql(db.url, `UPDATE training.record_key_scheme SET version = 2`);
    expect(await sql(db.url, `SELECT 1 FROM training.record_key WHERE record_id = $1`, [learner!.id])).not.toHaveLength(0);

    const training = store('training');
    const [found] = await training.discover([query]);
    expect(found!.map((r) => r.recordId)).toContain(learner!.id);
    expect(await sql(db.url, `SELECT version FROM training.record_key_scheme`)).toEqual([{ version: KEY_SCHEME_VERSION }]);
    expect(await training.ensureKeyScheme()).toMatchObject({ rebuilt: true, from: 2 });
  });

  it('discovery: a store keyed before values were put in one Unicode form (scheme 4) is re-keyed, and an e-mail it holds with a decomposed accent is found by that e-mail', async () => {
    const [learner] = await sql<{ id: string }>(
      db.url,
      `SELECT id FROM training.learners WHERE email IS NOT NULL AND anonymised_at IS NULL ORDER BY id OFFSET 2 LIMIT 1`,
    );
    const email = `jose\u0301.${learner!.id.replace(/[^a-z0-9]/gi, '')}@example.org`;
    await sql(db.url, `UPDATE training.learners SET email = $1 WHERE id = $2`, [email, learner!.id]);
    const identifiers = [{ type: IdentifierType.EMAIL, value: email }];
    const query = { identifiers, blockingKeys: blockingKeysOf(identifiers) };
    // Scheme 4 keyed the address in the form it had then, so none of today's keys of it.
    await sql(db.url, `DELETE FROM training.record_key WHERE key = ANY($1)`, [query.blockingKeys]);
    await sql(db.url, `UPDATE training.record_key_scheme SET version = 4`);

    const [found] = await store('training').discover([query]);
    expect(found!.map((r) => r.recordId)).toContain(learner!.id);
    expect(await sql(db.url, `SELECT version FROM training.record_key_scheme`)).toEqual([{ version: KEY_SCHEME_VERSION }]);
  });

  it('re-keying a store of unrecorded scheme writes exactly the keys the loader wrote, and anonymised records stay without keys', async () => {
    const training = store('training');
    const [learner] = await sql<{ id: string }>(db.url, `SELECT id FROM training.learners WHERE anonymised_at IS NULL ORDER BY id DESC LIMIT 1`);
    expect(await training.erase({ sourceId: 'training', recordId: learner!.id }, { action: 'ANONYMISE', requestId: 'r', taskId: 't' })).toMatchObject({
      outcome: 'APPLIED',
    });
    for (const system of REFERENCE_SYSTEM_NAMES) {
      const keysOf = () => sql<{ key: string; record_id: string }>(db.url, `SELECT key, record_id FROM "${system}".record_key ORDER BY record_id, key`);
      const loaded = await keysOf();
      expect(loaded.length).toBeGreaterThan(0);
      await sql(db.url, `DELETE FROM "${system}".record_key_scheme`);
      await sql(db.url, `DELETE FROM "${system}".record_key`);
      const result = await store(system).ensureKeyScheme();
      expect(result).toMatchObject({ rebuilt: true, from: null, keys: loaded.length });
      expect(await keysOf()).toEqual(loaded);
    }
    expect(await sql(db.url, `SELECT 1 FROM training.record_key WHERE record_id = $1`, [learner!.id])).toHaveLength(0);
  });

  it('discovery: the training stand-in service re-keys its store of scheme 2 when it starts, and answers swapped names over the wire', async () => {
    const [learner] = await sql<{ id: string; given_name: string; family_name: string }>(
      db.url,
      `SELECT id, given_name, family_name FROM training.learners WHERE given_name IS NOT NULL AND family_name IS NOT NULL AND anonymised_at IS NULL ORDER BY id OFFSET 1 LIMIT 1`,
    );
    const query = swapped(learner!.given_name, learner!.family_name);
    await sql(db.url, `DELETE FROM training.record_key WHERE key = ANY($1)`, [query.blockingKeys]);
    await sql(db.url, `UPDATE training.record_key_scheme SET version = 2`);
    const secret = 'key-scheme-test-secret-0123456789';
    const service = await startTrainingService({ url: db.url, secret });
    const client = new RemoteConnector({ baseUrl: service.baseUrl, secret, kind: SourceKind.TRAINING, name: 'Training' });
    try {
      const [found] = await client.discover([query]);
      expect(found!.map((r) => r.recordId)).toContain(learner!.id);
      expect(await sql(db.url, `SELECT version FROM training.record_key_scheme`)).toEqual([{ version: KEY_SCHEME_VERSION }]);
    } finally {
      await client.close();
      await service.close();
    }
  });

  it('discovery: the SQL connector index refreshed before the scheme was recorded is rebuilt before it is searched', async () => {
    crm = await createForeignCrmDatabase();
    const env = { gatewayDatabaseUrl: db.url, vars: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' } };
    const first = await createConnector(crmSourceConfig(crm.url), env);
    opened.push(first);
    await crm.refresh(first);
    const query = swapped('Amelia', 'Hart');
    await sql(db.url, `DELETE FROM connector_index.record_key WHERE source_id = 'crm' AND key = ANY($1)`, [query.blockingKeys]);
    await sql(db.url, `UPDATE connector_index.refresh SET scheme = NULL WHERE source_id = 'crm'`);

    const restarted = await createConnector(crmSourceConfig(crm.url), env);
    opened.push(restarted);
    const [found] = await restarted.discover([query]);
    expect(found!.map((r) => r.recordId)).toContain('customer:1');
    expect(await sql(db.url, `SELECT scheme, records FROM connector_index.refresh WHERE source_id = 'crm'`)).toEqual([
      { scheme: KEY_SCHEME_VERSION, records: 6 },
    ]);
  });

  it("a store keyed in GB is re-keyed in its registration's phone country before it is searched, and back", async () => {
    // A case whose phone the Paris office wrote in French national form (its keys still of the GB reading).
    const [row] = await sql<{ id: string }>(db.url, `SELECT id FROM case_management.cases WHERE phone IS NOT NULL ORDER BY id LIMIT 1`);
    await sql(db.url, `UPDATE case_management.cases SET phone = '06 12 34 56 78' WHERE id = $1`, [row!.id]);
    const byNumber = (value: string) => {
      const identifiers = [{ type: IdentifierType.PHONE, value }];
      return { identifiers, blockingKeys: blockingKeysOf(identifiers) };
    };

    const paris = createBuiltinConnector('case_management', { url: db.url, schema: 'case_management', phoneCountry: 'FR' });
    opened.push(paris);
    const [found] = await paris.discover([byNumber('+33612345678')]);
    expect(found!.map((r) => r.recordId)).toContain(row!.id);
    expect(await sql(db.url, `SELECT version, phone_country FROM case_management.record_key_scheme`)).toEqual([
      { version: KEY_SCHEME_VERSION, phone_country: 'FR' },
    ]);

    // Registered as GB again, the store is keyed as GB again: the same cell is another number.
    const london = store('case_management');
    expect(await london.ensureKeyScheme()).toMatchObject({ rebuilt: true, from: KEY_SCHEME_VERSION });
    const [asFrench, asBritish] = await (london as unknown as Connector).discover([byNumber('+33612345678'), byNumber('+44612345678')]);
    expect(asFrench!.map((r) => r.recordId)).not.toContain(row!.id);
    expect(asBritish!.map((r) => r.recordId)).toContain(row!.id);
    expect(await sql(db.url, `SELECT phone_country FROM case_management.record_key_scheme`)).toEqual([{ phone_country: 'GB' }]);
  });
});
