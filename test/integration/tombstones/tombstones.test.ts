import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/database/data-source.js';
import { HmacKeyring } from '../../../src/crypto/index.js';
import { IdentifierType as T } from '../../../src/domain/vocabulary.js';
import { normaliseQueryIdentifiers, normaliseRecordIdentifiers, type NormalisedIdentifier } from '../../../src/identity/normalise/index.js';
import { checkPeople } from '../../../src/tombstones/tombstone-check.js';
import { recreationVerdict } from '../../../src/tombstones/recreation-evidence.js';
import { TombstoneService } from '../../../src/tombstones/tombstone.service.js';
import { createTestDatabase } from '../../support/test-database.js';

const key = (kid: string) => ({ kid, key: randomBytes(32) });
const k1 = key('k1');
const k2 = key('k2');

const erasedPerson = normaliseQueryIdentifiers([
  { type: T.GIVEN_NAME, value: 'William' },
  { type: T.FAMILY_NAME, value: 'Okafor' },
  { type: T.DATE_OF_BIRTH, value: '1984-03-07' },
  { type: T.EMAIL, value: 'W.Okafor@example.org' },
  { type: T.PHONE, value: '+44 20 7946 0321' },
  { type: T.MEMBERSHIP_NUMBER, value: 'mem-00123' },
]);

describe('tombstones', () => {
  const db = createTestDatabase();
  let ds: DataSource;
  const requestId = randomUUID();
  beforeAll(async () => {
    ds = createDataSource({ url: (await db).url, poolSize: 2 });
    await ds.initialize();
    await new TombstoneService(ds, new HmacKeyring([k1])).record(requestId, erasedPerson, new Date());
  });
  afterAll(async () => {
    await ds.destroy();
    await (await db).drop();
  });

  it('R11: keeps keyed hashes and the request id only, no clear personal data', async () => {
    const rows: Record<string, unknown>[] = await ds.query('SELECT * FROM tombstone');
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['EMAIL', 'PHONE', 'MEMBERSHIP_NUMBER', 'NAME_DOB']));
    const dump = JSON.stringify(rows).toLowerCase();
    for (const clear of ['okafor', 'william', 'example.org', '79460321', '1984-03-07', 'mem00123']) expect(dump).not.toContain(clear);
    expect(new Set(rows.map((r) => r.request_id))).toEqual(new Set([requestId]));
  });

  it('R10: a feed carrying the erased person, written differently, is told so and by which request', async () => {
    const service = new TombstoneService(ds, new HmacKeyring([k1]));
    const feed = normaliseQueryIdentifiers([
      { type: T.EMAIL, value: 'w.okafor@EXAMPLE.org ' },
      { type: T.PHONE, value: '020 7946 0321' },
      { type: T.FULL_NAME, value: 'Okafor, Bill' },
      { type: T.DATE_OF_BIRTH, value: '07/03/1984' },
    ]);
    const [answers] = await service.check([feed]);
    expect(answers!.map((a) => a.tombstoned)).toEqual([true, true, true, true]);
    expect(answers!.every((a) => a.requestId === requestId)).toBe(true);
  });

  it('does not block someone else, nor a name without the date of birth', async () => {
    const service = new TombstoneService(ds, new HmacKeyring([k1]));
    const [other, nameOnly] = await service.check([
      normaliseQueryIdentifiers([
        { type: T.EMAIL, value: 'someone.else@example.org' },
        { type: T.GIVEN_NAME, value: 'William' },
        { type: T.FAMILY_NAME, value: 'Okafor' },
        { type: T.DATE_OF_BIRTH, value: '1990-01-01' },
      ]),
      normaliseQueryIdentifiers([{ type: T.FULL_NAME, value: 'William Okafor' }]),
    ]);
    expect(other!.map((a) => a.tombstoned)).toEqual([false, false, false, false]);
    expect(nameOnly!.map((a) => a.tombstoned)).toEqual([false]);
  });

  it('R10: a feed carrying the erased person in another Unicode form (decomposed accents, zero-width characters, full-width letters) is told so', async () => {
    const service = new TombstoneService(ds, new HmacKeyring([k1]));
    const other = randomUUID();
    await service.record(
      other,
      normaliseQueryIdentifiers([
        { type: T.EMAIL, value: 'Jos\u00e9.Pereira@example.org' },
        { type: T.NATIONAL_ID, value: 'QQ123456C' },
      ]),
      new Date(),
    );
    const [decomposed, zeroWidth] = await service.check([
      normaliseQueryIdentifiers([
        { type: T.EMAIL, value: 'jose\u0301.pereira@example.org' },
        { type: T.NATIONAL_ID, value: 'ＱＱ１２３４５６Ｃ' },
      ]),
      normaliseQueryIdentifiers([{ type: T.EMAIL, value: 'jos\u00e9.pereira\u200b@example.org' }]),
    ]);
    expect(decomposed!.map((a) => a.tombstoned)).toEqual([true, true]);
    expect(zeroWidth![0]).toMatchObject({ tombstoned: true, requestId: other });
  });

  it('R10: a feed writing the erased person’s e-mail as mail headers and lists do (<…>, "Name <…>", quoted, a trailing comma or semicolon), or a reference number or date of birth with typographic dashes, is told so, by the guard and by the sweep', async () => {
    const service = new TombstoneService(ds, new HmacKeyring([k1]));
    const raw = [
      { type: T.EMAIL, value: '<w.okafor@example.org>' },
      { type: T.EMAIL, value: 'William Okafor <W.Okafor@example.org>' },
      { type: T.EMAIL, value: '"Okafor, William" <mailto:w.okafor@example.org>;' },
      { type: T.EMAIL, value: 'w.okafor@example.org,' },
      { type: T.EMAIL, value: "'w.okafor@example.org'" },
      { type: T.EMAIL, value: '(w.okafor@example.org)' },
      { type: T.MEMBERSHIP_NUMBER, value: 'MEM\u201300123' },
      { type: T.MEMBERSHIP_NUMBER, value: 'mem\u201100123' },
      { type: T.GIVEN_NAME, value: 'William' },
      { type: T.FAMILY_NAME, value: 'Okafor' },
      { type: T.DATE_OF_BIRTH, value: '1984\u201303\u201307' },
    ];
    const guard = await checkPeople(service, [{ identifiers: raw }], { controllerIds: null, everyController: true });
    expect(guard.people[0]!.results.map((r) => [r.type, r.tombstoned, r.requestId])).toEqual(raw.map((r) => [r.type, true, requestId]));
    const [swept] = await service.check([normaliseRecordIdentifiers(raw)]);
    expect(swept!.map((a) => a.tombstoned)).toEqual(swept!.map(() => true));
    expect(swept!.map((a) => a.type).sort()).toEqual([T.DATE_OF_BIRTH, T.EMAIL, T.FAMILY_NAME, T.GIVEN_NAME, T.MEMBERSHIP_NUMBER]);
  });

  it('R10 on upgrade: an e-mail a source wrote wrapped (<…>, a trailing semicolon), tombstoned as the release before read it, still stops the same value', async () => {
    const service = new TombstoneService(ds, new HmacKeyring([k1]));
    const erasedBefore = randomUUID();
    // The release before read a record's "<…>" and "…;" addresses as they were written.
    await service.record(
      erasedBefore,
      [
        { type: T.EMAIL, value: '<kemi.adeyemi@example.org>' },
        { type: T.EMAIL, value: 'k.adeyemi@example.net;' },
      ],
      new Date('2026-01-01T00:00:00Z'),
    );
    const raw = [
      { type: T.EMAIL, value: '<Kemi.Adeyemi@example.org>' },
      { type: T.EMAIL, value: 'k.adeyemi@example.net;' },
    ];
    const guard = await checkPeople(service, [{ identifiers: raw }], { controllerIds: null, everyController: true });
    expect(guard.people[0]!.results.map((r) => [r.tombstoned, r.requestId])).toEqual(raw.map(() => [true, erasedBefore]));
    const [swept] = await service.check([normaliseRecordIdentifiers(raw)]);
    expect(swept!.map((a) => [a.tombstoned, a.requestId])).toEqual(raw.map(() => [true, erasedBefore]));
  });

  it('R10 on upgrade: tombstones written before the Unicode step, in the form the values had then, still stop the same values', async () => {
    const service = new TombstoneService(ds, new HmacKeyring([k1]));
    const erasedBefore = randomUUID();
    // What the release before the Unicode step wrote: its normal forms, hashed as they were
    // (a decomposed accent and a zero-width space kept, a soft hyphen read as a space, a
    // source's full-width "＠" address kept mangled, one that the Unicode step now makes
    // unreadable with two "@" read as it was).
    const before: NormalisedIdentifier[] = [
      { type: T.EMAIL, value: 'ine\u0301s.duarte@example.org' },
      { type: T.EMAIL, value: 'ines.duarte\u200b@example.net' },
      { type: T.EMAIL, value: 'ines\uff20duarte.example.com' },
      { type: T.EMAIL, value: 'ana\uff20duarte@example.com' },
      { type: T.FULL_NAME, value: 'ana maria duarte', given: 'ana', canonical: 'ana', family: 'duarte' },
      { type: T.DATE_OF_BIRTH, value: '1979-11-02' },
    ];
    await service.record(erasedBefore, before, new Date('2026-01-01T00:00:00Z'));
    const raw = [
      { type: T.EMAIL, value: 'Ine\u0301s.Duarte@example.org' },
      { type: T.EMAIL, value: 'ines.duarte\u200b@example.net' },
      { type: T.EMAIL, value: 'ines\uff20duarte.example.com' },
      { type: T.EMAIL, value: 'Ana\uff20Duarte@example.com' },
      { type: T.FULL_NAME, value: 'Ana\u00adMaria Duarte' },
      { type: T.DATE_OF_BIRTH, value: '02/11/1979' },
    ];
    // The feed's guard, from the values as the feed sends them.
    const guard = await checkPeople(service, [{ identifiers: raw }], { controllerIds: null, everyController: true });
    expect(guard.people[0]!.results.map((r) => [r.tombstoned, r.requestId])).toEqual(raw.map(() => [true, erasedBefore]));
    // The recreation sweep, from the values as a source's record holds them.
    const [swept] = await service.check([normaliseRecordIdentifiers(raw)]);
    expect(swept!.map((a) => a.tombstoned)).toEqual(raw.map(() => true));
    // New tombstones are written in the current form only.
    const erasedNow = randomUUID();
    await service.record(erasedNow, normaliseQueryIdentifiers([raw[0]!]), new Date());
    const [now] = await service.check([[{ type: T.EMAIL, value: 'in\u00e9s.duarte@example.org' }]]);
    expect(now![0]).toMatchObject({ tombstoned: true, requestId: erasedNow });
    const written: { request_id: string }[] = await ds.query('SELECT request_id FROM tombstone WHERE request_id = $1', [erasedNow]);
    expect(written).toHaveLength(1);
  });

  it('still matches after the tombstone key rotates (old key kept for lookups)', async () => {
    const rotated = new TombstoneService(ds, new HmacKeyring([k2, k1]));
    const [answers] = await rotated.check([normaliseQueryIdentifiers([{ type: T.EMAIL, value: 'w.okafor@example.org' }])]);
    expect(answers![0]).toMatchObject({ tombstoned: true, requestId });
    const withoutOldKey = new TombstoneService(ds, new HmacKeyring([k2]));
    const [missed] = await withoutOldKey.check([normaliseQueryIdentifiers([{ type: T.EMAIL, value: 'w.okafor@example.org' }])]);
    expect(missed![0]!.tombstoned).toBe(false);
  });

  it('R10: the sweep weighs every erasure a token names: an e-mail erased twice and a phone erased with it the second time confirm the second', async () => {
    const service = new TombstoneService(ds, new HmacKeyring([k1]));
    const email = { type: T.EMAIL, value: 'twice.erased@example.org' };
    const phone = { type: T.PHONE, value: '+44 20 7946 0777' };
    const first = randomUUID();
    const second = randomUUID();
    await service.record(first, normaliseQueryIdentifiers([email]), new Date('2026-01-01T00:00:00Z'));
    await service.record(second, normaliseQueryIdentifiers([email, phone]), new Date('2026-02-01T00:00:00Z'));
    const [record] = await service.check([normaliseRecordIdentifiers([email, phone])]);
    expect(record!.map((a) => [a.requestId, a.requestIds])).toEqual([
      [first, [first, second]],
      [second, [second]],
    ]);
    expect(recreationVerdict(record!)).toEqual({ requestId: second, confirmed: true });
  });

  it('writing the same erasure twice adds nothing', async () => {
    const service = new TombstoneService(ds, new HmacKeyring([k1]));
    expect(await service.record(requestId, erasedPerson, new Date())).toBe(0);
  });
});
