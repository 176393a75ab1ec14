// Discovery benchmark: `subject` over HTTP against the six reference systems holding the
// synthetic population, measured against the floor: the same candidate lookups the
// gateway makes (each round's key-table statements, recorded from an in-process
// discovery of the same query) issued as direct parallel SQL from this process. Prints
// p50/p95 of both, their ratio, and throughput at N concurrent clients, all measured in
// the same run.
//
//   npm run bench:discovery -- [--people 10000] [--queries 400] [--concurrency 32] [--seconds 15]
//
// BENCH_PROFILE=file.cpuprofile writes a CPU profile of the throughput phase.
//
// Uses a throwaway database on the local PostgreSQL (TEST_DATABASE_URL or
// postgres://postgres@127.0.0.1:5432/postgres), dropped at the end.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { demoSourceConfigs } from '../../connectors/demo-sources.js';
import { KEY_TABLE } from '../../connectors/shared/key-table.js';
import { percentile } from '../../src/identity/evaluation/metrics.js';
import { startThrowawayGateway } from '../../src/identity/evaluation/throwaway-gateway.js';
import { readGroundTruth } from '../../src/population/ground-truth.js';
import { personAt } from '../../src/population/person.js';
import { seedReferenceSources } from '../../src/population/seed.js';
import { profilePhase } from './support/profile.js';
import { runHttpClients, startTrainingThread } from './support/threads.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const PEOPLE = Number(arg('people', '10000'));
const QUERIES = Number(arg('queries', '400'));
const CONCURRENCY = Number(arg('concurrency', '32'));
const SECONDS = Number(arg('seconds', '15'));
const SEED = Number(arg('seed', '42'));
const SUBJECT = `query B($q: SubjectQueryInput!) { subject(query: $q) { complete rounds records { sourceId recordId band score } } }`;

type Identifiers = { type: string; value: string }[];

function identifiersOf(index: number): Identifiers {
  const p = personAt(SEED, index);
  return [
    { type: 'GIVEN_NAME', value: p.givenName },
    { type: 'FAMILY_NAME', value: p.familyName },
    { type: 'DATE_OF_BIRTH', value: p.dateOfBirth },
    { type: 'EMAIL', value: p.email },
  ];
}

const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  const secret = randomBytes(24).toString('base64url');
  process.env.DSR_SOURCE_SECRET_TRAINING = secret;
  const gateway = await startThrowawayGateway({ prefix: 'dsr_bench', env: { DSR_SOURCE_SECRET_TRAINING: secret } });
  const floorPool = new pg.Pool({ connectionString: gateway.databaseUrl, max: 24 });
  let training: { close(): Promise<void> } | undefined;
  try {
    let t = performance.now();
    const truthPath = `${os.tmpdir()}/dsr-bench-truth-${process.pid}.csv`;
    const seeded = await seedReferenceSources({ url: gateway.databaseUrl, people: PEOPLE, seed: SEED, groundTruthPath: truthPath });
    console.log(
      `seeded a population of ${PEOPLE} people in ${Math.round(performance.now() - t)} ms; records about a person held per source: ${JSON.stringify(seeded.records)}`,
    );
    const service = await startTrainingThread(gateway.databaseUrl, secret);
    training = service;
    for (const config of demoSourceConfigs({ databaseUrl: gateway.databaseUrl, footageDir: os.tmpdir(), trainingBaseUrl: service.baseUrl })) {
      await gateway.runtime.services.sources.register(config, 'bench');
    }
    // A running deployment's tables are vacuumed by autovacuum: index-only key lookups then
    // skip the heap. Freshly loaded tables are not yet, so vacuum them as it would.
    await floorPool.query('VACUUM ANALYZE');

    // Queries: people who have records, spread over the population.
    const people = new Set<number>();
    for await (const e of readGroundTruth(truthPath)) people.add(Number(e.personId.slice(1)));
    const all = [...people];
    const step = Math.max(1, Math.floor(all.length / QUERIES));
    const queries: Identifiers[] = [];
    for (let i = 0; i < all.length && queries.length < QUERIES; i += step) queries.push(identifiersOf(all[i]!));

    // The floor: the same candidate lookups the gateway makes for a query, as direct SQL
    // from this process: each round's key-table statement of every source in parallel,
    // rounds one after the other (a round's keys come from the previous round's matches).
    // The lookups are recorded from an in-process discovery of the same query.
    const services = gateway.runtime.services;
    const lookupsOf = async (q: Identifiers): Promise<Map<string, string[]>[]> => {
      const loaders = services.discovery.createLoaders();
      const asked = loaders.lookup;
      const rounds: Map<string, string[]>[] = [];
      loaders.lookup = async (sourceId, batch) => {
        // The resolver asks every source once per round: a source asked again opens the next.
        let round = rounds.at(-1);
        if (!round || round.has(sourceId)) rounds.push((round = new Map()));
        round.set(sourceId, [...new Set(batch.flatMap((b) => b.blockingKeys))]);
        return asked(sourceId, batch);
      };
      await services.discovery.discover({ identifiers: q as never }, { loaders });
      return rounds;
    };
    const recorded = new Map<Identifiers, Map<string, string[]>[]>();
    for (const q of queries) recorded.set(q, await lookupsOf(q));
    // What the lookups cost PostgreSQL: keys sent and candidate records returned per query.
    let keysSent = 0;
    let candidates = 0;
    const floor = async (q: Identifiers, count = false) => {
      for (const round of recorded.get(q)!) {
        await Promise.all(
          [...round].map(async ([schema, keys]) => {
            const result = await floorPool.query(
              `WITH m AS (SELECT DISTINCT q.idx, k.record_id
                            FROM unnest($1::text[], $2::int[]) AS q(key, idx)
                            JOIN ${schema}.${KEY_TABLE} k ON k.key = q.key)
               SELECT m.idx, m.record_id, a.record_type, a.doc
                 FROM m JOIN ${schema}.appearance a ON a.record_id = m.record_id
                WHERE a.record_id = ANY(ARRAY(SELECT record_id FROM m))
                ORDER BY m.idx, m.record_id`,
              [keys, keys.map(() => 0)],
            );
            if (count) {
              keysSent += keys.length;
              candidates += result.rowCount ?? 0;
            }
          }),
        );
      }
    };

    // Latency: one client at a time from this thread, like the floor's SQL. Throughput:
    // the clients run on a thread of their own, as a separate load generator would.
    const subject = async (q: Identifiers) => {
      const reply = await gateway.graphql<{ subject: { complete: boolean; rounds: number; records: unknown[] } }>(SUBJECT, { q: { identifiers: q } });
      if (reply.errors?.length || !reply.data?.subject.complete) throw new Error(`subject failed: ${JSON.stringify(reply.errors ?? reply.data)}`);
      return reply.data.subject;
    };
    // Warm up both paths (connections, JIT, caches).
    for (const q of queries.slice(0, 30)) {
      await subject(q);
      await floor(q);
    }
    // Interleaved, so both sides see the same moment of a shared machine.
    const gatewayMs: number[] = [];
    const floorMs: number[] = [];
    let rounds = 0;
    let records = 0;
    for (const q of queries) {
      t = performance.now();
      const answer = await subject(q);
      gatewayMs.push(performance.now() - t);
      rounds += answer.rounds;
      records += answer.records.length;
      t = performance.now();
      await floor(q, true);
      floorMs.push(performance.now() - t);
    }
    const g50 = percentile(gatewayMs, 50);
    const f50 = percentile(floorMs, 50);
    console.log(`queries ${queries.length}, mean rounds ${(rounds / queries.length).toFixed(2)}, mean records ${(records / queries.length).toFixed(2)}`);
    console.log(
      `lookups per query, summed over rounds and sources: ${(keysSent / queries.length).toFixed(1)} keys sent, ${(candidates / queries.length).toFixed(1)} candidate records returned`,
    );
    console.log(`gateway subject over HTTP: p50 ${ms(g50)}, p95 ${ms(percentile(gatewayMs, 95))}`);
    console.log(`floor (the same lookups, round by round, as direct parallel SQL): p50 ${ms(f50)}, p95 ${ms(percentile(floorMs, 95))}`);
    console.log(`ratio p50 ${(g50 / f50).toFixed(2)}x, p95 ${(percentile(gatewayMs, 95) / percentile(floorMs, 95)).toFixed(2)}x`);

    // Where time goes: the same discovery in-process (no HTTP, authentication or audit).
    const inProcessMs: number[] = [];
    for (const q of queries) {
      t = performance.now();
      await services.discovery.discover({ identifiers: q as never });
      inProcessMs.push(performance.now() - t);
    }
    console.log(`in-process discover (no HTTP/auth/audit): p50 ${ms(percentile(inProcessMs, 50))}, p95 ${ms(percentile(inProcessMs, 95))}`);
    let inProcessDone = 0;
    let cursor = 0;
    const inProcessUntil = performance.now() + Math.min(SECONDS, 5) * 1000;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < inProcessUntil) {
          await services.discovery.discover({ identifiers: queries[cursor++ % queries.length]! as never });
          inProcessDone++;
        }
      }),
    );
    console.log(`in-process throughput at ${CONCURRENCY} callers: ${(inProcessDone / ((performance.now() - t1) / 1000)).toFixed(0)} queries/s`);

    // Throughput: CONCURRENCY clients, each sending its next query as soon as one returns.
    const stopProfile = await profilePhase();
    const load = await runHttpClients({
      url: gateway.url,
      headers: gateway.headers,
      query: SUBJECT,
      variables: queries.map((q) => ({ q: { identifiers: q } })),
      concurrency: CONCURRENCY,
      seconds: SECONDS,
    });
    await stopProfile();
    const qps = load.done / load.seconds;
    const done = load.done;
    console.log(`throughput at ${CONCURRENCY} clients: ${qps.toFixed(0)} queries/s (${done} in ${SECONDS} s)`);
    console.log(
      JSON.stringify({
        bench: 'discovery',
        people: PEOPLE,
        recordsPerSource: seeded.records,
        queries: queries.length,
        gatewayP50ms: +g50.toFixed(3),
        gatewayP95ms: +percentile(gatewayMs, 95).toFixed(3),
        floorP50ms: +f50.toFixed(3),
        floorP95ms: +percentile(floorMs, 95).toFixed(3),
        ratioP50: +(g50 / f50).toFixed(3),
        keysPerQuery: +(keysSent / queries.length).toFixed(1),
        candidatesPerQuery: +(candidates / queries.length).toFixed(1),
        qps: Math.round(qps),
        concurrency: CONCURRENCY,
      }),
    );
  } finally {
    await training?.close().catch(() => undefined);
    await floorPool.end();
    await gateway.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
