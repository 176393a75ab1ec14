// The conformance kit run against all six built-in connectors, the generic SQL connector
// and the remote connector (training, served by its stand-in learning platform).
import { afterAll, beforeAll } from 'vitest';
import { describeConnectorConformance } from '../../../connectors/conformance/index.js';
import { createConnector } from '../../../connectors/registry.js';
import { createBuiltinConnector } from '../../../connectors/builtin.js';
import { startTrainingService, type TrainingService } from '../../../connectors/training/service.js';
import { DataCategory, SourceKind } from '../../../src/domain/vocabulary.js';
import { fixtureFrom, recordIds, seedFamilyNameTwice, seededStores, type SeededStores } from './fixtures.js';
import { createForeignCrmDatabase, crmSourceConfig, type ForeignDatabase } from './foreign-crm.js';

let stores: SeededStores;
let training: TrainingService;
let crm: ForeignDatabase;
const SECRET = 'conformance-secret-0123456789';

beforeAll(async () => {
  stores = await seededStores(80, 11);
  training = await startTrainingService({ url: stores.url, secret: SECRET });
  crm = await createForeignCrmDatabase();
});

afterAll(async () => {
  await training?.close();
  await crm?.drop();
  await stores?.drop();
});

const builtins = [
  {
    system: 'case_management',
    table: 'cases',
    prefix: 'CASE-',
    change: { field: 'email', value: 'corrected@example.org', reason: 'member said so' },
    special: [DataCategory.HEALTH],
  },
  {
    system: 'clinic',
    table: 'patients',
    prefix: 'PAT-',
    change: { field: 'diagnosis', value: 'Corrected: migraine', reason: 'clinician review' },
    special: [DataCategory.HEALTH],
  },
  { system: 'training', table: 'learners', prefix: 'LRN-', change: { field: 'email', value: 'corrected@example.org', reason: 'learner said so' }, special: [] },
  { system: 'concierge', table: 'members', prefix: 'MBR-', change: { field: 'phone', value: '+447700900123', reason: 'member said so' }, special: [] },
  {
    system: 'recruitment',
    table: 'candidates',
    prefix: 'CAND-',
    change: { field: 'email', value: 'corrected@example.org', reason: 'candidate said so' },
    special: [DataCategory.ETHNICITY, DataCategory.RELIGION],
  },
  { system: 'cctv', table: 'visits', prefix: 'VIS-', change: { field: 'company', value: 'Corrected Ltd', reason: 'visitor said so' }, special: [] },
] as const;

for (const b of builtins) {
  describeConnectorConformance(`builtin ${b.system}`, async () => {
    const connector = createBuiltinConnector(b.system, { url: stores.url, schema: b.system, footageDir: stores.footageDir });
    const ids = await recordIds(stores.url, b.system, b.prefix);
    return fixtureFrom(connector, ids, b.system, b.change, {
      unknownRecordId: `${b.prefix}9999999`,
      expectedSpecialCategories: [...b.special],
      familyNameSeededTwice: await seedFamilyNameTwice(stores.url, b.system, b.table, [ids[5]!, ids[6]!], `Twiceseeded ${b.system}`),
    });
  });
}

describeConnectorConformance('remote (training over signed HTTP)', async () => {
  const connector = await createConnector(
    {
      id: 'training',
      name: 'Training',
      kind: SourceKind.TRAINING,
      type: 'remote',
      connection: { baseUrl: training.baseUrl, secretEnv: 'DSR_SOURCE_SECRET_TRAINING_FOR_TEST' },
    },
    { vars: { DSR_SOURCE_SECRET_TRAINING_FOR_TEST: SECRET } },
  );
  const ids = (await recordIds(stores.url, 'training', 'LRN-', 20)).slice(10);
  return fixtureFrom(
    connector,
    ids,
    'training',
    { field: 'employer', value: 'Corrected Employer', reason: 'learner said so' },
    {
      unknownRecordId: 'LRN-9999999',
      familyNameSeededTwice: await seedFamilyNameTwice(stores.url, 'training', 'learners', [ids[5]!, ids[6]!], 'Twiceseeded remote'),
    },
  );
});

describeConnectorConformance('generic SQL (an unknown CRM database)', async () => {
  const connector = await createConnector(crmSourceConfig(crm.url), {
    gatewayDatabaseUrl: stores.url,
    vars: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' },
  });
  await crm.query(`INSERT INTO crm.customers (first_name, surname) VALUES ('Ines', 'Twiceseeded'), ('Jonas', 'Twiceseeded')`);
  await crm.refresh(connector);
  return fixtureFrom(
    connector,
    ['customer:1', 'customer:2', 'customer:3', 'customer:4'],
    'crm',
    { field: 'mobile', value: '+447700900999', reason: 'customer said so' },
    {
      unknownRecordId: 'customer:999999',
      expectedSpecialCategories: [DataCategory.HEALTH],
      familyNameSeededTwice: 'Twiceseeded',
    },
  );
});

// A source registered with another phone country: its national numbers are keyed in FR, and
// the kit asks in FR too (the fixture's phoneCountry).
describeConnectorConformance('generic SQL keyed in FR (phoneCountry)', async () => {
  const connector = await createConnector(
    { ...crmSourceConfig(crm.url), id: 'crm-paris', phoneCountry: 'FR' },
    { gatewayDatabaseUrl: stores.url, vars: { DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'unused-with-trust-auth' } },
  );
  // Its own customers, each with a French mobile in national form (and two of one family name).
  const rows = await crm.query<{ cust_no: number }>(
    `INSERT INTO crm.customers (first_name, surname, e_mail, mobile, born)
     SELECT 'Client' || n, CASE WHEN n > 4 THEN 'Deuxfois' ELSE 'Parisien' || n END, 'client' || n || '@example.fr', '06 12 34 56 7' || n, ('1980-01-0' || n)::date
     FROM generate_series(1, 6) AS n RETURNING cust_no`,
  );
  await crm.refresh(connector);
  const ids = rows.map((r) => `customer:${r.cust_no}`);
  return fixtureFrom(
    connector,
    ids.slice(0, 4),
    'crm-paris',
    { field: 'mobile', value: '+33612345699', reason: 'customer said so' },
    { unknownRecordId: 'customer:999999', expectedSpecialCategories: [DataCategory.HEALTH], familyNameSeededTwice: 'Deuxfois', phoneCountry: 'FR' },
  );
});
