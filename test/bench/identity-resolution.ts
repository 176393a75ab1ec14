// Micro-benchmark of the identity core alone (no network, no SQL): pair scoring rate and
// resolveSubject latency over an in-memory blocking index of a labelled CSV, sequential
// and with N concurrent callers. Separates model cost from connector cost.
//
//   npx tsx test/bench/identity-resolution.ts [--csv ../shared/data/febrl3.csv] [--concurrency 32]
import { Relationship } from '../../src/domain/vocabulary.js';
import { MemorySource } from '../../src/identity/evaluation/memory-source.js';
import { loadLabelledRecords, parseMapping } from '../../src/identity/evaluation/labelled-records.js';
import { percentile } from '../../src/identity/evaluation/metrics.js';
import { createMatchModel, scorePair } from '../../src/identity/matching/model.js';
import { profileOfRaw } from '../../src/identity/matching/profile.js';
import { normaliseRecordIdentifiers } from '../../src/identity/normalise/index.js';
import { resolveSubject } from '../../src/identity/resolver.js';
import { readFileSync } from 'node:fs';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};

const records = loadLabelledRecords(readFileSync(arg('csv', '../shared/data/febrl3.csv'), 'utf8'), {
  idColumn: 'rec_id',
  entityRegex: /rec-(\d+)/,
  mappings: [
    'given_name=GIVEN_NAME',
    'surname=FAMILY_NAME',
    'street_number+address_1=STREET_ADDRESS',
    'suburb=CITY',
    'postcode=POSTCODE',
    'date_of_birth=DATE_OF_BIRTH',
    'soc_sec_id=NATIONAL_ID',
  ].map(parseMapping),
});
const source = new MemorySource('bench');
for (const r of records) source.add({ recordId: r.id, recordType: 'r', relationship: Relationship.SUBJECT, identifiers: r.identifiers, data: {}, dates: {} });
const model = createMatchModel();
const profiles = records.map((r) => profileOfRaw(r.identifiers));

let t = performance.now();
let pairs = 0;
for (let i = 0; i < profiles.length; i++) {
  for (let j = 1; j <= 20; j++) {
    scorePair(model, profiles[i]!, profiles[(i + j * 37) % profiles.length]!);
    pairs++;
  }
}
console.log(`scorePair: ${Math.round(pairs / ((performance.now() - t) / 1000))} pairs/s`);

const queries = records.map((r) => normaliseRecordIdentifiers(r.identifiers));
async function one(i: number): Promise<number> {
  const started = performance.now();
  await resolveSubject({ identifiers: queries[i % queries.length]!, sources: [{ id: 'bench' }], lookup: (_s, q) => source.discover(q), options: { model } });
  return performance.now() - started;
}

const sequential: number[] = [];
for (let i = 0; i < queries.length; i++) sequential.push(await one(i));
console.log(`resolveSubject sequential: p50 ${percentile(sequential, 50).toFixed(3)} ms, p95 ${percentile(sequential, 95).toFixed(3)} ms`);

const concurrency = Number(arg('concurrency', '32'));
let next = 0;
t = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < queries.length) await one(next++);
  }),
);
console.log(
  `resolveSubject at ${concurrency} concurrent callers: ${Math.round(queries.length / ((performance.now() - t) / 1000))} queries/s (one core, in-memory source)`,
);
