// Connector.nameFrequencies: the generic SQL connector counts the mapping's name columns
// (erased values are not names), the remote protocol passes the training platform's counts
// through unchanged.
import { describe, expect, it } from 'vitest';
import { createBuiltinConnector } from '../../../connectors/builtin.js';
import { createConnector } from '../../../connectors/registry.js';
import { SourceKind } from '../../../src/domain/vocabulary.js';
import { recordIds, seedFamilyNameTwice } from './fixtures.js';
import { crmSourceConfig } from './foreign-crm.js';
import { threeKindsOfSource } from './three-kinds.js';

const SECRET = 'name-frequencies-secret-0123456789';
const world = threeKindsOfSource(SECRET);

describe('name counts for the term-frequency tables', () => {
  it('the generic SQL connector counts its GIVEN_NAME and FAMILY_NAME columns, trimmed; erased surnames (a fixed text, a hash) and names held once are left out', async () => {
    const connector = await createConnector(crmSourceConfig(world.crm.url), {
      gatewayDatabaseUrl: world.stores.url,
      vars: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' },
    });
    world.opened.push(connector);
    await world.crm.query(
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
        connection: { baseUrl: world.training.baseUrl, secretEnv: 'DSR_SOURCE_SECRET_TRAINING_FOR_TEST' },
      },
      { vars: { DSR_SOURCE_SECRET_TRAINING_FOR_TEST: SECRET } },
    );
    const local = createBuiltinConnector('training', { url: world.stores.url, schema: 'training', footageDir: world.stores.footageDir });
    world.opened.push(remote, local);
    const [a, b] = await recordIds(world.stores.url, 'training', 'LRN-', 2);
    const seeded = await seedFamilyNameTwice(world.stores.url, 'training', 'learners', [a!, b!], 'Twiceseeded');
    expect(remote.nameFrequencies).toBeTypeOf('function');
    const answer = await remote.nameFrequencies!(50);
    expect(answer).toEqual(await local.nameFrequencies!(50));
    expect(answer.familyNames).toContainEqual({ value: seeded, records: 2 });
    expect(answer.totals.familyNames).toBeGreaterThan(2);
  });
});
