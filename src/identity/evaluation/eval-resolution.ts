// Evaluation harness: loads a labelled CSV into an evaluation source, resolves each record
// once with that record's identifiers, and prints pairwise precision / recall / F1 at the
// MATCH band, recall at MATCH+REVIEW and p50/p95 latency. The last line of output is one
// JSON object.
//
// Default mode: the records go into a table of a throwaway database on the local
// PostgreSQL (TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres), registered
// through the generic SQL connector, and `subject` is asked once per record over HTTP of
// an in-process gateway: the whole product path. --in-memory resolves against an
// in-memory index instead (fast, for tuning; supports --tf and the threshold flags).
//
//   npx tsx src/identity/evaluation/eval-resolution.ts --csv ../shared/data/febrl3.csv \
//     --id rec_id --entity-regex 'rec-(\d+)' --map given_name=GIVEN_NAME --map surname=FAMILY_NAME \
//     --map street_number+address_1=STREET_ADDRESS --map suburb=CITY --map postcode=POSTCODE \
//     --map date_of_birth=DATE_OF_BIRTH --map soc_sec_id=NATIONAL_ID
//   [--split all|train|test --split-share 0.5] [--tf data|params] [--limit N]
//   [--match-threshold P] [--review-threshold P] [--max-rounds N] [--parameters FILE]
//   [--kind COLUMN]   (figures per value of COLUMN, e.g. the messy generator's corruption)
//   [--without-name-frequencies]   (default mode: the gateway weighs names without the source's name counts)
//   [--show-wrong-matches] [--show-missed-matches]   (in-memory: each wrong MATCH pair, each true pair not at MATCH, with levels)
//
// The source sits behind the lookup function, so another mode (the generic SQL connector,
// the GraphQL `subject` query) only replaces `lookup`.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Identifier } from '../../../connectors/contract.js';
import { Relationship } from '../../domain/vocabulary.js';
import { normaliseIdentifier } from '../normalise/index.js';
import { createMatchModel, type MatchModel } from '../matching/model.js';
import { sourcePrior } from '../matching/prior.js';
import { checkParameters } from '../matching/parameters.js';
import { profileOfRaw } from '../matching/profile.js';
import { termFrequenciesOf } from '../matching/term-frequencies.js';
import { resolveSubject, type SourceLookup } from '../resolver.js';
import { agreementClasses, type AgreementClass, type PairOutcome } from './agreement-classes.js';
import { blockingFigures } from './blocking-figures.js';
import { reliabilityTable } from './calibration.js';
import { filterSplit, loadRecordsFromArgs, one, parseArgs } from './cli-args.js';
import type { LabelledRecord } from './labelled-records.js';
import { MemorySource } from './memory-source.js';
import { evaluate, type EvaluationFigures, type QueryResult } from './metrics.js';
import { SCRATCH_SERVER_URL, startThrowawayGateway } from './throwaway-gateway.js';
import { EVALUATION_SOURCE_ID, evaluationColumns, loadEvaluationTable, registerEvaluationSource } from './evaluation-source.js';

export interface EvaluationRun {
  records: LabelledRecord[];
  lookup: SourceLookup;
  sourceIds: string[];
  /** Record counts of the sources, which scale their priors as the gateway does. */
  sourceRecords?: Record<string, number>;
  resolveOptions: Parameters<typeof resolveSubject>[0]['options'];
  limit?: number;
}

function usable(id: Identifier): boolean {
  try {
    normaliseIdentifier(id);
    return true;
  } catch {
    return false;
  }
}

export async function runEvaluation(run: EvaluationRun): Promise<EvaluationFigures> {
  return evaluate(new Map(run.records.map((r) => [r.id, r.entity])), await resolveEach(run));
}

/** One resolution per record (or the first `limit`), as query results. */
export async function resolveEach(run: EvaluationRun): Promise<QueryResult[]> {
  const results: QueryResult[] = [];
  const queries = run.limit ? run.records.slice(0, run.limit) : run.records;
  for (const r of queries) {
    // A record's malformed cells (an impossible date) are left out of its query, as a
    // handler would correct or omit them; the record's remaining identifiers still count.
    const identifiers = r.identifiers.filter((id) => usable(id));
    const started = performance.now();
    const resolution = await resolveSubject({
      identifiers,
      sources: run.sourceIds.map((id) => ({ id, records: run.sourceRecords?.[id] })),
      lookup: run.lookup,
      ...(run.resolveOptions ? { options: run.resolveOptions } : {}),
    });
    const ms = performance.now() - started;
    results.push({
      queryId: r.id,
      returned: resolution.records.map((m) => ({
        recordId: m.recordId,
        band: m.band,
        explanation: m.explanation,
        round: m.round,
        against: m.matchedAgainst === 'QUERY' ? 'query' : m.matchedAgainst.recordId,
      })),
      ms,
    });
  }
  return results;
}

const SUBJECT = `query Evaluate($q: SubjectQueryInput!) { subject(query: $q) { complete records { recordId band } } }`;

/** The product path: generic SQL source, `subject` over HTTP, one query per record. */
export async function runOverGraphql(
  records: LabelledRecord[],
  limit?: number,
  log: (line: string) => void = (l) => console.error(l),
  options: { nameFrequencies?: boolean } = {},
): Promise<QueryResult[]> {
  const password = decodeURIComponent(new URL(SCRATCH_SERVER_URL).password);
  const env: Record<string, string> = { DISCOVERY_NAME_FREQUENCIES: options.nameFrequencies === false ? 'off' : 'on' };
  if (password) env.DSR_SOURCE_SECRET_EVAL_DB_PASSWORD = password;
  const gateway = await startThrowawayGateway({ prefix: 'dsr_eval', env });
  try {
    const columns = evaluationColumns(records);
    let started = performance.now();
    await loadEvaluationTable(gateway.databaseUrl, records, columns);
    await registerEvaluationSource(gateway.runtime.services.sources, gateway.databaseUrl, columns, password ? 'DSR_SOURCE_SECRET_EVAL_DB_PASSWORD' : undefined);
    log(`loaded and indexed ${records.length} records through the generic SQL connector in ${Math.round(performance.now() - started)} ms`);
    const results: QueryResult[] = [];
    const queries = limit ? records.slice(0, limit) : records;
    started = performance.now();
    for (const r of queries) {
      const identifiers = r.identifiers.filter((id) => usable(id));
      const t0 = performance.now();
      const reply = await gateway.graphql<{ subject: { complete: boolean; records: { recordId: string; band: QueryResult['returned'][number]['band'] }[] } }>(
        SUBJECT,
        { q: { identifiers, sourceIds: [EVALUATION_SOURCE_ID] } },
      );
      const ms = performance.now() - t0;
      if (reply.errors?.length) throw new Error(`record ${r.id}: ${reply.errors[0]!.extensions?.code ?? ''} ${reply.errors[0]!.message}`);
      if (!reply.data!.subject.complete) throw new Error(`record ${r.id}: the evaluation source did not answer`);
      // The SQL connector's record ids are `<record type>:<primary key>`.
      const returned = reply.data!.subject.records.map((x) => ({ recordId: x.recordId.slice(x.recordId.indexOf(':') + 1), band: x.band }));
      results.push({ queryId: r.id, returned, ms });
      if (results.length % 1000 === 0) log(`${results.length}/${queries.length} queries, ${Math.round(performance.now() - started)} ms`);
    }
    return results;
  } finally {
    await gateway.stop();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const records = filterSplit(loadRecordsFromArgs(args), args);
  const limit = one(args, 'limit');
  if (!args.flags.has('in-memory')) {
    const nameFrequencies = !args.flags.has('without-name-frequencies');
    const results = await runOverGraphql(records, limit ? Number(limit) : undefined, undefined, { nameFrequencies });
    const mode = nameFrequencies ? 'name frequencies read from the source' : 'no name frequencies';
    report(records, results, `subject over HTTP, generic SQL source, gateway model and thresholds, ${mode}`, createMatchModel());
    return;
  }
  const source = new MemorySource('evaluation');
  for (const r of records) {
    source.add({ recordId: r.id, recordType: 'record', relationship: Relationship.SUBJECT, identifiers: r.identifiers, data: {}, dates: {} });
  }
  // Splink computes term frequencies from the data it links; --tf params uses the shipped table.
  const tfMode = one(args, 'tf') ?? 'data';
  const thresholds: { match?: number; review?: number } = {};
  if (one(args, 'match-threshold')) thresholds.match = Number(one(args, 'match-threshold'));
  if (one(args, 'review-threshold')) thresholds.review = Number(one(args, 'review-threshold'));
  const parametersFile = one(args, 'parameters');
  const model = createMatchModel({
    thresholds,
    ...(parametersFile ? { parameters: checkParameters(JSON.parse(readFileSync(parametersFile, 'utf8'))) } : {}),
    ...(tfMode === 'data' ? { termFrequencies: termFrequenciesOf(records.map((r) => profileOfRaw(r.identifiers))) } : {}),
  });
  const results = await resolveEach({
    records,
    lookup: (_sourceId, queries) => source.discover(queries),
    sourceIds: [source.id],
    sourceRecords: { [source.id]: source.size },
    resolveOptions: { model, maxRounds: Number(one(args, 'max-rounds') ?? '4') },
    ...(limit ? { limit: Number(limit) } : {}),
  });
  report(records, results, `model ${model.parameters.version}, thresholds ${model.thresholds.match}/${model.thresholds.review}, tf ${tfMode}`, model);
  if (args.flags.has('show-wrong-matches')) showWrongMatches(records, results);
  if (args.flags.has('show-missed-matches')) showMissedMatches(records, results);
}

/** Each true pair the query did not return as MATCH: its band (or "missed") and field levels. */
function showMissedMatches(records: LabelledRecord[], results: QueryResult[]): void {
  const entityOf = new Map(records.map((r) => [r.id, r.entity]));
  const byEntity = new Map<string, string[]>();
  for (const r of records) byEntity.set(r.entity, [...(byEntity.get(r.entity) ?? []), r.id]);
  console.log('true pairs not at MATCH: query record, record, band, probability, agreeing identifiers, field level (weight in bits)');
  for (const r of results) {
    for (const id of byEntity.get(entityOf.get(r.queryId)!) ?? []) {
      if (id === r.queryId) continue;
      const x = r.returned.find((y) => y.recordId === id);
      if (x?.band === 'MATCH') continue;
      const e = x?.explanation;
      const fields = e
        ? e.fields
            .filter((c) => c.kind !== 'null')
            .map((c) => `${c.field}=${c.level} (${c.weight.toFixed(1)})`)
            .join(', ')
        : '';
      console.log(
        `  ${r.queryId} -> ${id}, ${x?.band ?? 'missed'}, p ${e ? e.probability.toFixed(6) : '-'}, [${e?.agreeingIdentifiers.join(' ') ?? ''}]: ${fields}`,
      );
    }
  }
}

/** Each MATCH pair of two different entities: record ids, round, and every field's level and weight. */
function showWrongMatches(records: LabelledRecord[], results: QueryResult[]): void {
  const entityOf = new Map(records.map((r) => [r.id, r.entity]));
  console.log('wrong MATCH pairs: query record, returned record, round and what it was scored against, probability, field level (weight in bits)');
  for (const r of results) {
    for (const x of r.returned) {
      if (x.band !== 'MATCH' || x.recordId === r.queryId || entityOf.get(x.recordId) === entityOf.get(r.queryId)) continue;
      const e = x.explanation;
      const fields = e
        ? e.fields
            .filter((c) => c.kind !== 'null')
            .map((c) => `${c.field}=${c.level} (${c.weight.toFixed(1)})`)
            .join(', ')
        : '';
      console.log(`  ${r.queryId} -> ${x.recordId}, round ${x.round ?? '?'} against ${x.against ?? '?'}, p ${e ? e.probability.toFixed(6) : '?'}: ${fields}`);
    }
  }
}

const f = (x: number) => x.toFixed(4);

/** Prints the figures over every query, then per record kind (--kind) when the records carry one. */
function report(records: LabelledRecord[], results: QueryResult[], how: string, model: MatchModel): void {
  const entityOf = new Map(records.map((r) => [r.id, r.entity]));
  const figures = evaluate(entityOf, results);
  const asked = new Set(results.map((r) => r.queryId));
  const blocking = blockingFigures(
    records,
    records.filter((r) => asked.has(r.id)),
  );
  console.log(
    `records ${records.length}, queries ${figures.queries}, true pairs ${figures.truePairs}, MATCH pairs ${figures.matchPairs}, review pairs ${figures.reviewPairs} (${figures.strangerPairs} of different people)`,
  );
  console.log(`MATCH precision ${f(figures.precision)} recall ${f(figures.recall)} F1 ${f(figures.f1)}; MATCH+REVIEW recall ${f(figures.reviewRecall)}`);
  console.log(
    `B-cubed (MATCH) precision ${f(figures.bcubedPrecision)} recall ${f(figures.bcubedRecall)}; queries with every true record back: ${f(figures.completeQueries)} (MATCH+REVIEW), ${f(figures.completeQueriesMatch)} (MATCH)`,
  );
  console.log(
    `blocking (keys of the query alone, first round): recall ${f(blocking.recall)}, candidates per query mean ${blocking.candidatesMean.toFixed(1)} p95 ${blocking.candidatesP95}, keys per record ${blocking.keysMean.toFixed(1)}`,
  );
  console.log(`latency p50 ${figures.p50ms.toFixed(2)} ms, p95 ${figures.p95ms.toFixed(2)} ms (${how})`);
  // The evaluation source holds every record: its prior is scaled to that size, as the gateway does.
  const lambda = sourcePrior(model.parameters.probabilityTwoRandomRecordsMatch, model.parameters.priorRecords, records.length);
  const reliability = reliabilityTable(records, model, lambda);
  console.log('reliability (candidate pairs sharing a blocking key): predicted probability bin, pairs, mean predicted, observed match rate');
  for (const b of reliability) console.log(`  [${b.from}, ${b.to}): ${b.pairs}, ${f(b.meanPredicted)}, ${f(b.observed)}`);
  const pairs = truePairOutcomes(records, results);
  const byAgreement = agreementClasses(pairs.map((x) => x.pair));
  console.log('true pairs by identifiers agreeing approximately: class, pairs, blocking recall, MATCH+REVIEW recall, MATCH recall');
  for (const c of byAgreement) console.log(`  ${c.label}: ${c.truePairs}, ${f(c.blockingRecall)}, ${f(c.reviewRecall)}, ${f(c.matchRecall)}`);
  const kinds = [...new Set(records.map((r) => r.tag).filter((t): t is string => t !== undefined))].sort();
  const perKind: Record<string, ReturnType<typeof summary> & { blockingRecall: number; byAgreement: AgreementClass[] }> = {};
  if (kinds.length > 0) {
    const tagOf = new Map(records.map((r) => [r.id, r.tag]));
    console.log('per kind of query record: kind, queries, true pairs, MATCH precision, MATCH recall, F1, MATCH+REVIEW recall, blocking recall');
    for (const kind of kinds) {
      const subset = results.filter((r) => tagOf.get(r.queryId) === kind);
      const k = evaluate(entityOf, subset);
      const b = blockingFigures(
        records,
        records.filter((r) => r.tag === kind && asked.has(r.id)),
      );
      const classes = agreementClasses(pairs.filter((x) => tagOf.get(x.queryId) === kind).map((x) => x.pair));
      perKind[kind] = { ...summary(k), blockingRecall: round(b.recall), byAgreement: classes.map(roundClass) };
      console.log(`  ${kind}: ${k.queries}, ${k.truePairs}, ${f(k.precision)}, ${f(k.recall)}, ${f(k.f1)}, ${f(k.reviewRecall)}, ${f(b.recall)}`);
      for (const c of classes) console.log(`    ${c.label} agreeing: ${c.truePairs}, ${f(c.blockingRecall)}, ${f(c.reviewRecall)}, ${f(c.matchRecall)}`);
    }
  }
  console.log(
    JSON.stringify({
      ...summary(figures),
      bcubedPrecision: round(figures.bcubedPrecision),
      bcubedRecall: round(figures.bcubedRecall),
      completeQueries: round(figures.completeQueries),
      completeQueriesMatch: round(figures.completeQueriesMatch),
      blockingRecall: round(blocking.recall),
      candidatesPerQuery: Math.round(blocking.candidatesMean * 10) / 10,
      queries: figures.queries,
      p50ms: round(figures.p50ms),
      p95ms: round(figures.p95ms),
      reliability: reliability.map((b) => [b.from, b.pairs, round(b.meanPredicted), round(b.observed)]),
      byAgreement: byAgreement.map(roundClass),
      ...(kinds.length > 0 ? { perKind } : {}),
    }),
  );
}

const round = (x: number) => Math.round(x * 10000) / 10000;

const roundClass = (c: AgreementClass): AgreementClass => ({
  ...c,
  blockingRecall: round(c.blockingRecall),
  reviewRecall: round(c.reviewRecall),
  matchRecall: round(c.matchRecall),
});

/** Every ordered true pair (a query record and another record of its entity) with the band it was returned at. */
function truePairOutcomes(records: LabelledRecord[], results: QueryResult[]): { queryId: string; pair: PairOutcome }[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  const profiles = new Map(records.map((r) => [r.id, profileOfRaw(r.identifiers)]));
  const members = new Map<string, string[]>();
  for (const r of records) members.set(r.entity, [...(members.get(r.entity) ?? []), r.id]);
  return results.flatMap((result) => {
    const bands = new Map(result.returned.map((x) => [x.recordId, x.band]));
    return (members.get(byId.get(result.queryId)!.entity) ?? [])
      .filter((id) => id !== result.queryId)
      .map((id) => ({ queryId: result.queryId, pair: { query: profiles.get(result.queryId)!, record: profiles.get(id)!, band: bands.get(id) ?? null } }));
  });
}

function summary(figures: EvaluationFigures) {
  return { precision: round(figures.precision), recall: round(figures.recall), f1: round(figures.f1), reviewRecall: round(figures.reviewRecall) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
