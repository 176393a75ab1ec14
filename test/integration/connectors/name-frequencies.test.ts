// Connector.nameFrequencies: the generic SQL connector counts the mapping's name columns
// (erased values are not names), the remote protocol passes the training platform's counts
// through unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../connectors/contract.js';
import { createBuiltinConnector } from '../../../connectors/builtin.js';
import { createConnector } from '../../../connectors/registry.js';
import { startTrainingService, type TrainingService } from '../../../connectors/training/service.js';
import { SourceKind } from '../../../src/domain/vocabulary.js';
import { recordIds, seedFamilyNameTwice, seededStores, type SeededStores } from './fixtures.js';
import { createForeignCrmDatabase, crmSourceConfig, type ForeignDatabase } from './foreign-crm.js';

const SECRET = 'name-frequencies-secret-0123456789';
let stores: SeededStores;
let training: TrainingService;
let crm: ForeignDatabase;
const opened: Connector[] = [];

beforeAll(async () => {
  stores = await seededStores(60, 13);
  training = await startTrainingService({ url: stores.url, secret: SECRET });
  crm = await createForeignCrmDatabase();
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await training?.close();
  await crm?.drop();
  await stores?.drop();
});

describe('name counts for the term-frequency tables', () => {
  it('the generic SQL connector counts its GIVEN_NAME and FAMILY_NAME columns, trimmed; erased surnames (a fixed text, a hash) and names held once are left out', async () => {
    const connector = await createConnector(crmSourceConfig(crm.url), {
      gatewayDatabaseUrl: stores.url,
      vars: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' },
    });
    opened.push(connector);
    await crm.query(
      `INSERT INTO crm.customers (first_name, surname) VALUES
         ('Amelia', 'Hart '), ('Amelia', 'ERASED'), (NULL, 'ERASED'), ('Bruno', 'ERASED'), ('Zed', 'sha256:ab12'), ('Yan', 'sha256:ab12'), ('Xu', ''), ('Wim', '')`,
    );
    const counts = await connector.nameFrequencies!(100);
    // Five customers seeded with distinct names, then the rows above: Amelia three times,
    // Bruno twice, Hart twice; everyone else once.
    expect(counts.givenNames).toEqual([
      { value: 'Amelia', records: 3 },
      { value: 'Bruno', records: 2 },
    ]);
    expect(counts.familyNames).toEqual([{ value: 'Hart', records: 2 }]);
    // Every non-blank value counts in the total; erased ones do not.
    expect(counts.totals).toEqual({ givenNames: 12, familyNames: 6 });
    expect((await connector.nameFrequencies!(1)).givenNames).toEqual([{ value: 'Amelia', records: 3 }]);
  });

  it('the remote protocol answers with the training platform\u2019s own counts', async () => {
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
    const local = createBuiltinConnector('training', { url: stores.url, schema: 'training', footageDir: stores.footageDir });
    opened.push(remote, local);
    const [a, b] = await recordIds(stores.url, 'training', 'LRN-', 2);
    const seeded = await seedFamilyNameTwice(stores.url, 'training', 'learners', [a!, b!], 'Twiceseeded');
    expect(remote.nameFrequencies).toBeTypeOf('function');
    const answer = await remote.nameFrequencies!(50);
    expect(answer).toEqual(await local.nameFrequencies!(50));
    expect(answer.familyNames).toContainEqual({ value: seeded, records: 2 });
    expect(answer.totals.familyNames).toBeGreaterThan(2);
  });
});
