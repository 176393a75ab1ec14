// The data map's rules: one activity per source and record type, and the gaps a privacy
// office must close, from the sources' descriptions alone.
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import type { SourceDescription } from '../../../connectors/contract.js';
import { buildDataMap, DataMapGapCode, type DataMapSource } from '../../../src/governance/data-map.js';
import { dataMapCsv } from '../../../src/governance/data-map-csv.js';
import { Capability, DataCategory as C, IdentifierType, SourceKind } from '../../../src/domain/vocabulary.js';

const NOW = new Date('2026-12-01T00:00:00Z');

const description = (over: Partial<SourceDescription> = {}): SourceDescription => ({
  kind: SourceKind.OTHER,
  name: 'Partner CRM',
  fields: [
    { recordType: 'customer', field: 'email', categories: [C.CONTACT], special: false, correctable: true, identifierType: IdentifierType.EMAIL },
    { recordType: 'customer', field: 'name', categories: [C.IDENTITY], special: false, correctable: false },
    { recordType: 'next_of_kin', field: 'kin_name', categories: [C.IDENTITY], special: false, correctable: false },
  ],
  retention: { summary: '5 years after last contact', activePeriod: 'P5Y', statutory: false, erasure: 'ANONYMISE' },
  controller: { role: 'CONTROLLER' },
  processing: { purposes: ['customer service'], dataSubjects: ['customers'], lawfulBasis: 'contract (Art. 6(1)(b))', recipients: ['none'] },
  ...over,
});

const source = (over: Partial<DataMapSource> = {}): DataMapSource => ({
  id: 'crm',
  name: 'Partner CRM',
  kind: SourceKind.OTHER,
  status: 'ACTIVE',
  controllerIds: [],
  capabilities: [Capability.DISCOVER, Capability.EXPORT, Capability.ERASE, Capability.CORRECT],
  identifierTypes: [IdentifierType.EMAIL],
  description: description(),
  ...over,
});

const codes = (s: DataMapSource) => buildDataMap([s], NOW).gaps.map((g) => g.code);

describe('data map activities', () => {
  it('one activity per record type, with its own categories, fields and the source-wide basis and retention', () => {
    const map = buildDataMap([source()], NOW);
    expect(map.activities.map((a) => a.recordType)).toEqual(['customer', 'next_of_kin']);
    const customer = map.activities[0]!;
    expect(customer.personalDataCategories).toEqual([C.CONTACT, C.IDENTITY]);
    expect(customer.fields).toEqual(['email', 'name']);
    expect(customer).toMatchObject({
      lawfulBasis: 'contract (Art. 6(1)(b))',
      activePeriod: 'P5Y',
      erasure: 'ANONYMISE',
      searchable: true,
      canErase: true,
      canCorrect: true,
      canRestrict: false,
    });
    // Correction is per record type: next_of_kin has no correctable field.
    expect(map.activities[1]!.canCorrect).toBe(false);
    expect(map.gaps).toEqual([]);
  });

  it('special categories are listed apart from other personal data (R12)', () => {
    const d = description({
      fields: [
        { recordType: 'patient', field: 'diagnosis', categories: [C.HEALTH], special: true, correctable: false },
        { recordType: 'patient', field: 'email', categories: [C.CONTACT], special: false, correctable: false },
      ],
    });
    const [a] = buildDataMap(
      [source({ description: { ...d, processing: { ...d.processing!, specialCategoryCondition: 'health care (Art. 9(2)(h))' } } })],
      NOW,
    ).activities;
    expect(a!.specialCategories).toEqual([C.HEALTH]);
    expect(a!.personalDataCategories).toEqual([C.CONTACT]);
  });

  it('names the controllers a processor holds records for', () => {
    const s = source({ controllerIds: ['acme'], description: description({ controller: { role: 'PROCESSOR', defaultControllerId: 'globex' } }) });
    expect(buildDataMap([s], NOW).activities[0]!.controllers).toEqual(['acme', 'globex']);
  });
});

describe('data map gaps', () => {
  it('NO_RETENTION_PERIOD: a source stating no period, whatever its summary', () => {
    expect(codes(source({ description: description({ retention: { summary: 'as registered', statutory: false, erasure: 'DELETE' } }) }))).toEqual([
      DataMapGapCode.NO_RETENTION_PERIOD,
    ]);
    expect(
      codes(source({ description: description({ retention: { summary: 'at most 90 days', maxAge: 'P90D', statutory: false, erasure: 'PURGE_SEGMENTS' } }) })),
    ).toEqual([]);
  });

  it('NO_PROCESSING_BASIS: no processing description, or one without a lawful basis', () => {
    expect(codes(source({ description: description({ processing: undefined }) }))).toEqual([DataMapGapCode.NO_PROCESSING_BASIS]);
    expect(codes(source({ description: description({ processing: { purposes: ['x'], dataSubjects: ['y'], lawfulBasis: ' ', recipients: [] } }) }))).toEqual([
      DataMapGapCode.NO_PROCESSING_BASIS,
    ]);
  });

  it('SPECIAL_CATEGORY_WITHOUT_CONDITION: health data with no Article 9 condition', () => {
    const fields = [{ recordType: 'customer', field: 'allergies', categories: [C.HEALTH], special: true, correctable: false }];
    const gaps = buildDataMap([source({ description: description({ fields }) })], NOW).gaps;
    expect(gaps.map((g) => g.code)).toEqual([DataMapGapCode.SPECIAL_CATEGORY_WITHOUT_CONDITION]);
    expect(gaps[0]!.message).toContain('HEALTH');
  });

  it('NO_DISCOVERY: a source without DISCOVER or without an identifier type to search by', () => {
    expect(codes(source({ capabilities: [Capability.EXPORT] }))).toEqual([DataMapGapCode.NO_DISCOVERY]);
    expect(codes(source({ identifierTypes: [] }))).toEqual([DataMapGapCode.NO_DISCOVERY]);
  });

  it('SOURCE_NOT_DESCRIBED: a source that cannot describe itself has no activity and one gap', () => {
    const map = buildDataMap([source({ description: null })], NOW);
    expect(map.activities).toEqual([]);
    expect(map.gaps.map((g) => g.code)).toEqual([DataMapGapCode.SOURCE_NOT_DESCRIBED]);
  });
});

describe('data map CSV', () => {
  it('a header row in the ICO template wording, one row per activity, the source gaps in the last column', () => {
    const map = buildDataMap([source(), source({ id: 'old', name: 'Old CRM', description: null })], NOW);
    const rows: string[][] = parse(dataMapCsv(map));
    expect(rows[0]).toContain('Purposes of processing');
    expect(rows[0]).toContain('Article 6 lawful basis');
    expect(rows[0]!.at(-1)).toBe('Gaps');
    expect(rows.slice(1).map((r) => r[2])).toEqual(['customer', 'next_of_kin', '']);
    // The undescribed source is still a row, with its gap.
    expect(rows[3]![1]).toBe('old');
    expect(rows[3]!.at(-1)).toBe('SOURCE_NOT_DESCRIBED');
  });

  it('a cell a spreadsheet would run as a formula is opened with a quote mark', () => {
    const map = buildDataMap([source({ name: '=HYPERLINK("http://evil")' })], NOW);
    const rows: string[][] = parse(dataMapCsv(map));
    expect(rows[1]![0]).toBe(`'=HYPERLINK("http://evil")`);
  });
});
