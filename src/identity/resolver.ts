// Resolves one person across sources: pure over an injected lookup (the GraphQL layer
// passes a DataLoader-backed function, the evaluation harness an in-memory index).
//
// Each round sends one DiscoveryQuery to every source still answering, in parallel and
// under a per-source timeout; candidates are scored against the query and against every
// MATCH record found so far (transitive expansion), with the prior of their source (a
// source's `records` scale it down, matching/prior.ts). Identifiers of new MATCH records
// that are the subject (never a dependant or contact appearance) make the next round's
// query, until nothing new appears or the round limit is reached. A REVIEW record the model
// is near-certain of (a held anchor) also leads on, but only to REVIEW: a record found
// through it is never MATCH, so a wrong REVIEW costs a handler a look, never an erasure.
import type { DiscoveryQuery, Identifier, RecordDates, RecordRef, SourceRecord } from '../../connectors/contract.js';
import { ConnectorError } from '../../connectors/contract.js';
import { MatchBand, Relationship, type DataCategory } from '../domain/vocabulary.js';
import { blockingKeysOfProfile } from './blocking.js';
import { InvalidIdentifierError } from './errors.js';
import { failureCodeOf, isStoreError, safeFailureMessage } from '../sources/failure-code.js';
import { createMatchModel, probabilityOf, scorePair, type MatchExplanation, type MatchModel, type MatchScore, type MatchThresholds } from './matching/model.js';
import { sourcePrior } from './matching/prior.js';
import { profileOf, type Profile } from './matching/profile.js';
import { normaliseQueryIdentifiers, normaliseRecordIdentifiers, type NormalisedIdentifier, type NormaliseOptions } from './normalise/index.js';

export interface SourceHandle {
  id: string;
  /** Overrides options.timeoutMs for this source. */
  timeoutMs?: number;
  /** How many records the source holds (an estimate will do): a large source lowers its prior. */
  records?: number;
  /** How this source's records are read (its phone country), over options.normalise. */
  normalise?: NormaliseOptions;
}

/** Batched lookup of one source: one answer per query, in order (Connector.discover). */
export type SourceLookup = (sourceId: string, queries: DiscoveryQuery[]) => Promise<SourceRecord[][]>;

export type SourceStatus = 'ANSWERED' | 'FAILED' | 'TIMED_OUT';

export interface SourceOutcome {
  sourceId: string;
  /** ANSWERED only when every round this source was asked in answered. */
  status: SourceStatus;
  /** Why it failed: connector error code and message, or the timeout. */
  error?: string;
  errorCode?: string;
  /** Records of this source in the answer (MATCH and REVIEW). */
  records: number;
  /** Rounds this source was asked in. */
  rounds: number;
  /** Total time spent waiting for this source. */
  latencyMs: number;
}

export interface RecordMatch {
  sourceId: string;
  recordId: string;
  recordType: string;
  relationship: Relationship;
  parentRecordId?: string;
  band: MatchBand;
  /** Match probability in [0, 1]. */
  score: number;
  explanation: MatchExplanation;
  /** The round the record first appeared in (1 = found by the query itself). */
  round: number;
  /** What it was scored against: the query, or a MATCH record found earlier. */
  matchedAgainst: 'QUERY' | RecordRef;
  /** From options.categoriesOf; empty without it. */
  categories: DataCategory[];
  /** Retention inputs, only when the record carries them. */
  dates?: RecordDates;
  controllerId?: string;
  restricted?: boolean;
  /** The record as the source returned it (data as an access copy may show it). */
  record: SourceRecord;
}

export interface SubjectResolution {
  /** False when any source failed or timed out in any round: the answer is partial. */
  complete: boolean;
  rounds: number;
  /** True when expansion stopped at maxRounds with new identifiers still to ask about. */
  roundLimitReached: boolean;
  sources: SourceOutcome[];
  /** MATCH then REVIEW, best score first. */
  records: RecordMatch[];
  /** The query as normalised (what was compared). */
  query: NormalisedIdentifier[];
}

export interface ResolveOptions {
  model?: MatchModel;
  /** Overrides the model's thresholds. */
  thresholds?: Partial<MatchThresholds>;
  /** Per-source, per-round timeout. Default 5000 ms. */
  timeoutMs?: number;
  /** Default 4. */
  maxRounds?: number;
  /** Return appearances as dependant, contact, referee... Default true. */
  includeRelated?: boolean;
  /** How the query is read (the caller's phone country), and records of a source without its own. */
  normalise?: NormaliseOptions;
  /** Hook: the data categories of a record (from the source's field descriptions). */
  categoriesOf?: (sourceId: string, record: SourceRecord) => DataCategory[];
  /**
   * Hook: whether a returned record takes part at all. One left out is never a candidate,
   * an anchor or a source of identifiers for the next round (controller scoping, R13).
   */
  admits?: (sourceId: string, record: SourceRecord) => boolean;
}

export interface ResolveSubjectInput {
  identifiers: readonly Identifier[];
  sources: readonly SourceHandle[];
  lookup: SourceLookup;
  options?: ResolveOptions;
}

interface Anchor {
  ref: 'QUERY' | RecordRef;
  profile: Profile;
  /**
   * Set for a REVIEW record that the model is near-certain of but the two-identifier rule
   * held back: the weight of its fields (bits, prior left out) against what it was found by.
   * It brings in the person's other records, at REVIEW at most, scored with the chain.
   */
  heldEvidence?: number;
}

interface Candidate {
  sourceId: string;
  /** λ of the candidate's source. */
  prior: number;
  record: SourceRecord;
  profile: Profile;
  identifiers: NormalisedIdentifier[];
  round: number;
  best?: { band: MatchBand | null; probability: number; explanation: MatchExplanation; anchor: Anchor };
  anchored: boolean;
  heldAnchor?: boolean;
  /** The comparison with the query itself (every candidate meets the query first). */
  againstQuery?: MatchScore;
}

type Answer = { ok: true; records: SourceRecord[]; ms: number } | { ok: false; status: 'FAILED' | 'TIMED_OUT'; error: string; code: string; ms: number };

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_ROUNDS = 4;
/**
 * A REVIEW record at or above this probability leads on to the records it finds (at REVIEW
 * at most). Below it sit the records of another person of the household (matching.test.ts
 * keeps them under 0.9), whose records must not be pulled in. Picked on the messy train half
 * (docs/discovery.md: 0.9 found as many true pairs as 0.5 or 0.2 with a fifth of the strangers).
 */
const HELD_ANCHOR_PROBABILITY = 0.9;

async function ask(lookup: SourceLookup, sourceId: string, query: DiscoveryQuery, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const answer = await Promise.race([Promise.resolve().then(() => lookup(sourceId, [query])), timeout]);
    const ms = performance.now() - started;
    if (answer === 'timeout') {
      return { ok: false, status: 'TIMED_OUT', code: 'TIMED_OUT', error: `no answer within ${timeoutMs} ms`, ms };
    }
    if (!Array.isArray(answer) || !Array.isArray(answer[0])) {
      return { ok: false, status: 'FAILED', code: 'MALFORMED_ANSWER', error: 'the source did not return one answer per query', ms };
    }
    return { ok: true, records: answer[0].filter((r) => r && typeof r.recordId === 'string' && Array.isArray(r.identifiers)), ms };
  } catch (error) {
    const ms = performance.now() - started;
    // A store's own message may quote a record: its code stands in for it (failure-code.ts).
    const code = error instanceof ConnectorError ? error.code : failureCodeOf(error);
    return { ok: false, status: 'FAILED', code, error: isStoreError(error) ? safeFailureMessage(error) : `${code}: ${safeFailureMessage(error)}`, ms };
  } finally {
    clearTimeout(timer);
  }
}

const bandRank = (band: MatchBand | null | undefined) => (band === MatchBand.MATCH ? 2 : band === MatchBand.REVIEW ? 1 : 0);

/** Scores a candidate against anchors it has not yet met; keeps the best band, then probability. */
function score(model: MatchModel, c: Candidate, anchors: readonly Anchor[]): void {
  for (const anchor of anchors) {
    const pair = scorePair(model, anchor.profile, c.profile, c.prior);
    if (anchor.ref === 'QUERY') c.againstQuery = pair;
    const s = throughAnchor(model, anchor, c, pair);
    const b = c.best;
    if (!b || bandRank(s.band) > bandRank(b.band) || (bandRank(s.band) === bandRank(b.band) && s.probability > b.probability)) {
      c.best = { band: s.band, probability: s.probability, explanation: s.explanation, anchor };
    }
  }
}

/**
 * A score against a held anchor: the chain's probability, REVIEW at most; no band for a
 * record the query itself contradicts (another birth date: the anchor's doubt, confirmed).
 */
function throughAnchor(model: MatchModel, anchor: Anchor, c: Candidate, s: MatchScore): MatchScore {
  if (anchor.heldEvidence === undefined) return s;
  // The first link is weighed with the new record's own prior: a namesake that is worth a
  // look in a small source is not lifted into REVIEW in a huge one by its twin in the small.
  const probability = probabilityOf(anchor.heldEvidence + s.explanation.priorWeight) * s.probability;
  const contradicted = (c.againstQuery?.explanation.contradictingIdentifiers?.length ?? 0) > 0;
  return { ...s, probability, band: !contradicted && probability >= model.thresholds.review ? MatchBand.REVIEW : null };
}

const identifierKey = (id: Identifier) => `${id.type}\u0000${id.value}`;

/** What one resolution has learnt so far, carried from round to round. */
interface Resolution {
  model: MatchModel;
  options: ResolveOptions;
  priors: Map<string, number>;
  anchors: Anchor[];
  knownIdentifiers: Set<string>;
  sentKeys: Set<string>;
  candidates: Map<string, Candidate>;
  outcomes: Map<string, SourceOutcome>;
}

export async function resolveSubject(input: ResolveSubjectInput): Promise<SubjectResolution> {
  const options = input.options ?? {};
  const model = modelOf(options);
  const maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
  const lambda = model.parameters.probabilityTwoRandomRecordsMatch;

  const query = normaliseQueryIdentifiers(input.identifiers, options.normalise);
  if (query.length === 0) throw new InvalidIdentifierError('IDENTIFIERS', 'at least one identifier is needed');
  const queryProfile = profileOf(query);

  const state: Resolution = {
    model,
    options,
    priors: new Map(input.sources.map((s) => [s.id, sourcePrior(lambda, model.parameters.priorRecords, s.records)])),
    anchors: [{ ref: 'QUERY', profile: queryProfile }],
    knownIdentifiers: new Set(query.map(identifierKey)),
    sentKeys: new Set<string>(),
    candidates: new Map<string, Candidate>(),
    outcomes: new Map(input.sources.map((s) => [s.id, { sourceId: s.id, status: 'ANSWERED' as SourceStatus, records: 0, rounds: 0, latencyMs: 0 }])),
  };

  let nextIdentifiers: NormalisedIdentifier[] = query;
  let nextKeys = blockingKeysOfProfile(queryProfile);
  let rounds = 0;
  let roundLimitReached = false;

  while (nextIdentifiers.length > 0 || nextKeys.length > 0) {
    if (rounds >= maxRounds) {
      roundLimitReached = true;
      break;
    }
    rounds++;
    for (const k of nextKeys) state.sentKeys.add(k);
    const fresh = await askRound(state, input, { identifiers: nextIdentifiers.map(({ type, value }) => ({ type, value })), blockingKeys: nextKeys }, rounds);
    for (const c of fresh) score(model, c, state.anchors);
    const { newAnchors, expansion } = anchorNewMatches(state);
    const held = anchorHeldReviews(state);
    newAnchors.push(...held.newAnchors);
    expansion.push(...held.expansion);
    nextIdentifiers = expansion;
    nextKeys = [...new Set(newAnchors.flatMap((a) => blockingKeysOfProfile(a.profile)))].filter((k) => !state.sentKeys.has(k));
    if (nextKeys.length === 0) nextIdentifiers = []; // retrieval is by key: nothing new to find
  }

  const records = matchesOf(state);
  const sources = [...state.outcomes.values()];
  return {
    complete: sources.every((s) => s.status === 'ANSWERED'),
    rounds,
    roundLimitReached,
    sources,
    records,
    query,
  };
}

/** The match model with the caller's thresholds over its own. */
function modelOf(options: ResolveOptions): MatchModel {
  if (!options.model) return createMatchModel(options.thresholds ? { thresholds: options.thresholds } : {});
  return options.thresholds ? { ...options.model, thresholds: { ...options.model.thresholds, ...options.thresholds } } : options.model;
}

/**
 * One round: the query goes to every source still answering, in parallel; each answer is
 * counted in its source's outcome, and the records not seen before become candidates.
 */
async function askRound(state: Resolution, input: ResolveSubjectInput, discovery: DiscoveryQuery, round: number): Promise<Candidate[]> {
  const { options, outcomes, candidates } = state;
  const includeRelated = options.includeRelated ?? true;
  const asked = input.sources.filter((s) => outcomes.get(s.id)!.status === 'ANSWERED');
  const answers = await Promise.all(asked.map((s) => ask(input.lookup, s.id, discovery, s.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS)));

  const fresh: Candidate[] = [];
  asked.forEach((source, i) => {
    const answer = answers[i]!;
    const outcome = outcomes.get(source.id)!;
    outcome.rounds++;
    outcome.latencyMs += answer.ms;
    if (!answer.ok) {
      // A source that failed once is not asked again: its answer is partial either way.
      outcome.status = answer.status;
      outcome.error = answer.error;
      outcome.errorCode = answer.code;
      return;
    }
    for (const record of answer.records) {
      if (record.relationship !== Relationship.SUBJECT && !includeRelated) continue;
      if (options.admits && !options.admits(source.id, record)) continue;
      const key = `${source.id}\u0000${record.recordId}\u0000${record.relationship}`;
      if (candidates.has(key)) continue; // seen in an earlier round: already scored against every anchor
      const identifiers = normaliseRecordIdentifiers(record.identifiers, source.normalise ? { ...options.normalise, ...source.normalise } : options.normalise);
      const c: Candidate = {
        sourceId: source.id,
        prior: state.priors.get(source.id)!,
        record,
        identifiers,
        profile: profileOf(identifiers),
        round,
        anchored: false,
      };
      candidates.set(key, c);
      fresh.push(c);
    }
  });
  return fresh;
}

/**
 * Transitive expansion: new MATCH subjects become anchors and rescore the rest (earlier
 * REVIEW records included) until no new anchor appears. Returns the new anchors and the
 * identifiers they bring that were not known yet (the next round's query).
 */
function anchorNewMatches(state: Resolution): { newAnchors: Anchor[]; expansion: NormalisedIdentifier[] } {
  const { candidates, knownIdentifiers } = state;
  let newAnchors: Anchor[] = [];
  const expansion: NormalisedIdentifier[] = [];
  for (;;) {
    const added: Anchor[] = [];
    for (const c of candidates.values()) {
      if (c.anchored || c.best?.band !== MatchBand.MATCH || c.record.relationship !== Relationship.SUBJECT) continue;
      c.anchored = true;
      added.push({ ref: { sourceId: c.sourceId, recordId: c.record.recordId }, profile: c.profile });
      for (const id of c.identifiers) {
        const k = identifierKey(id);
        if (!knownIdentifiers.has(k)) {
          knownIdentifiers.add(k);
          expansion.push(id);
        }
      }
    }
    if (added.length === 0) break;
    for (const c of candidates.values()) if (c.best?.band !== MatchBand.MATCH) score(state.model, c, added);
    state.anchors.push(...added);
    newAnchors = newAnchors.concat(added);
  }
  return { newAnchors, expansion };
}

/**
 * REVIEW records about the person, found against the query or a MATCH record with a
 * probability of HELD_ANCHOR_PROBABILITY or more (mostly held back by the two-identifier rule
 * alone), become held anchors: their identifiers join the next round, and what they lead to
 * is shown at REVIEW, never MATCH, scored with the chain's probability. A chain never runs
 * through two of them.
 */
function anchorHeldReviews(state: Resolution): { newAnchors: Anchor[]; expansion: NormalisedIdentifier[] } {
  const { candidates, knownIdentifiers, model } = state;
  const added: Anchor[] = [];
  const expansion: NormalisedIdentifier[] = [];
  for (const c of candidates.values()) {
    const best = c.best;
    if (c.heldAnchor || c.anchored || best?.band !== MatchBand.REVIEW || c.record.relationship !== Relationship.SUBJECT) continue;
    if (best.anchor.heldEvidence !== undefined || best.probability < HELD_ANCHOR_PROBABILITY) continue;
    c.heldAnchor = true;
    added.push({
      ref: { sourceId: c.sourceId, recordId: c.record.recordId },
      profile: c.profile,
      heldEvidence: best.explanation.totalWeight - best.explanation.priorWeight,
    });
    for (const id of c.identifiers) {
      const k = identifierKey(id);
      if (!knownIdentifiers.has(k)) {
        knownIdentifiers.add(k);
        expansion.push(id);
      }
    }
  }
  if (added.length === 0) return { newAnchors: [], expansion };
  for (const c of candidates.values()) if (c.best?.band !== MatchBand.MATCH) score(model, c, added);
  state.anchors.push(...added);
  return { newAnchors: added, expansion };
}

/** The candidates that reached a band, MATCH then REVIEW, best score first; each counted in its source's outcome. */
function matchesOf(state: Resolution): RecordMatch[] {
  const records: RecordMatch[] = [];
  for (const c of state.candidates.values()) {
    const best = c.best;
    if (!best?.band) continue;
    records.push(recordMatchOf(c, { ...best, band: best.band }, state.options));
    state.outcomes.get(c.sourceId)!.records++;
  }
  return records.sort((a, b) => bandRank(b.band) - bandRank(a.band) || b.score - a.score);
}

function recordMatchOf(
  c: Candidate,
  best: { band: MatchBand; probability: number; explanation: MatchExplanation; anchor: Anchor },
  options: ResolveOptions,
): RecordMatch {
  const r = c.record;
  const match: RecordMatch = {
    sourceId: c.sourceId,
    recordId: r.recordId,
    recordType: r.recordType,
    relationship: r.relationship,
    band: best.band,
    score: best.probability,
    explanation: best.explanation,
    round: c.round,
    matchedAgainst: best.anchor.ref,
    categories: options.categoriesOf?.(c.sourceId, r) ?? [],
    record: r,
  };
  if (r.parentRecordId !== undefined) match.parentRecordId = r.parentRecordId;
  if (r.dates && (r.dates.createdAt || r.dates.lastActivityAt)) match.dates = r.dates;
  if (r.controllerId !== undefined) match.controllerId = r.controllerId;
  if (r.restricted !== undefined) match.restricted = r.restricted;
  return match;
}
