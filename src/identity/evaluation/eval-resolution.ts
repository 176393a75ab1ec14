// Evaluation harness: loads a labelled CSV into an evaluation source, resolves each record
// once with that record's identifiers, and prints pairwise precision / recall / F1 at the
// MATCH band, recall at MATCH+REVIEW and p50/p95 latency. The last line of output is one
// JSON object.
//
//   npx tsx src/identity/evaluation/eval-resolution.ts --csv ../shared/data/febrl3.csv \
//     --id rec_id --entity-regex 'rec-(\d+)' --map given_name=GIVEN_NAME --map surname=FAMILY_NAME \
//     --map street_number+address_1=STREET_ADDRESS --map suburb=CITY --map postcode=POSTCODE \
//     --map date_of_birth=DATE_OF_BIRTH --map soc_sec_id=NATIONAL_ID
//   [--split all|train|test --split-share 0.5] [--tf data|params] [--limit N]
//   [--match-threshold P] [--review-threshold P] [--max-rounds N]
//
// The source sits behind the lookup function, so another mode (the generic SQL connector,
// the GraphQL `subject` query) only replaces `lookup`.
import { pathToFileURL } from 'node:url';
import type { Identifier } from '../../../connectors/contract.js';
import { Relationship } from '../../domain/vocabulary.js';
import { normaliseIdentifier } from '../normalise/index.js';
import { createMatchModel } from '../matching/model.js';
import { profileOfRaw } from '../matching/profile.js';
import { termFrequenciesOf } from '../matching/term-frequencies.js';
import { resolveSubject, type SourceLookup } from '../resolver.js';
import { filterSplit, loadRecordsFromArgs, one, parseArgs } from './cli-args.js';
import type { LabelledRecord } from './labelled-records.js';
import { MemorySource } from './memory-source.js';
import { evaluate, type QueryResult } from './metrics.js';

export interface EvaluationRun {
  records: LabelledRecord[];
  lookup: SourceLookup;
  sourceIds: string[];
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

export async function runEvaluation(run: EvaluationRun) {
  const entityOf = new Map(run.records.map((r) => [r.id, r.entity]));
  const results: QueryResult[] = [];
  const queries = run.limit ? run.records.slice(0, run.limit) : run.records;
  for (const r of queries) {
    // A record's malformed cells (an impossible date) are left out of its query, as a
    // handler would correct or omit them; the record's remaining identifiers still count.
    const identifiers = r.identifiers.filter((id) => usable(id));
    const started = performance.now();
    const resolution = await resolveSubject({
      identifiers,
      sources: run.sourceIds.map((id) => ({ id })),
      lookup: run.lookup,
      ...(run.resolveOptions ? { options: run.resolveOptions } : {}),
    });
    const ms = performance.now() - started;
    results.push({ queryId: r.id, returned: resolution.records.map((m) => ({ recordId: m.recordId, band: m.band })), ms });
  }
  return evaluate(entityOf, results);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const records = filterSplit(loadRecordsFromArgs(args), args);
  const source = new MemorySource('evaluation');
  for (const r of records) {
    source.add({ recordId: r.id, recordType: 'record', relationship: Relationship.SUBJECT, identifiers: r.identifiers, data: {}, dates: {} });
  }
  // Splink computes term frequencies from the data it links; --tf params uses the shipped table.
  const tfMode = one(args, 'tf') ?? 'data';
  const thresholds: { match?: number; review?: number } = {};
  if (one(args, 'match-threshold')) thresholds.match = Number(one(args, 'match-threshold'));
  if (one(args, 'review-threshold')) thresholds.review = Number(one(args, 'review-threshold'));
  const model = createMatchModel({
    thresholds,
    ...(tfMode === 'data' ? { termFrequencies: termFrequenciesOf(records.map((r) => profileOfRaw(r.identifiers))) } : {}),
  });
  const limit = one(args, 'limit');
  const figures = await runEvaluation({
    records,
    lookup: (_sourceId, queries) => source.discover(queries),
    sourceIds: [source.id],
    resolveOptions: { model, maxRounds: Number(one(args, 'max-rounds') ?? '4') },
    ...(limit ? { limit: Number(limit) } : {}),
  });
  const f = (x: number) => x.toFixed(4);
  console.log(`records ${records.length}, queries ${figures.queries}, true pairs ${figures.truePairs}, MATCH pairs ${figures.matchPairs}, review pairs ${figures.reviewPairs}`);
  console.log(`MATCH precision ${f(figures.precision)} recall ${f(figures.recall)} F1 ${f(figures.f1)}; MATCH+REVIEW recall ${f(figures.reviewRecall)}`);
  console.log(`latency p50 ${figures.p50ms.toFixed(2)} ms, p95 ${figures.p95ms.toFixed(2)} ms (model ${model.parameters.version}, thresholds ${model.thresholds.match}/${model.thresholds.review}, tf ${tfMode})`);
  const round = (x: number) => Math.round(x * 10000) / 10000;
  console.log(JSON.stringify({
    precision: round(figures.precision), recall: round(figures.recall), f1: round(figures.f1), reviewRecall: round(figures.reviewRecall),
    queries: figures.queries, p50ms: round(figures.p50ms), p95ms: round(figures.p95ms),
  }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
