import { describe, expect, it } from 'vitest';
import type { DiscoveryQuery, Identifier, SourceRecord } from '../../../connectors/contract.js';
import { ConnectorError } from '../../../connectors/contract.js';
import { DataCategory, IdentifierType as T, MatchBand, Relationship } from '../../../src/domain/vocabulary.js';
import { InvalidIdentifierError } from '../../../src/identity/errors.js';
import { MemorySource } from '../../../src/identity/evaluation/memory-source.js';
import { resolveSubject, type SourceLookup } from '../../../src/identity/resolver.js';

const ids = (...pairs: [T, string][]): Identifier[] => pairs.map(([type, value]) => ({ type, value }));

function rec(recordId: string, identifiers: Identifier[], extra: Partial<SourceRecord> = {}): SourceRecord {
  return { recordId, recordType: 'record', relationship: Relationship.SUBJECT, identifiers, data: {}, dates: {}, ...extra };
}

/** In-memory sources behind one lookup that also records every query it was sent. */
function world(sources: Record<string, SourceRecord[]>) {
  const memory = new Map<string, MemorySource>();
  for (const [id, records] of Object.entries(sources)) {
    const m = new MemorySource(id);
    records.forEach((r) => m.add(r));
    memory.set(id, m);
  }
  const sent: { sourceId: string; query: DiscoveryQuery }[] = [];
  const lookup: SourceLookup = async (sourceId, queries) => {
    for (const query of queries) sent.push({ sourceId, query });
    return memory.get(sourceId)!.discover(queries);
  };
  return { lookup, sent, sources: Object.keys(sources).map((id) => ({ id })) };
}

const anna = ids([T.FULL_NAME, 'Anna Kowalski'], [T.DATE_OF_BIRTH, '14/06/1985'], [T.EMAIL, 'anna.k@example.com']);

describe('transitive expansion across six systems', () => {
  const w = world({
    'case-management': [
      rec(
        'C1',
        ids(
          [T.FULL_NAME, 'KOWALSKI, Anna'],
          [T.DATE_OF_BIRTH, '1985-06-14'],
          [T.EMAIL, 'Anna.K@example.com'],
          [T.MEMBERSHIP_NUMBER, 'M-1001'],
          [T.PHONE, '07700 900123'],
        ),
      ),
      rec('C2', ids([T.FULL_NAME, 'Piotr Zielinski'], [T.DATE_OF_BIRTH, '1950-01-01'], [T.MEMBERSHIP_NUMBER, 'M-2002'])),
      // Anna as the emergency contact on Piotr's case; the extra email must never be asked about.
      rec('C2-contact', ids([T.FULL_NAME, 'Anna Nowak'], [T.PHONE, '07700 900123'], [T.EMAIL, 'contact-only@example.org']), {
        relationship: Relationship.EMERGENCY_CONTACT,
        parentRecordId: 'C2',
      }),
    ],
    // Typo in the name.
    clinic: [
      rec('P1', ids([T.FULL_NAME, 'Ana Kowalsky'], [T.DATE_OF_BIRTH, '19850614'], [T.PATIENT_ID, 'P-555']), {
        dates: { lastActivityAt: '2024-01-01' },
        restricted: false,
      }),
    ],
    // Married name; shares no key with the query, found through the case record's membership number and phone.
    concierge: [rec('K1', ids([T.FULL_NAME, 'Anna Nowak'], [T.MEMBERSHIP_NUMBER, 'M1001'], [T.PHONE, '+44 7700 900123']))],
    // New email and married name; found through the phone.
    training: [rec('T1', ids([T.FULL_NAME, 'Anna Nowak'], [T.PHONE, '+447700900123'], [T.EMAIL, 'anna.nowak@newmail.com'], [T.LEARNER_ID, 'L77']))],
    // Found through the new email of the training record.
    recruitment: [rec('R1', ids([T.FULL_NAME, 'Anna Nowak'], [T.EMAIL, 'anna.nowak@newmail.com'], [T.CANDIDATE_ID, 'CAND-9']))],
    // A visitor log entry (phone + badge) leads to footage that carries the badge id only.
    cctv: [
      rec('V1', ids([T.FULL_NAME, 'Anna Nowak'], [T.PHONE, '+447700900123'], [T.BADGE_ID, 'B-42']), { recordType: 'visit' }),
      rec('F1', ids([T.BADGE_ID, 'B42']), { recordType: 'footage' }),
    ],
  });

  it('finds the person in all six systems and labels the emergency-contact appearance', async () => {
    const r = await resolveSubject({
      identifiers: anna,
      sources: w.sources,
      lookup: w.lookup,
      options: { categoriesOf: (sourceId) => (sourceId === 'clinic' ? [DataCategory.HEALTH] : [DataCategory.IDENTITY]) },
    });
    const byId = new Map(r.records.map((m) => [m.recordId, m]));
    for (const id of ['C1', 'P1', 'K1', 'T1', 'R1', 'V1']) expect(byId.get(id)?.band, id).toBe(MatchBand.MATCH);
    expect(new Set(r.records.filter((m) => m.band === MatchBand.MATCH).map((m) => m.sourceId)).size).toBe(6);
    expect(byId.get('K1')!.round).toBe(2);
    expect(byId.get('K1')!.matchedAgainst).toEqual({ sourceId: 'case-management', recordId: 'C1' });
    // Footage holds one identifier only: it can be reviewed, never matched.
    expect(byId.get('F1')?.band).toBe(MatchBand.REVIEW);
    const contact = byId.get('C2-contact')!;
    expect(contact.relationship).toBe(Relationship.EMERGENCY_CONTACT);
    expect(contact.parentRecordId).toBe('C2');
    expect(byId.has('C2')).toBe(false);
    expect(byId.get('P1')).toMatchObject({ categories: [DataCategory.HEALTH], dates: { lastActivityAt: '2024-01-01' }, restricted: false });
    expect(byId.get('C1')!.dates).toBeUndefined();
    expect(r.complete).toBe(true);
    expect(r.sources.every((s) => s.status === 'ANSWERED')).toBe(true);
    expect(r.sources.find((s) => s.sourceId === 'cctv')!.records).toBe(2);
  });

  it('related appearances are never expanded from', async () => {
    w.sent.length = 0;
    await resolveSubject({ identifiers: anna, sources: w.sources, lookup: w.lookup });
    const asked = w.sent.flatMap((s) => s.query.identifiers.map((i) => i.value));
    expect(asked).not.toContain('contact-only@example.org');
    expect(asked).toContain('anna.nowak@newmail.com');
  });

  it('stops at the round limit and says so', async () => {
    const r = await resolveSubject({ identifiers: anna, sources: w.sources, lookup: w.lookup, options: { maxRounds: 1 } });
    expect(r.rounds).toBe(1);
    expect(r.roundLimitReached).toBe(true);
    expect(r.records.map((m) => m.recordId)).not.toContain('K1');
  });

  it('a record left out (controller scope) is neither returned, scored against, nor expanded from', async () => {
    w.sent.length = 0;
    const r = await resolveSubject({
      identifiers: anna,
      sources: w.sources,
      lookup: w.lookup,
      options: { admits: (sourceId, record) => !(sourceId === 'case-management' && record.recordId === 'C1') },
    });
    const found = r.records.map((m) => m.recordId);
    // P1 answers the query itself; everything else was reachable only through C1's membership number and phone.
    expect(found).toContain('P1');
    for (const id of ['C1', 'K1', 'T1', 'R1', 'V1']) expect(found, id).not.toContain(id);
    expect(r.records.every((m) => m.matchedAgainst === 'QUERY' || m.matchedAgainst.recordId !== 'C1')).toBe(true);
    const askedTypes = new Set(w.sent.flatMap((s) => s.query.identifiers.map((i) => i.type)));
    expect(askedTypes.has(T.MEMBERSHIP_NUMBER) || askedTypes.has(T.PHONE)).toBe(false);
    expect(r.sources.find((s) => s.sourceId === 'case-management')!.records).toBe(found.filter((id) => id.startsWith('C')).length);
  });

  it('returns only subject appearances when related ones are not wanted', async () => {
    const r = await resolveSubject({ identifiers: anna, sources: w.sources, lookup: w.lookup, options: { includeRelated: false } });
    expect(r.records.every((m) => m.relationship === Relationship.SUBJECT)).toBe(true);
  });
});

describe('expansion from REVIEW', () => {
  it('identifiers of a doubtful REVIEW record are not queried and what only they would find stays unfound', async () => {
    const w = world({
      // The name agrees, the birth date does not: another Anna Kowalski, perhaps.
      a: [rec('X', ids([T.FULL_NAME, 'Anna Kowalski'], [T.DATE_OF_BIRTH, '1961-11-02'], [T.MEMBERSHIP_NUMBER, 'ZZ999']))],
      b: [rec('Y', ids([T.MEMBERSHIP_NUMBER, 'ZZ999'], [T.EMAIL, 'anna.k61@example.org']))],
    });
    const r = await resolveSubject({ identifiers: ids([T.FULL_NAME, 'Anna Kowalski'], [T.DATE_OF_BIRTH, '1985-06-14']), sources: w.sources, lookup: w.lookup });
    const x = r.records.find((m) => m.recordId === 'X')!;
    expect(x.band).toBe(MatchBand.REVIEW);
    expect(x.score).toBeLessThan(0.9);
    expect(r.records.map((m) => m.recordId)).not.toContain('Y');
    expect(w.sent.flatMap((s) => s.query.identifiers.map((i) => i.value))).not.toContain('ZZ999');
    expect(r.rounds).toBe(1);
  });

  it('a record the query contradicts is not lifted by a chain through a REVIEW record', async () => {
    const w = world({
      // A name alone: near-certain in a small source, still REVIEW.
      a: [rec('H', ids([T.FULL_NAME, 'Anna Kowalski'], [T.MEMBERSHIP_NUMBER, 'ZZ999']))],
      // The same membership as H, but born in 1961: H's Anna is not the one asked about.
      b: [rec('X', ids([T.FULL_NAME, 'Anna Kowalski'], [T.DATE_OF_BIRTH, '1961-11-02'], [T.MEMBERSHIP_NUMBER, 'ZZ999']))],
    });
    const r = await resolveSubject({ identifiers: ids([T.FULL_NAME, 'Anna Kowalski'], [T.DATE_OF_BIRTH, '1985-06-14']), sources: w.sources, lookup: w.lookup });
    expect(r.records.find((m) => m.recordId === 'H')!.score).toBeGreaterThanOrEqual(0.9);
    const x = r.records.find((m) => m.recordId === 'X')!;
    expect(x.matchedAgainst).toBe('QUERY');
    expect(x.score).toBeLessThan(0.9);
  });

  // Karli Millar of Preston: the query's name and town agree with A (one identifier, so
  // REVIEW however high the score); A's membership number and birth date lead to B, which
  // shares nothing with the query; B's e-mail leads to C.
  const karli = ids([T.FULL_NAME, 'Karli Millar'], [T.CITY, 'Preston']);
  const heldWorld = () =>
    world({
      a: [rec('A', ids([T.FULL_NAME, 'Karli Millar'], [T.CITY, 'Preston'], [T.DATE_OF_BIRTH, '1973-08-13'], [T.MEMBERSHIP_NUMBER, 'M-7731']))],
      b: [rec('B', ids([T.MEMBERSHIP_NUMBER, 'M7731'], [T.DATE_OF_BIRTH, '1973-08-13'], [T.EMAIL, 'k.m.1973@example.org']))],
      c: [rec('C', ids([T.EMAIL, 'k.m.1973@example.org'], [T.PHONE, '+44 7700 900555']))],
    });

  it('a near-certain REVIEW record leads on to records shown at REVIEW, scored with the chain', async () => {
    const w = heldWorld();
    const r = await resolveSubject({ identifiers: karli, sources: w.sources, lookup: w.lookup });
    const a = r.records.find((m) => m.recordId === 'A')!;
    expect(a.band).toBe(MatchBand.REVIEW);
    expect(a.explanation.agreeingIdentifiers).toEqual(['NAME']);
    expect(a.score).toBeGreaterThanOrEqual(0.9);
    const b = r.records.find((m) => m.recordId === 'B');
    // Against A alone, B would be MATCH (membership number and birth date agree): through a
    // REVIEW record it is REVIEW, with A's probability times its own.
    expect(b).toMatchObject({ band: MatchBand.REVIEW, matchedAgainst: { sourceId: 'a', recordId: 'A' }, round: 2 });
    expect(b!.explanation.agreeingIdentifiers.length).toBeGreaterThanOrEqual(2);
    expect(b!.score).toBeCloseTo(a.score * b!.explanation.probability, 12);
    expect(w.sent.flatMap((s) => s.query.identifiers.map((i) => i.value))).toContain('M7731');
  });

  it('a chain never runs through two REVIEW records', async () => {
    const w = heldWorld();
    const r = await resolveSubject({ identifiers: karli, sources: w.sources, lookup: w.lookup });
    expect(r.records.map((m) => m.recordId)).not.toContain('C');
    expect(w.sent.flatMap((s) => s.query.identifiers.map((i) => i.value))).not.toContain('+447700900555');
  });

  it('a REVIEW record that later meets a MATCH record is rescored as a plain candidate', async () => {
    const w = heldWorld();
    // With the birth date in the query, A is MATCH (name and birth date) and B, reached
    // through it, is MATCH too: the held path only ever adds, it never caps a MATCH.
    const r = await resolveSubject({ identifiers: [...karli, { type: T.DATE_OF_BIRTH, value: '1973-08-13' }], sources: w.sources, lookup: w.lookup });
    expect(r.records.find((m) => m.recordId === 'A')?.band).toBe(MatchBand.MATCH);
    expect(r.records.find((m) => m.recordId === 'B')?.band).toBe(MatchBand.MATCH);
  });
});

describe('source outcomes', () => {
  const good = new MemorySource('good');
  good.add(rec('G1', anna));

  it('a failing and a timing-out source are marked and the answer is not complete', async () => {
    const calls = new Map<string, number>();
    const lookup: SourceLookup = async (sourceId, queries) => {
      calls.set(sourceId, (calls.get(sourceId) ?? 0) + 1);
      if (sourceId === 'down') throw new ConnectorError('UNAVAILABLE', 'connection refused');
      if (sourceId === 'slow') return new Promise(() => {});
      return good.discover(queries);
    };
    const r = await resolveSubject({
      identifiers: anna,
      sources: [{ id: 'good' }, { id: 'down' }, { id: 'slow', timeoutMs: 30 }],
      lookup,
    });
    expect(r.complete).toBe(false);
    const outcome = new Map(r.sources.map((s) => [s.sourceId, s]));
    expect(outcome.get('good')).toMatchObject({ status: 'ANSWERED', records: 1 });
    expect(outcome.get('down')).toMatchObject({ status: 'FAILED', errorCode: 'UNAVAILABLE', records: 0 });
    expect(outcome.get('down')!.error).toContain('connection refused');
    expect(outcome.get('slow')).toMatchObject({ status: 'TIMED_OUT', records: 0 });
    expect(r.records.map((m) => m.recordId)).toEqual(['G1']);
  });

  it('a malformed answer is a failure, not a crash', async () => {
    const r = await resolveSubject({ identifiers: anna, sources: [{ id: 'odd' }], lookup: async () => 'nope' as never });
    expect(r.complete).toBe(false);
    expect(r.sources[0]).toMatchObject({ status: 'FAILED', errorCode: 'MALFORMED_ANSWER' });
  });

  it('all sources answering gives a complete answer, even with no records', async () => {
    const r = await resolveSubject({ identifiers: ids([T.EMAIL, 'nobody@example.com']), sources: [{ id: 'good' }], lookup: (_s, q) => good.discover(q) });
    expect(r).toMatchObject({ complete: true, records: [] });
  });

  it('a record returned in several rounds appears once, with its best score', async () => {
    const lookup: SourceLookup = async (_s, queries) =>
      queries.map(() => [rec('G1', anna), rec('G2', ids([T.FULL_NAME, 'Anna Kowalski'], [T.DATE_OF_BIRTH, '1985-06-14'], [T.PHONE, '+447700900999']))]);
    const r = await resolveSubject({ identifiers: anna, sources: [{ id: 's' }], lookup });
    expect(r.rounds).toBe(2);
    expect(r.records.map((m) => m.recordId).sort()).toEqual(['G1', 'G2']);
  });
});

describe('bad input', () => {
  it('a bad identifier in the query is a coded error naming the identifier', async () => {
    const w = world({ a: [] });
    const attempt = resolveSubject({ identifiers: ids([T.EMAIL, 'not-an-email']), sources: w.sources, lookup: w.lookup });
    await expect(attempt).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(attempt).rejects.toMatchObject({ code: 'INVALID_IDENTIFIER', identifierType: T.EMAIL });
    expect(w.sent).toEqual([]);
  });

  it('an empty query is refused', async () => {
    const w = world({ a: [] });
    await expect(resolveSubject({ identifiers: [], sources: w.sources, lookup: w.lookup })).rejects.toMatchObject({ code: 'INVALID_IDENTIFIER' });
  });
});
