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

describe('never expands from REVIEW', () => {
  it('identifiers of a REVIEW record are not queried and what only they would find stays unfound', async () => {
    const w = world({
      a: [rec('X', ids([T.FULL_NAME, 'Anna Kowalski'], [T.MEMBERSHIP_NUMBER, 'ZZ999']))],
      b: [rec('Y', ids([T.MEMBERSHIP_NUMBER, 'ZZ999'], [T.FULL_NAME, 'Anna Kowalski']))],
    });
    // Y shares the name keys too, so it is a candidate in round 1; what matters is that
    // no query ever carries X's membership number.
    const r = await resolveSubject({ identifiers: ids([T.FULL_NAME, 'Anna Kowalski'], [T.DATE_OF_BIRTH, '1985-06-14']), sources: w.sources, lookup: w.lookup });
    expect(r.records.find((m) => m.recordId === 'X')?.band).toBe(MatchBand.REVIEW);
    expect(w.sent.flatMap((s) => s.query.identifiers.map((i) => i.value))).not.toContain('ZZ999');
    expect(r.rounds).toBe(1);
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
