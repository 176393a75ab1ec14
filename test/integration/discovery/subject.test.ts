// `subject` over HTTP against the six reference systems holding a synthetic population.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { personAt } from '../../../src/population/person.js';
import type { DiscoveryLoaders } from '../../../src/discovery/discovery-loaders.js';
import { bearer } from '../../support/runtime.js';
import { startReferenceGateway, SUBJECT_FIELDS, type ReferenceGateway, type SubjectAnswer } from './reference-gateway.js';
import { graphqlCodeOf } from '../../support/error-codes.js';

// Seed 9 with 1,500 people holds P0000015: in all six systems, and someone's emergency
// contact (found by scanning the generator; the test reads the ground truth, not this note).
const SEED = 9;
const PEOPLE = 1500;
const SYSTEMS = ['case_management', 'clinic', 'training', 'concierge', 'recruitment', 'cctv'];

let ref: ReferenceGateway;
let handler: Record<string, string>;

const SUBJECT = `query Subject($q: SubjectQueryInput!) { subject(query: $q) { ${SUBJECT_FIELDS} } }`;

async function subject(identifiers: { type: string; value: string }[], headers = handler, extra: Record<string, unknown> = {}) {
  const reply = await ref.gw.graphql<{ subject: SubjectAnswer }>(SUBJECT, { q: { identifiers, ...extra } }, headers);
  return reply;
}

function identifiersOf(index: number) {
  const p = personAt(SEED, index);
  return [
    { type: 'GIVEN_NAME', value: p.givenName },
    { type: 'FAMILY_NAME', value: p.familyName },
    { type: 'DATE_OF_BIRTH', value: p.dateOfBirth },
    { type: 'EMAIL', value: p.email },
  ];
}

beforeAll(async () => {
  ref = await startReferenceGateway({ people: PEOPLE, seed: SEED });
  handler = await bearer(ref.gw, ['HANDLER']);
}, 300_000);

afterAll(async () => {
  await ref?.stop();
});

describe('subject', () => {
  it('finds a person whose records differ in each system in all six through transitive expansion, with their emergency-contact appearance', async () => {
    const bySystem = new Map<string, Set<string>>();
    for (const e of ref.truth) {
      if (!bySystem.has(e.personId)) bySystem.set(e.personId, new Set());
      bySystem.get(e.personId)!.add(e.source);
    }
    const contactIds = new Set(ref.truth.filter((e) => e.recordId.startsWith('EC-')).map((e) => e.personId));
    const candidates = [...bySystem].filter(([id, s]) => s.size === 6 && contactIds.has(id)).map(([id]) => id);
    expect(candidates.length).toBeGreaterThan(0);
    const personId = candidates[0]!;
    const person = personAt(SEED, Number(personId.slice(1)));
    const own = ref.truth.filter((e) => e.personId === personId);

    const reply = await subject(identifiersOf(person.index));
    expect(reply.body.errors).toBeUndefined();
    const answer = reply.body.data!.subject;
    expect(answer.complete).toBe(true);
    const found = new Set(answer.records.map((r) => r.recordId));
    for (const system of SYSTEMS) {
      expect(
        own.some((e) => e.source === system && found.has(e.recordId)),
        system,
      ).toBe(true);
    }
    // The records really differ from system to system (names, order, emails).
    const ownIds = new Set(own.map((e) => e.recordId));
    const spellings = new Set(
      answer.records
        .filter((r) => r.relationship === 'SUBJECT' && ownIds.has(r.recordId) && 'given_name' in r.data)
        .map((r) => JSON.stringify([r.data.given_name, r.data.family_name, r.data.email ?? null])),
    );
    expect(spellings.size).toBeGreaterThanOrEqual(3);
    // Some record was reached only through another record's identifiers.
    expect(answer.records.some((r) => r.matchWeight.round > 1 && r.matchWeight.matchedAgainst !== 'QUERY')).toBe(true);
    const contact = own.find((e) => e.recordId.startsWith('EC-'))!;
    const appearance = answer.records.find((r) => r.recordId === contact.recordId);
    expect(appearance?.relationship).toBe('EMERGENCY_CONTACT');
    expect(appearance?.parentRecordId).toMatch(/^PAT-/);
    // Nothing about someone else: every returned record is this person's.
    const truthOf = new Map(ref.truth.map((e) => [`${e.source}/${e.recordId}`, e.personId]));
    const matchedOthers = answer.records.filter((r) => r.band === 'MATCH' && truthOf.get(`${r.sourceId}/${r.recordId}`) !== personId);
    expect(matchedOthers).toEqual([]);
  });

  it("two people of one household at one address: the partner's records are REVIEW at most, with a probability below 0.9", async () => {
    // Head and partner share the surname (a married name), street, postcode and city; each
    // has their own given name, birth date, e-mail and phone. The query is the head's.
    const truthOf = new Map(ref.truth.map((e) => [`${e.source}/${e.recordId}`, e.personId]));
    const held = new Set(ref.truth.filter((e) => !e.recordId.startsWith('EC-')).map((e) => e.personId));
    const couples = [];
    for (let i = 0; i + 1 < PEOPLE && couples.length < 6; i += 3) {
      const head = personAt(SEED, i);
      const partner = personAt(SEED, i + 1);
      if (partner.role === 1 && partner.familyName === head.familyName && held.has(head.id) && held.has(partner.id)) couples.push({ head, partner });
    }
    expect(couples.length).toBeGreaterThan(0);
    let partnerRecordsSeen = 0;
    for (const { head, partner } of couples) {
      const reply = await subject([
        { type: 'GIVEN_NAME', value: head.givenName },
        { type: 'FAMILY_NAME', value: head.familyName },
        { type: 'STREET_ADDRESS', value: head.address.street },
        { type: 'POSTCODE', value: head.address.postcode },
        { type: 'CITY', value: head.address.city },
        { type: 'EMAIL', value: head.email },
        { type: 'PHONE', value: head.phone },
      ]);
      expect(reply.body.errors).toBeUndefined();
      const records = reply.body.data!.subject.records;
      expect(records.some((r) => r.band === 'MATCH' && truthOf.get(`${r.sourceId}/${r.recordId}`) === head.id)).toBe(true);
      // Scored against the query or against one of the head's own records found earlier.
      const partners = records.filter((r) => truthOf.get(`${r.sourceId}/${r.recordId}`) === partner.id);
      partnerRecordsSeen += partners.length;
      for (const r of partners) {
        expect(r.band, `${r.sourceId}/${r.recordId}`).toBe('REVIEW');
        expect(r.matchWeight.probability, `${r.sourceId}/${r.recordId}`).toBeLessThan(0.9);
      }
    }
    // The address brings the partner's records in as candidates: the rule was exercised.
    expect(partnerRecordsSeen).toBeGreaterThan(0);
  });

  it('batches 50 aliased subjects into one connector call per source per round', async () => {
    const services = ref.gw.runtime.services;
    const created: DiscoveryLoaders[] = [];
    const original = services.discovery.createLoaders.bind(services.discovery);
    const spy = vi.spyOn(services.discovery, 'createLoaders').mockImplementation(() => {
      const loaders = original();
      created.push(loaders);
      return loaders;
    });
    try {
      const people = [...new Set(ref.truth.filter((e) => !e.recordId.startsWith('EC-')).map((e) => Number(e.personId.slice(1))))].slice(0, 50);
      expect(people).toHaveLength(50);
      const variables: Record<string, unknown> = {};
      const fields = people.map((index, i) => {
        variables[`q${i}`] = { identifiers: identifiersOf(index) };
        return `s${i}: subject(query: $q${i}) { complete rounds sources { sourceId status rounds } records { recordId band } }`;
      });
      const operation = `query Many(${people.map((_, i) => `$q${i}: SubjectQueryInput!`).join(', ')}) { ${fields.join('\n')} }`;
      const reply = await ref.gw.graphql<
        Record<string, { complete: boolean; rounds: number; sources: { sourceId: string; status: string; rounds: number }[]; records: unknown[] }>
      >(operation, variables, handler);
      expect(reply.body.errors).toBeUndefined();
      const answers = Object.values(reply.body.data!);
      expect(answers).toHaveLength(50);
      expect(answers.every((a) => a.complete)).toBe(true);
      expect(answers.filter((a) => a.records.length > 0).length).toBeGreaterThan(40);
      expect(created).toHaveLength(1);
      const calls = created[0]!.calls;
      for (const source of SYSTEMS) {
        const rounds = Math.max(...answers.map((a) => a.sources.find((s) => s.sourceId === source)!.rounds));
        expect(calls.get(source), source).toBe(rounds);
      }
      expect(Math.max(...answers.map((a) => a.rounds))).toBeGreaterThan(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('R12: special-category values are withheld without SPECIAL_CATEGORY and shown with it', async () => {
    const assessment = ref.truth.find((e) => e.recordId.startsWith('OHA-'))!;
    const identifiers = identifiersOf(Number(assessment.personId.slice(1)));
    const pick = (a: SubjectAnswer) => a.records.find((r) => r.recordId === assessment.recordId)!;

    const plain = pick((await subject(identifiers)).body.data!.subject);
    expect(plain).toBeDefined();
    expect(plain.data.health_notes).toEqual({ withheld: true, reason: 'SPECIAL_CATEGORY' });
    expect(plain.withheldFields).toContain('health_notes');
    expect(plain.categories).toContain('HEALTH');

    const special = await bearer(ref.gw, ['HANDLER', 'SPECIAL_CATEGORY']);
    const full = pick((await subject(identifiers, special)).body.data!.subject);
    expect(typeof full.data.health_notes).toBe('string');
    expect(full.withheldFields).toEqual([]);
  });

  it("R13: a handler bound to a controller sees only that controller's records", async () => {
    const assessment = ref.truth.find((e) => e.recordId.startsWith('OHA-'))!;
    const identifiers = identifiersOf(Number(assessment.personId.slice(1)));
    const all = (await subject(identifiers)).body.data!.subject;
    const controller = all.records.find((r) => r.recordId === assessment.recordId)!.controllerId!;
    expect(controller).toMatch(/^EMP-/);
    const scoped = (await subject(identifiers, await bearer(ref.gw, ['HANDLER'], [controller]))).body.data!.subject;
    expect(scoped.records.length).toBeGreaterThan(0);
    expect(scoped.records.every((r) => r.controllerId === controller)).toBe(true);
    const other = (await subject(identifiers, await bearer(ref.gw, ['HANDLER'], ['EMP-none']))).body.data!.subject;
    expect(other.records).toEqual([]);
    expect(other.sources.every((s) => s.records === 0)).toBe(true);
  });

  it('R8: clinic records carry their statutory retention and legal hold', async () => {
    const patient = ref.truth.find((e) => e.recordId.startsWith('PAT-'))!;
    const answer = (await subject(identifiersOf(Number(patient.personId.slice(1))))).body.data!.subject;
    const record = answer.records.find((r) => r.recordId === patient.recordId)!;
    expect(record.retention.statutory).toBe(true);
    expect(record.retention.retainUntil).not.toBeNull();
    // 3 + 30 years from the last activity: still ahead, so the record is under legal hold.
    const last = new Date(record.lastActivityAt!);
    const until = new Date(record.retention.retainUntil!);
    expect(until.getUTCFullYear() - last.getUTCFullYear()).toBe(33);
    expect(until.getTime()).toBeGreaterThan(Date.now());
    expect(record.retention.legalHold).toBe(true);
  });

  it('explains each match field by field, with weights that add up to the total', async () => {
    const answer = (await subject(identifiersOf(0))).body.data!.subject;
    const match = answer.records.find((r) => r.band === 'MATCH')!;
    expect(match.matchWeight.agreeingIdentifiers.length).toBeGreaterThanOrEqual(2);
    const sum = match.explanation.reduce((s, f) => s + f.weight, 0);
    expect(match.matchWeight.totalWeight).toBeCloseTo(match.matchWeight.priorWeight + sum, 6);
    expect(match.score).toBeCloseTo(1 / (1 + 2 ** -match.matchWeight.totalWeight), 9);
    expect(match.explanation.find((f) => f.field === 'familyName')?.recordValue).toBeTruthy();
  });

  it('bad identifiers give INVALID_IDENTIFIER naming the type, and every run is audited', async () => {
    const bad = await subject([
      { type: 'DATE_OF_BIRTH', value: '31/31/31x' },
      { type: 'FAMILY_NAME', value: 'Smith' },
    ]);
    expect(graphqlCodeOf(bad)).toBe('INVALID_IDENTIFIER');
    expect(bad.body.errors?.[0]?.extensions?.identifierType).toBe('DATE_OF_BIRTH');
    const none = await subject([]);
    expect(graphqlCodeOf(none)).toBe('INVALID_IDENTIFIER');
    const unknown = await subject(identifiersOf(1), handler, { sourceIds: ['nowhere'] });
    expect(graphqlCodeOf(unknown)).toBe('SOURCE_NOT_FOUND');

    const page = await ref.gw.runtime.services.audit.list({ actions: ['discovery.run'] }, { first: 500 });
    expect(page.entries.length).toBeGreaterThan(5);
    expect(page.entries.some((e) => e.outcome === 'FAILED')).toBe(true);
    // Only a digest of what was asked is kept.
    const family = personAt(SEED, 1).familyName;
    expect(JSON.stringify(page.entries)).not.toContain(family);
  });

  it('refuses subject without discovery:run', async () => {
    const reply = await subject(identifiersOf(1), await bearer(ref.gw, ['AUDITOR']));
    expect(graphqlCodeOf(reply)).toBe('FORBIDDEN');
    const anonymous = await subject(identifiersOf(1), {});
    expect(graphqlCodeOf(anonymous)).toBe('UNAUTHENTICATED');
  });

  // Last: it stops the training platform.
  it('a source that is down gives a complete answer for the others, marked FAILED, complete=false', async () => {
    const identifiers = identifiersOf(Number(ref.truth.find((e) => e.source === 'case_management')!.personId.slice(1)));
    await ref.training.close();
    const answer = (await subject(identifiers)).body.data!.subject;
    expect(answer.complete).toBe(false);
    const training = answer.sources.find((s) => s.sourceId === 'training')!;
    expect(training.status).toBe('FAILED');
    expect(training.error).toBeTruthy();
    for (const s of answer.sources.filter((x) => x.sourceId !== 'training')) expect(s.status).toBe('ANSWERED');
    expect(answer.records.some((r) => r.sourceId === 'case_management')).toBe(true);
    const listed = await ref.gw.graphql<{ sources: { id: string; healthy: boolean; health: { detail: string | null } }[] }>(
      '{ sources { id healthy health { detail } } }',
      {},
      handler,
    );
    const down = listed.body.data!.sources.find((s) => s.id === 'training')!;
    expect(down.healthy).toBe(false);
    expect(down.health.detail).toBeTruthy();
  });
});
