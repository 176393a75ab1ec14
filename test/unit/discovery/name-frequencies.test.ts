// The gateway's name tables from the sources' counts: normalised as the profiles are, summed
// over sources, cached, refreshed in the background, the last table kept when a read fails.
import { describe, expect, it } from 'vitest';
import type { NameFrequencies } from '../../../connectors/contract.js';
import { mergeNameCounts, NameFrequencyTables, normaliseNameCounts } from '../../../src/discovery/name-frequencies.js';
import { createMatchModel, scorePair } from '../../../src/identity/matching/model.js';
import { profileOfRaw } from '../../../src/identity/matching/profile.js';
import { IdentifierType } from '../../../src/domain/vocabulary.js';

const sum = (list: [string, number][]) => list.reduce((a, [, n]) => a + n, 0);
/** A source's answer; its totals those of the listed names unless given (names held once add to them). */
const names = (family: [string, number][], given: [string, number][] = [], totals?: NameFrequencies['totals']): NameFrequencies => ({
  givenNames: given.map(([value, records]) => ({ value, records })),
  familyNames: family.map(([value, records]) => ({ value, records })),
  totals: totals ?? { givenNames: sum(given), familyNames: sum(family) },
});

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('name counts as the profiles see the names', () => {
  it('adds up the spellings the normaliser makes one ("Smith", "SMITH ") and keeps given and family apart', () => {
    const counts = normaliseNameCounts(
      names(
        [
          ['Smith', 5],
          ['SMITH ', 3],
          ['Okafor', 2],
        ],
        [['Smith', 4]],
      ),
    );
    const familySmith = profileOfRaw([{ type: IdentifierType.FAMILY_NAME, value: 'Smith' }]).family[0]!.value;
    const givenSmith = profileOfRaw([{ type: IdentifierType.GIVEN_NAME, value: 'Smith' }]).given[0]!.value;
    expect(counts.family.get(familySmith)).toBe(8);
    expect(counts.given.get(givenSmith)).toBe(4);
    expect(counts.family.size).toBe(2);
  });

  it('drops what a source should not have sent: counts below 2, blanks, malformed entries', () => {
    const sent = { givenNames: [{ value: 'Ann', records: 1 }, { value: '  ', records: 4 }, { value: 7, records: 3 }, null], familyNames: 'x' };
    const counts = normaliseNameCounts(sent as unknown as NameFrequencies);
    expect(counts.given.size).toBe(0);
    expect(counts.family.size).toBe(0);
  });

  it('sums the sources into one table per field, its total the sources\u2019 totals (names held once included)', () => {
    const merged = mergeNameCounts([
      normaliseNameCounts(
        names(
          [
            ['Smith', 5],
            ['Hart', 2],
          ],
          [],
          { givenNames: 0, familyNames: 400 },
        ),
      ),
      normaliseNameCounts(names([['smith', 3]], [['Ann', 2]], { givenNames: 90, familyNames: 100 })),
    ]);
    expect(merged.familyName).toEqual({ total: 500, counts: { smith: 8, hart: 2 } });
    expect(merged.givenName).toEqual({ total: 90, counts: { ann: 2 } });
    expect(mergeNameCounts([])).toEqual({});
  });

  it('a total below what the source listed (or none) is taken as the listed sum', () => {
    const counts = normaliseNameCounts({
      ...names([
        ['Smith', 5],
        ['Hart', 2],
      ]),
      totals: { givenNames: -1, familyNames: 3 },
    });
    expect(counts.totals).toEqual({ given: 0, family: 7 });
  });
});

describe('the table in the match model', () => {
  const q = profileOfRaw([
    { type: IdentifierType.FAMILY_NAME, value: 'Smith' },
    { type: IdentifierType.DATE_OF_BIRTH, value: '1980-01-02' },
  ]);
  const familyOf = (model: ReturnType<typeof createMatchModel>, query = q) =>
    scorePair(model, query, query).explanation.fields.find((f) => f.field === 'familyName')!;
  // 10,000 family names held, 400 of them Smith, 2 Zylberstein.
  const table = mergeNameCounts([
    normaliseNameCounts(
      names(
        [
          ['Smith', 400],
          ['Zylberstein', 2],
        ],
        [],
        { givenNames: 0, familyNames: 10_000 },
      ),
    ),
  ]);

  it('a common exact name weighs less than its level average, a rare one more', () => {
    const model = createMatchModel({ termFrequencies: table });
    expect(familyOf(model).tfAdjustment).toBeLessThan(0);
    const rare = profileOfRaw([{ type: IdentifierType.FAMILY_NAME, value: 'Zylberstein' }]);
    expect(familyOf(model, rare).tfAdjustment).toBeGreaterThan(0);
  });

  it('a name the table does not hold weighs its level average, as without a table (never as the rarest)', () => {
    const unseen = profileOfRaw([{ type: IdentifierType.FAMILY_NAME, value: 'Quennell' }]);
    const withTable = familyOf(createMatchModel({ termFrequencies: table }), unseen);
    const without = familyOf(createMatchModel(), unseen);
    expect(withTable.tfAdjustment).toBe(0);
    expect(withTable.weight).toBe(without.weight);
  });
});

describe('name tables per source, cached', () => {
  function reader(answers: Record<string, () => Promise<NameFrequencies | undefined>>) {
    const asked: string[] = [];
    return {
      asked,
      read: (id: string) => {
        asked.push(id);
        return answers[id]!();
      },
    };
  }

  it('reads each source once per interval and merges only the sources asked for', async () => {
    let now = 0;
    const r = reader({
      crm: async () => names([['Smith', 5]]),
      clinic: async () =>
        names([
          ['Smith', 3],
          ['Hart', 2],
        ]),
    });
    const tables = new NameFrequencyTables(r.read, { refreshMs: 60_000, now: () => now });
    expect((await tables.tableFor(['crm', 'clinic'])).familyName).toEqual({ total: 10, counts: { smith: 8, hart: 2 } });
    expect((await tables.tableFor(['crm'])).familyName).toEqual({ total: 5, counts: { smith: 5 } });
    now = 59_999;
    const again = await tables.tableFor(['clinic', 'crm']);
    expect(again).toBe(await tables.tableFor(['crm', 'clinic'])); // same table object: not merged again
    expect(r.asked.sort()).toEqual(['clinic', 'crm']);
  });

  it('after the interval answers with the last table and reads again in the background', async () => {
    let now = 0;
    let smiths = 5;
    const r = reader({ crm: async () => names([['Smith', smiths]]) });
    const tables = new NameFrequencyTables(r.read, { refreshMs: 60_000, now: () => now });
    await tables.tableFor(['crm']);
    smiths = 9;
    now = 60_000;
    expect((await tables.tableFor(['crm'])).familyName?.counts.smith).toBe(5);
    await settle();
    expect((await tables.tableFor(['crm'])).familyName?.counts.smith).toBe(9);
    expect(r.asked).toEqual(['crm', 'crm']);
  });

  it('a failing read keeps the last table; a source that cannot count adds nothing', async () => {
    let now = 0;
    let fail = false;
    const r = reader({
      crm: async () => {
        if (fail) throw new Error('down');
        return names([['Smith', 5]]);
      },
      footage: async () => undefined,
    });
    const tables = new NameFrequencyTables(r.read, { refreshMs: 60_000, now: () => now });
    expect((await tables.tableFor(['crm', 'footage'])).familyName?.total).toBe(5);
    fail = true;
    now = 60_000;
    await tables.tableFor(['crm', 'footage']);
    await settle();
    expect((await tables.tableFor(['crm', 'footage'])).familyName).toEqual({ total: 5, counts: { smith: 5 } });
  });

  it('waits only briefly for a source read for the first time: the first discovery goes on without it', async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const r = reader({ crm: async () => (await slow, names([['Smith', 5]])) });
    const tables = new NameFrequencyTables(r.read, { firstReadWaitMs: 20 });
    expect(await tables.tableFor(['crm'])).toEqual({});
    release();
    await settle();
    expect((await tables.tableFor(['crm'])).familyName?.total).toBe(5);
  });
});
