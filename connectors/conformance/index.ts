// The connector conformance kit: one vitest suite any connector can be run against.
//
//   import { describeConnectorConformance } from '<gateway>/connectors/conformance/index.js';
//   describeConnectorConformance('my source', async () => ({ connector, known, erasable, ... }));
//
// It checks batched order, the record count, the name counts, batched writes and the listing of records past
// retention (when offered), idempotent
// writes, that an erased record is gone, unknown records, malformed identifiers, special-category marking (R12) and
// health. See docs/connectors.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type Connector, type DiscoveryQuery, type FieldChange, type Identifier, type RecordRef } from '../contract.js';
import { isSpecialCategory, type DataCategory } from '../../src/domain/vocabulary.js';
import { blockingKeysOf } from '../../src/identity/blocking.js';
import { retentionEndOf } from '../../src/requests/decisions.js';
import type { CountryCode } from 'libphonenumber-js';

export interface ConformanceFixture {
  connector: Connector;
  /** A query that must find `recordId` (among possibly others). */
  known: { query: DiscoveryQuery; recordId: string };
  /** A record the kit may erase (not `known`, so discovery checks stay valid). */
  erasable: RecordRef;
  /** A record and a change the kit may apply twice. */
  correctable: { ref: RecordRef; changes: FieldChange[] };
  /** A record the kit may restrict. */
  restrictable: RecordRef;
  /** A record id of the right shape that does not exist. */
  unknownRecordId: string;
  /** Special categories the source must mark on at least one field. */
  expectedSpecialCategories?: DataCategory[];
  /**
   * A family name the fixture gave exactly two records, and no other: when the connector
   * offers nameFrequencies, it must be counted as held twice.
   */
  familyNameSeededTwice?: string;
  /**
   * The country the connector reads and keys phone numbers written without a +prefix in (the
   * phoneCountry its source is registered with); default GB. The kit's own discovery queries
   * are keyed in it.
   */
  phoneCountry?: CountryCode;
  teardown?: () => Promise<void>;
}

const OK_REPEAT = ['ALREADY_APPLIED', 'NOT_FOUND', 'REFUSED'];

/** After an applied erasure: discovery by the identifiers the record held no longer finds it. */
export async function expectGoneFromDiscovery(
  f: Pick<ConformanceFixture, 'connector' | 'phoneCountry'>,
  held: readonly Identifier[],
  ref: RecordRef,
): Promise<void> {
  // Keyed as the connector keys the record: in another country a national number is another
  // key, and the record would not be found even if the connector still found it by its number.
  const reading = f.phoneCountry ? { defaultCountry: f.phoneCountry } : {};
  const [found] = await f.connector.discover([{ identifiers: [...held], blockingKeys: blockingKeysOf(held, reading) }]);
  expect(
    found!.map((r) => r.recordId),
    'found by the identifiers it held',
  ).not.toContain(ref.recordId);
}

export function describeConnectorConformance(name: string, setup: () => Promise<ConformanceFixture>): void {
  describe(`connector conformance: ${name}`, () => {
    let f: ConformanceFixture;
    beforeAll(async () => {
      f = await setup();
    });
    afterAll(async () => {
      await f?.teardown?.();
      await f?.connector.close();
    });

    it('answers a batch with one answer per query, in order, including an empty answer', async () => {
      const none: DiscoveryQuery = { identifiers: [], blockingKeys: ['EMAIL:nobody-at-all@conformance.invalid'] };
      const answers = await f.connector.discover([f.known.query, none, f.known.query]);
      expect(answers).toHaveLength(3);
      expect(answers[0]!.map((r) => r.recordId)).toContain(f.known.recordId);
      expect(answers[1]).toEqual([]);
      expect(answers[2]!.map((r) => r.recordId).sort()).toEqual(answers[0]!.map((r) => r.recordId).sort());
      expect(await f.connector.discover([])).toEqual([]);
    });

    it('returns records that carry identifiers, a relationship and dates', async () => {
      const [answer] = await f.connector.discover([f.known.query]);
      const record = answer!.find((r) => r.recordId === f.known.recordId)!;
      expect(record.identifiers.length).toBeGreaterThan(0);
      expect(record.relationship).toBeTruthy();
      expect(record.dates).toBeTypeOf('object');
      const [exported] = await f.connector.export([{ sourceId: 'conformance', recordId: f.known.recordId }]);
      expect(exported?.recordId).toBe(f.known.recordId);
    });

    it('counts its records when it offers recordCount: a whole number, the known record included', async () => {
      if (!f.connector.recordCount) return; // optional: the gateway then scores it with the model's prior
      const records = await f.connector.recordCount();
      expect(Number.isInteger(records)).toBe(true);
      expect(records).toBeGreaterThanOrEqual(1);
    });

    it('counts its names when it offers nameFrequencies: most frequent first, each held by 2 records or more, at most the limit, totals covering them, a name seeded twice counted twice', async () => {
      const count = f.connector.nameFrequencies?.bind(f.connector);
      if (!count) return; // optional: the source then adds nothing to the gateway's name tables
      const all = await count(10_000);
      for (const list of [all.givenNames, all.familyNames]) {
        expect(Array.isArray(list)).toBe(true);
        for (const n of list) {
          expect(typeof n.value).toBe('string');
          expect(n.value.trim()).not.toBe('');
          expect(Number.isInteger(n.records)).toBe(true);
          expect(n.records, `${n.value} is held once: a name held once identifies a person`).toBeGreaterThanOrEqual(2);
        }
        expect(list.map((n) => n.records)).toEqual([...list.map((n) => n.records)].sort((a, b) => b - a));
        expect(new Set(list.map((n) => n.value)).size).toBe(list.length);
      }
      for (const field of ['givenNames', 'familyNames'] as const) {
        const total = all.totals[field];
        expect(Number.isInteger(total), `totals.${field} is a whole number`).toBe(true);
        expect(total, `totals.${field} counts every value held, listed or not`).toBeGreaterThanOrEqual(all[field].reduce((a, n) => a + n.records, 0));
      }
      if (f.familyNameSeededTwice) expect(all.familyNames.find((n) => n.value === f.familyNameSeededTwice)?.records).toBe(2);
      const one = await count(1);
      expect(one.givenNames.length).toBeLessThanOrEqual(1);
      expect(one.familyNames.length).toBeLessThanOrEqual(1);
      if (all.familyNames.length) expect(one.familyNames[0]!.records).toBe(all.familyNames[0]!.records);
    });

    it('R9: lists records past retention, when it offers listExpired: cursor-paged in record-id order, each one past its retention by the source’s own policy, the known record exactly from the day its retention ends', async () => {
      const list = f.connector.listExpired?.bind(f.connector);
      if (!list) return; // optional: retention runs then name the source as one they cannot list
      const { retention, rules } = f.connector.describe();
      const walk = async (asOf: Date): Promise<string[]> => {
        const seen: string[] = [];
        let after: string | undefined;
        for (let page = 0; page < 10_000; page++) {
          const { records, next } = await list(asOf, 2, after);
          expect(records.length).toBeLessThanOrEqual(2);
          for (const r of records) {
            const end = retentionEndOf(r.dates, retention, f.connector.kind, rules);
            expect(end, `${r.recordId} is listed but its retention cannot have ended`).not.toBeNull();
            expect(end!.getTime()).toBeLessThanOrEqual(asOf.getTime());
            seen.push(r.recordId);
          }
          if (!next) break;
          expect(after === undefined || next > after, 'the cursor moves forward').toBe(true);
          after = next;
        }
        expect(seen).toEqual([...seen].sort());
        expect(new Set(seen).size).toBe(seen.length);
        return seen;
      };
      expect(await walk(new Date('1900-01-01T00:00:00Z'))).toEqual([]);
      const [known] = await f.connector.export([{ sourceId: 'conformance', recordId: f.known.recordId }]);
      const end = known ? retentionEndOf(known.dates, retention, f.connector.kind, rules) : null;
      if (!end) return; // a policy without periods, or an undated record: nothing can be judged past retention
      expect(await walk(new Date(end.getTime() - 86_400_000))).not.toContain(f.known.recordId);
      expect(await walk(new Date(end.getTime() + 86_400_000))).toContain(f.known.recordId);
    });

    it('treats an unknown record as NOT_FOUND everywhere and leaves it out of exports', async () => {
      const ref = { sourceId: 'conformance', recordId: f.unknownRecordId };
      expect(await f.connector.export([ref])).toEqual([]);
      expect((await f.connector.erase(ref, { action: 'ERASE', requestId: 'r-unknown', taskId: 't-unknown' })).outcome).toBe('NOT_FOUND');
      expect((await f.connector.restrict(ref, true)).outcome).toBe('NOT_FOUND');
      const change = f.correctable.changes;
      expect(['NOT_FOUND', 'REFUSED']).toContain((await f.connector.correct(ref, change)).outcome);
    });

    it('answers a malformed identifier with INVALID_IDENTIFIER or an empty answer, never a crash', async () => {
      const malformed = [
        { identifiers: [{ type: 'NOT_A_TYPE', value: 'x' }], blockingKeys: ['NOT_A_TYPE:x'] },
        { identifiers: [{ type: 'EMAIL', value: '' }], blockingKeys: [''] },
        { identifiers: [{ type: 'EMAIL', value: "'; DROP TABLE x; --" }], blockingKeys: ["EMAIL:'; DROP TABLE x; --"] },
      ] as unknown as DiscoveryQuery[];
      for (const query of malformed) {
        try {
          const answer = await f.connector.discover([query]);
          expect(answer).toEqual([[]]);
        } catch (error) {
          expect(error).toBeInstanceOf(ConnectorError);
          expect((error as ConnectorError).code).toBe('INVALID_IDENTIFIER');
        }
      }
      expect((await f.connector.health()).healthy).toBe(true);
    });

    it('restricts idempotently: the second time is ALREADY_APPLIED and the flag shows', async () => {
      expect((await f.connector.restrict(f.restrictable, true)).outcome).toBe('APPLIED');
      expect((await f.connector.restrict(f.restrictable, true)).outcome).toBe('ALREADY_APPLIED');
      const [record] = await f.connector.export([f.restrictable]);
      expect(record?.restricted).toBe(true);
    });

    it('corrects idempotently: the second identical correction is ALREADY_APPLIED', async () => {
      expect((await f.connector.correct(f.correctable.ref, f.correctable.changes)).outcome).toBe('APPLIED');
      const before = await f.connector.export([f.correctable.ref]);
      expect((await f.connector.correct(f.correctable.ref, f.correctable.changes)).outcome).toBe('ALREADY_APPLIED');
      expect(await f.connector.export([f.correctable.ref])).toEqual(before);
    });

    it('erases idempotently: the record is gone (no export or discovery carries its identifiers), and a repeat changes nothing more', async () => {
      const plan = { action: 'ERASE' as const, requestId: 'r-conformance', taskId: 't-conformance' };
      const [held] = await f.connector.export([f.erasable]);
      expect(held?.identifiers.length, 'the erasable record exists and carries identifiers').toBeGreaterThan(0);
      const first = await f.connector.erase(f.erasable, plan);
      expect(['APPLIED', 'REFUSED']).toContain(first.outcome);
      const after = await f.connector.export([f.erasable]);
      if (first.outcome === 'APPLIED') {
        // Deleted, or anonymised in place: what identified the person is no longer there.
        const former = new Set(held!.identifiers.map((i) => `${i.type}:${i.value}`));
        expect((after[0]?.identifiers ?? []).filter((i) => former.has(`${i.type}:${i.value}`))).toEqual([]);
        await expectGoneFromDiscovery(f, held!.identifiers, f.erasable);
      }
      const second = await f.connector.erase(f.erasable, plan);
      expect(OK_REPEAT).toContain(second.outcome);
      if (first.outcome === 'REFUSED') expect(second.outcome).toBe('REFUSED');
      expect(await f.connector.export([f.erasable])).toEqual(after);
    });

    it('answers batched writes, when it offers them, like the single calls: one answer per item, in order', async () => {
      // Optional (the gateway calls erase and restrict one by one without them); runs after the single calls above.
      const unknown = { sourceId: f.erasable.sourceId, recordId: f.unknownRecordId };
      if (f.connector.restrictMany) {
        expect((await f.connector.restrictMany([f.restrictable, unknown], true)).map((r) => r.outcome)).toEqual(['ALREADY_APPLIED', 'NOT_FOUND']);
      }
      if (f.connector.eraseMany) {
        const plan = { action: 'ERASE' as const, requestId: 'r-conformance', taskId: 't-conformance-batch' };
        const single = await f.connector.erase(f.erasable, plan);
        const batch = await f.connector.eraseMany([
          { ref: unknown, plan },
          { ref: f.erasable, plan },
        ]);
        expect(batch.map((r) => r.outcome)).toEqual(['NOT_FOUND', single.outcome]);
      }
    });

    it('R8: says, when it offers sharedWith, which other records erasing each one destroys too: one list per record, in order, never the record itself', async () => {
      // Optional (footage sources): the gateway keeps a record while a record sharing its data is held.
      if (!f.connector.sharedWith) return;
      const unknown = { sourceId: f.restrictable.sourceId, recordId: f.unknownRecordId };
      const answers = await f.connector.sharedWith([f.restrictable, unknown]);
      expect(answers).toHaveLength(2);
      expect(answers[0]).not.toContain(f.restrictable.recordId);
      expect(answers[1]).toEqual([]);
    });

    it('R12: marks every special-category field as special, and only those', () => {
      const description = f.connector.describe();
      expect(description.kind).toBe(f.connector.kind);
      expect(description.fields.length).toBeGreaterThan(0);
      for (const fd of description.fields) expect(fd.special).toBe(fd.categories.some(isSpecialCategory));
      const marked = new Set(description.fields.filter((fd) => fd.special).flatMap((fd) => fd.categories));
      for (const category of f.expectedSpecialCategories ?? []) expect(marked).toContain(category);
      expect(description.retention.summary).toBeTruthy();
      expect(description.retention.erasure).toBeTruthy();
    });

    it('reports health', async () => {
      const health = await f.connector.health();
      expect(health.healthy).toBe(true);
    });
  });
}
