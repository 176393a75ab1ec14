// The data map (Art. 30 record of processing) through the API: the six reference sources
// describe everything the record needs (no gap), a source registered without a retention
// period or a lawful basis is flagged, and the map downloads as JSON and CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { bearer } from '../../support/runtime.js';
import { gql, type ResultOf } from '../../support/graphql.js';
import { crmSourceConfig, type ForeignDatabase } from '../connectors/foreign-crm.js';
import { startCrmGateway, type CrmGateway } from '../sources/crm-gateway.js';
import type { ReferenceGateway } from '../discovery/reference-gateway.js';

let ref: ReferenceGateway;
let crm: ForeignDatabase;
let admin: Record<string, string>;
let handler: Record<string, string>;

const DATA_MAP = gql(`query DataMap { dataMap { generatedAt gaps { sourceId code message }
  activities { sourceId recordType purposes dataSubjects lawfulBasis specialCategoryCondition specialCategories personalDataCategories
    recipients retentionSummary activePeriod archivePeriod maxAge statutoryRetention erasure controllerRole searchable canErase canCorrect canRestrict } } }`);
type DataMap = ResultOf<typeof DATA_MAP>['dataMap'];

const REGISTER = `mutation R($input: RegisterSourceInput!) { registerSource(input: $input) { id } }`;

let env: CrmGateway | undefined;

beforeAll(async () => {
  env = await startCrmGateway({ people: 20, seed: 7 });
  ({ ref, crm, admin, handler } = env);
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

describe('dataMap', () => {
  it('the six reference sources: every record type an activity with purposes, lawful basis and a retention period; no gap', async () => {
    const reply = await ref.gw.graphql(DATA_MAP, {}, handler);
    expect(reply.body.errors).toBeUndefined();
    const { activities, gaps } = reply.body.data!.dataMap;
    expect(gaps).toEqual([]);
    expect([...new Set(activities.map((a) => a.sourceId))].sort()).toEqual(['case_management', 'cctv', 'clinic', 'concierge', 'recruitment', 'training']);
    for (const a of activities) {
      expect(a.purposes.length, `${a.sourceId}/${a.recordType}`).toBeGreaterThan(0);
      expect(a.dataSubjects.length).toBeGreaterThan(0);
      expect(a.lawfulBasis).toBeTruthy();
      expect([a.activePeriod, a.archivePeriod, a.maxAge].some(Boolean), `${a.sourceId} period`).toBe(true);
      expect(a.searchable).toBe(true);
      if (a.specialCategories.length > 0) expect(a.specialCategoryCondition, `${a.sourceId}/${a.recordType}`).toBeTruthy();
    }
    // The clinic's medical records: health data, kept by law, erasure becomes a legal hold (R8, R12).
    const patient = activities.find((a) => a.sourceId === 'clinic' && a.recordType === 'patient')!;
    expect(patient).toMatchObject({ statutoryRetention: true, erasure: 'LEGAL_HOLD', activePeriod: 'P3Y', archivePeriod: 'P30Y' });
    expect(patient.specialCategories).toContain('HEALTH');
    expect(patient.personalDataCategories).not.toContain('HEALTH');
    expect(activities.find((a) => a.sourceId === 'cctv')).toMatchObject({ maxAge: 'P90D', erasure: 'PURGE_SEGMENTS' });
  });

  it('a registered source without a retention period, a lawful basis or an Article 9 condition is flagged; stating them clears the flags', async () => {
    const { retention: _withPeriod, ...withoutRetention } = crmSourceConfig(crm.url) as Record<string, unknown>;
    const first = await ref.gw.graphql(REGISTER, { input: withoutRetention }, admin);
    expect(first.body.errors).toBeUndefined();
    const flagged = (await ref.gw.graphql(DATA_MAP, {}, handler)).body.data!.dataMap.gaps;
    expect(
      flagged
        .filter((g) => g.sourceId === 'crm')
        .map((g) => g.code)
        .sort(),
    ).toEqual(['NO_PROCESSING_BASIS', 'NO_RETENTION_PERIOD', 'SPECIAL_CATEGORY_WITHOUT_CONDITION']);
    expect(flagged.filter((g) => g.sourceId !== 'crm')).toEqual([]);

    const described = {
      ...withoutRetention,
      retention: { summary: '5 years after last contact', activePeriod: 'P5Y', erasure: 'ANONYMISE' },
      processing: {
        purposes: ['customer service'],
        dataSubjects: ['customers', 'next of kin'],
        lawfulBasis: 'contract (Art. 6(1)(b))',
        specialCategoryCondition: 'explicit consent (Art. 9(2)(a))',
        recipients: [],
      },
    };
    const second = await ref.gw.graphql(REGISTER, { input: described }, admin);
    expect(second.body.errors).toBeUndefined();
    const after = (await ref.gw.graphql(DATA_MAP, {}, handler)).body.data!.dataMap;
    expect(after.gaps).toEqual([]);
    expect(after.activities.find((a) => a.sourceId === 'crm' && a.recordType === 'customer')).toMatchObject({
      lawfulBasis: 'contract (Art. 6(1)(b))',
      activePeriod: 'P5Y',
      specialCategories: ['HEALTH'],
    });
  });

  it('a bad processing description is refused with a coded error', async () => {
    const reply = await ref.gw.graphql(
      REGISTER,
      { input: { ...(crmSourceConfig(crm.url) as Record<string, unknown>), id: 'crm2', processing: { purposes: [] } } },
      admin,
    );
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('INVALID_SOURCE_CONFIG');
  });

  it('is refused to a key without governance:read (CONNECTOR) and to no key', async () => {
    const connector = await bearer(ref.gw, ['CONNECTOR']);
    const reply = await ref.gw.graphql(DATA_MAP, {}, connector);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await fetch(`${ref.gw.url}/v1/data-map.json`)).status).toBe(401);
    expect((await fetch(`${ref.gw.url}/v1/data-map.csv`, { headers: connector })).status).toBe(403);
  });
});

describe('GET /v1/data-map.json and .csv', () => {
  it('downloads the same map as JSON and as CSV, one CSV row per activity', async () => {
    const auditor = await bearer(ref.gw, ['AUDITOR']);
    const json = await fetch(`${ref.gw.url}/v1/data-map.json`, { headers: auditor });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toMatch(/^attachment; filename="data-map-\d{4}-\d{2}-\d{2}\.json"$/);
    const map = (await json.json()) as DataMap;
    const csv = await fetch(`${ref.gw.url}/v1/data-map.csv`, { headers: auditor });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows: string[][] = parse(await csv.text());
    expect(rows[0]!.slice(0, 4)).toEqual(['Source', 'Source id', 'Record type', 'Purposes of processing']);
    expect(rows.slice(1).map((r) => `${r[1]}/${r[2]}`)).toEqual(map.activities.map((a) => `${a.sourceId}/${a.recordType}`));
  });
});
