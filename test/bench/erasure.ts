// Erasure benchmark (issue 6): erase N people of the synthetic population across the six
// reference sources through the real path (execute → flows → per-source workers →
// connectors → finalise with re-discovery). Each request is a real person's: their name,
// date of birth and email, the records discovery finds for them, decided by the rules.
// It prints, all from the same run:
// - the drain: tasks/s against the floor, BullMQ's own no-op job throughput on the same
//   backend, same queues and concurrency (both queued first, then drained);
// - end to end: with the workers running, `executeRequest` for each of --e2e other people
//   until every request closed after verification, and each request's own execute → close;
// - tombstone checks over HTTP (`POST /v1/tombstones/check`, as a feed calls it) with
//   --tombstones stored, against the same checks in process.
// Drains and closes are timed from when the last job ran or the last request closed (the
// task and transition timestamps, the floor's own counter), not by polling.
//
//   npm run bench:erasure -- [--people 1000] [--e2e 200] [--concurrency 64] [--tombstones 1000000] [--warmup 200] [--pool 40]
//
// --warmup erases that many other people first, unmeasured, so the measured round runs
// compiled code as a long-running worker does; the floor has an unmeasured drain too.
//
// --concurrency sets both sides: SOURCE_CONCURRENCY and REQUEST_CONCURRENCY of the
// gateway, and the no-op workers' concurrency. The floor is drained three times and its
// median taken: one drain lasts under a second, and this machine is shared.
//
// BENCH_PROFILE=file.cpuprofile writes a CPU profile of the workers' phase.
//
// Needs Redis (REDIS_URL or redis://127.0.0.1:6379) and the local PostgreSQL.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { demoSourceConfigs } from '../../connectors/demo-sources.js';
import { startTrainingThread } from './support/threads.js';
import { startThrowawayGateway } from '../../src/identity/evaluation/throwaway-gateway.js';
import { seedReferenceSources } from '../../src/population/seed.js';
import { startWorkers } from '../../jobs/workers.js';
import { QueueNames } from '../../jobs/queue-names.js';
import { IdentifierType as T } from '../../src/domain/vocabulary.js';
import { readGroundTruth } from '../../src/population/ground-truth.js';
import { personAt } from '../../src/population/person.js';
import { percentile } from '../../src/identity/evaluation/metrics.js';
import { plannedTasks } from '../../src/execution/task-plan.js';
import type { Identifier } from '../../connectors/contract.js';
import { feedShapes, measureFeed } from './support/tombstone-feed.js';
import { profilePhase } from './support/profile.js';
import { measureMachineCpu, perUnit, type MachineCpu } from './support/machine-cpu.js';
import type { Services } from '../../src/app/services.js';
import { decideByDiscovery, insertApprovedRequest, type FixtureDecision } from '../support/requests-fixture.js';
import { removeQueueKeys } from '../support/redis-cleanup.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const PEOPLE = Number(arg('people', '1000'));
const CONCURRENCY = arg('concurrency', '64');
const TOMBSTONES = Number(arg('tombstones', '1000000'));
const WARMUP = Number(arg('warmup', '200'));
const E2E = Number(arg('e2e', '200'));
/** The gateway's PostgreSQL pool; a server shared with other work may need fewer. */
const POOL = arg('pool', '40');
const SEED = 5;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SOURCES = ['case_management', 'clinic', 'training', 'concierge', 'recruitment', 'cctv'];
/** The median of three runs (the middle one by `by`). */
const middleOf = <T>(runs: readonly T[], by: (run: T) => number): T => [...runs].sort((a, b) => by(a) - by(b))[Math.floor(runs.length / 2)]!;

/** Executes the requests as handlers approving them would: 16 executions in flight. */
async function executeAll(s: Services, requests: string[]): Promise<void> {
  const pending = [...requests];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let id = pending.shift(); id; id = pending.shift()) await s.execution.execute(id, 'bench');
    }),
  );
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A counter that notes the moment it reaches `target`: drains are timed to the last job's
 * own run, not rounded up to the next poll.
 */
function countTo(target: number): { tick(): void; reached: Promise<number> } {
  let n = 0;
  let done!: (at: number) => void;
  const reached = new Promise<number>((resolve) => (done = resolve));
  return { tick: () => void (++n === target && done(performance.now())), reached };
}

async function within<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('benchmark timed out')), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** This process's CPU time since `since`, in seconds (all its threads). */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Which application each PostgreSQL backend serves, to split PostgreSQL's CPU. */
const backendsOf = (s: Services) => async () =>
  new Map<number, string>(
    (await s.dataSource.query(`SELECT pid, application_name FROM pg_stat_activity`)).map((r: { pid: number; application_name: string }) => [
      r.pid,
      r.application_name,
    ]),
  );

interface FloorDrain {
  queued: number;
  drained: number;
  cpu: number;
  machine: MachineCpu | undefined;
}

/** One floor run: queue one no-op job per task on per-source queues, then time their drain. */
async function drainFloor(s: Services, name: string, shape: string[][]): Promise<FloorDrain> {
  const taskCount = shape.flat().length;
  const queues = SOURCES.map((src) => s.execution.queue(`${name}-${QueueNames.sourceTasks(src)}`));
  let t = performance.now();
  for (const [k, q] of queues.entries()) {
    const n = shape.flat().filter((src) => src === SOURCES[k]).length;
    for (let i = 0; i < n; i += 500)
      await q.addBulk(
        Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ name: 'noop', data: { taskId: `${i + j}` }, opts: { removeOnComplete: true } })),
      );
  }
  const queued = (performance.now() - t) / 1000;
  const done = countTo(taskCount);
  const stopMachine = await measureMachineCpu(backendsOf(s));
  const cpu = process.cpuUsage();
  t = performance.now();
  const workers = SOURCES.map((src) =>
    s.queues.worker(`${name}-${QueueNames.sourceTasks(src)}`, async () => done.tick(), { concurrency: Number(CONCURRENCY) }),
  );
  const drained = ((await within(done.reached, 600_000)) - t) / 1000;
  const used = cpuSeconds(cpu);
  const machine = await stopMachine();
  await Promise.all(workers.map((w) => w.close()));
  return { queued, drained, cpu: used, machine };
}

/**
 * The same no-op work in the erasure's shape: one flow per request, its parent on a
 * requests queue and one child per task on the task's source queue, children and parent
 * answered by no-op processors at the same concurrency. Shows what the flow structure
 * itself costs before any real work; timed like the floor (queue all, then drain).
 */
async function drainFlowFloor(s: Services, name: string, shape: string[][]): Promise<number> {
  const requestsQueue = `${name}-requests`;
  const producer = s.queues.flowProducer();
  for (let i = 0; i < shape.length; i += 100) {
    await producer.addBulk(
      shape.slice(i, i + 100).map((sources, k) => ({
        name: 'noop-parent',
        queueName: requestsQueue,
        data: { requestId: `${i + k}` },
        opts: { removeOnComplete: true },
        children: sources.map((src, j) => ({
          name: 'noop',
          queueName: `${name}-${QueueNames.sourceTasks(src)}`,
          data: { taskId: `${i + k}-${j}` },
          opts: { removeOnComplete: true },
        })),
      })),
    );
  }
  await producer.close();
  const parents = countTo(shape.length);
  const t = performance.now();
  const options = { concurrency: Number(CONCURRENCY) };
  const workers = [
    s.queues.worker(requestsQueue, async () => parents.tick(), options),
    ...SOURCES.map((src) => s.queues.worker(`${name}-${QueueNames.sourceTasks(src)}`, async () => undefined, options)),
  ];
  const drained = ((await within(parents.reached, 600_000)) - t) / 1000;
  await Promise.all(workers.map((w) => w.close()));
  return shape.flat().length / drained;
}

/**
 * Where the CPU of the whole machine went, per task and per no-op job, and what that
 * allows: a side cannot go faster than its main thread's CPU per task allows, nor than the
 * machine's cores allow for its CPU per task in all processes together.
 */
function reportMachineCpu(tasks: MachineCpu, floor: MachineCpu, taskCount: number, floorRate: number): void {
  const ms = (v: number) => v.toFixed(2);
  const sides = [tasks, floor].map((cpu) => ({ cpu, u: perUnit(cpu, taskCount) }));
  const line = ({ cpu, u }: (typeof sides)[number]) =>
    `main thread ${ms(u.mainThread)}, its other threads ${ms(u.otherThreads)}, PostgreSQL ${ms(u.pgGateway)} for the gateway + ${ms(u.pgSources)} for the sources + ${ms(u.pgOther)} its own, Redis ${ms(u.redis)}, other ${ms(u.other)}; total ${ms(u.total)} (machine ${(cpu.busy * 100).toFixed(0)} % busy)`;
  const bound = ({ cpu, u }: (typeof sides)[number]) => Math.min(1000 / u.mainThread, (1000 * cpu.cores) / u.total);
  const [erasure, noop] = sides as [(typeof sides)[number], (typeof sides)[number]];
  const budget = (1000 * tasks.cores) / (0.5 * floorRate);
  console.log(`  machine CPU per task, ms (${tasks.cores} cores shared by the gateway, PostgreSQL, Redis and the sources):`);
  console.log(`    erasure: ${line(erasure)}`);
  console.log(`    floor:   ${line(noop)}`);
  console.log(`    what the CPU allows: erasure ≤ ${bound(erasure).toFixed(0)} tasks/s, floor ≤ ${bound(noop).toFixed(0)} jobs/s`);
  console.log(
    `    at 0.5× the floor (${(0.5 * floorRate).toFixed(0)} tasks/s) the machine has ${ms(budget)} ms of CPU per task; PostgreSQL and Redis alone use ${ms(erasure.u.postgresAndRedis)}`,
  );
}

/** What a person gives in their request: name, date of birth and email. */
function identifiersOf(index: number): Identifier[] {
  const p = personAt(SEED, index);
  return [
    { type: T.GIVEN_NAME, value: p.givenName },
    { type: T.FAMILY_NAME, value: p.familyName },
    { type: T.DATE_OF_BIRTH, value: p.dateOfBirth },
    { type: T.EMAIL, value: p.email },
  ];
}

/** The wall-clock time (ms) of the latest timestamp a statement returns as `at`. */
async function latest(s: Services, sql: string, params: unknown[]): Promise<number> {
  const [row] = await s.dataSource.query(sql, params);
  return new Date(row.at).getTime();
}

async function main(): Promise<void> {
  const secret = randomBytes(24).toString('base64url');
  const prefix = `dsrbench${randomBytes(3).toString('hex')}`;
  const env = {
    DSR_SOURCE_SECRET_TRAINING: secret,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    SOURCE_CONCURRENCY: CONCURRENCY,
    REQUEST_CONCURRENCY: CONCURRENCY,
    SOURCE_RATE_MAX: '1000000',
    SCHEDULERS: 'false',
    DATABASE_POOL_SIZE: POOL,
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000',
  };
  Object.assign(process.env, env);
  const gateway = await startThrowawayGateway({ prefix: 'dsr_bench_erasure', env });
  const footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-bench-footage-'));
  const truthPath = path.join(footageDir, 'truth.csv');
  let training: { baseUrl: string; close(): Promise<void> } | undefined;
  try {
    const s = gateway.runtime.services;
    // CCTV's footage files are written too: erasing a visit removes real files.
    const population = Math.max((PEOPLE + WARMUP + E2E) * 2, 2000);
    const seeded = await seedReferenceSources({ url: gateway.databaseUrl, people: population, seed: SEED, footageDir, groundTruthPath: truthPath });
    // The training system is another system: its connector service runs on its own thread.
    training = await startTrainingThread(gateway.databaseUrl, secret);
    for (const c of demoSourceConfigs({ databaseUrl: gateway.databaseUrl, footageDir, trainingBaseUrl: training.baseUrl }))
      await s.sources.register(c, 'bench');
    console.log(
      `population ${population} people; records about a person held per source (counted by the seeder): ${SOURCES.map((src) => `${src} ${seeded.records[src] ?? 0}`).join(', ')}`,
    );

    // Requests of real people: those the sources hold records of, each decided by discovery
    // and the rules as a handler would approve it. A person whose records another chosen
    // person's request already covers is left out, so no record is in two requests.
    const holders = new Set<number>();
    for await (const e of readGroundTruth(truthPath)) holders.add(Number(e.personId.slice(1)));
    const candidates = [...holders].sort((x, y) => x - y);
    const planned = new Set<string>();
    const shapeOf = new Map<string, string[]>();
    let cursor = 0;
    let invalid = 0;
    const approve = async (n: number) => {
      const requests: string[] = [];
      while (requests.length < n) {
        if (cursor >= candidates.length) throw new Error(`the population has too few people with records for ${n} requests`);
        const identifiers = identifiersOf(candidates[cursor++]!);
        let decisions: FixtureDecision[];
        try {
          ({ decisions } = await decideByDiscovery(s, identifiers));
        } catch (error) {
          // The synthetic population has a few dates of birth after today: no one could ask with those.
          if ((error as { code?: string }).code !== 'INVALID_IDENTIFIER') throw error;
          invalid++;
          continue;
        }
        const keys = decisions.map((d) => `${d.sourceId}/${d.recordId}`);
        const tasks = plannedTasks(decisions as (FixtureDecision & { action: string })[]);
        if (tasks.length === 0 || keys.some((k) => planned.has(k))) continue;
        for (const k of keys) planned.add(k);
        const id = await insertApprovedRequest(s, { identifiers, decisions });
        shapeOf.set(
          id,
          tasks.map((t) => t.sourceId),
        );
        requests.push(id);
      }
      return requests;
    };
    const warmup = await approve(WARMUP);
    const requests = await approve(PEOPLE);
    const e2eRequests = await approve(E2E);
    console.log(
      `requests of ${WARMUP + PEOPLE + E2E} people from the first ${cursor} with records (the others' records were in a chosen request already, or their date of birth is after today: ${invalid})`,
    );
    // The measured requests' shape (the source of each task), which the floor and the no-op flows copy.
    const shape = requests.map((id) => shapeOf.get(id)!);
    const taskCount = shape.flat().length;
    const notClosed = async (among: string[]) =>
      (
        await s.dataSource.query(`SELECT count(*)::int AS n FROM data_subject_request WHERE id = ANY($1::uuid[]) AND status IN ('EXECUTING', 'APPROVED')`, [
          among,
        ])
      )[0].n as number;
    /** When the last of `among` left EXECUTING (its verified close), from the transitions. */
    const lastClosed = (among: string[]) =>
      latest(s, `SELECT max(at) AS at FROM request_transition WHERE request_id = ANY($1::uuid[]) AND from_status = 'EXECUTING'`, [among]);
    const statusesOf = async (among: string[]) =>
      JSON.stringify(
        await s.dataSource.query(`SELECT status, count(*)::int AS n FROM data_subject_request WHERE id = ANY($1::uuid[]) GROUP BY status ORDER BY status`, [
          among,
        ]),
      );

    // Warm-up: a worker runs for hours, so the code it runs is compiled by the time it
    // matters. A first round of other people lets the JIT compile the erasure path before
    // the measured round (the floor warms up in its first drain).
    if (warmup.length > 0) {
      await executeAll(s, warmup);
      const workers = startWorkers(s);
      await waitUntil(async () => (await notClosed(warmup)) === 0, 600_000);
      await Promise.all(workers.map((w) => w.close()));
      console.error(`[${new Date().toISOString()}] warm-up: ${warmup.length} people erased`);
    }

    // The floor: BullMQ no-op jobs on the same backend, same per-source queues and
    // concurrency. Both sides are timed the same way: queue everything, then start the
    // workers and time the drain.
    await drainFloor(s, 'floor-warmup', shape);
    const floorDrains: FloorDrain[] = [];
    for (let round = 0; round < 3; round++) floorDrains.push(await drainFloor(s, `floor${round}`, shape));
    // The median by drain time; the drains themselves are reported in the order they ran.
    const { queued: floorQueueSeconds, drained: floorSeconds, cpu: floorCpu, machine: floorMachine } = middleOf(floorDrains, (d) => d.drained);
    const floorRates = floorDrains.map((d) => (taskCount / d.drained).toFixed(0)).join(', ');
    console.error(`[${new Date().toISOString()}] floor drains (jobs/s, in run order): ${floorRates}`);
    await drainFlowFloor(s, 'flows-warmup', shape);
    const flowRates: number[] = [];
    for (let round = 0; round < 3; round++) flowRates.push(await drainFlowFloor(s, `flows${round}`, shape));
    const flowFloor = middleOf(flowRates, (r) => r);
    console.error(`[${new Date().toISOString()}] no-op flow drains (tasks/s, in run order): ${flowRates.map((r) => r.toFixed(0)).join(', ')}`);

    // The drain. Handlers approve requests concurrently in practice: 16 executions in flight.
    let t = performance.now();
    await executeAll(s, requests);
    const queuedSeconds = (performance.now() - t) / 1000;
    console.error(`[${new Date().toISOString()}] executions queued; workers start`);
    const stopProfile = await profilePhase();
    const stopMachine = await measureMachineCpu(backendsOf(s));
    const cpu = process.cpuUsage();
    const started = Date.now();
    const workers = startWorkers(s);
    await waitUntil(async () => {
      const [row] = await s.dataSource.query(
        `SELECT count(*)::int AS n FROM task WHERE request_id = ANY($1::uuid[]) AND status NOT IN ('SUCCEEDED', 'FAILED')`,
        [requests],
      );
      return row.n === 0;
    }, 1_800_000);
    const taskCpu = cpuSeconds(cpu);
    const taskMachine = await stopMachine();
    const taskSeconds = ((await latest(s, `SELECT max(finished_at) AS at FROM task WHERE request_id = ANY($1::uuid[])`, [requests])) - started) / 1000;
    console.error(`[${new Date().toISOString()}] every task finished`);
    await waitUntil(async () => (await notClosed(requests)) === 0, 1_800_000);
    const closeSeconds = ((await lastClosed(requests)) - started) / 1000;
    console.error(`[${new Date().toISOString()}] every request closed`);
    await stopProfile();
    const tasks = await s.dataSource.query(
      `SELECT status, count(*)::int AS n, sum(applied_count)::int AS applied FROM task WHERE request_id = ANY($1::uuid[]) GROUP BY status ORDER BY status`,
      [requests],
    );
    // When each source's last task finished, counted from the first task started: shows a source that lags.
    const bySource: { source_id: string; n: number; seconds: number }[] = await s.dataSource.query(
      `SELECT source_id, count(*)::int AS n, extract(epoch FROM max(finished_at) - (SELECT min(started_at) FROM task WHERE request_id = ANY($1::uuid[])))::float8 AS seconds
         FROM task WHERE request_id = ANY($1::uuid[]) GROUP BY source_id ORDER BY source_id`,
      [requests],
    );
    const drainStatuses = await statusesOf(requests);

    // End to end, as a handler sees it: the workers are running (warm, as in service), the
    // requests are executed 16 at a time, and each is done when it closed after verification.
    const e2eStart = Date.now();
    await executeAll(s, e2eRequests);
    await waitUntil(async () => (await notClosed(e2eRequests)) === 0, 1_800_000);
    const e2eSeconds = ((await lastClosed(e2eRequests)) - e2eStart) / 1000;
    const e2eTasks = (await s.dataSource.query(`SELECT count(*)::int AS n FROM task WHERE request_id = ANY($1::uuid[])`, [e2eRequests]))[0].n as number;
    const perRequest: number[] = (
      await s.dataSource.query(
        `SELECT extract(epoch FROM c.at - e.at)::float8 * 1000 AS ms
           FROM request_transition e JOIN request_transition c ON c.request_id = e.request_id AND c.from_status = 'EXECUTING'
          WHERE e.request_id = ANY($1::uuid[]) AND e.to_status = 'EXECUTING'`,
        [e2eRequests],
      )
    ).map((r: { ms: number }) => r.ms);
    const e2eStatuses = await statusesOf(e2eRequests);
    await Promise.all(workers.map((w) => w.close()));

    const floor = taskCount / floorSeconds;
    const taskTps = taskCount / taskSeconds;
    const endToEnd = taskCount / (queuedSeconds + closeSeconds);
    const floorEndToEnd = taskCount / (floorQueueSeconds + floorSeconds);
    console.log(
      `erasure: ${PEOPLE} people's requests (name, date of birth, email; their records found by discovery, decided by the rules), ${taskCount} tasks over ${SOURCES.length} sources, concurrency ${CONCURRENCY} per source, backend redis`,
    );
    console.log(`  requests: ${drainStatuses}  tasks: ${JSON.stringify(tasks)}`);
    console.log(`  last task finished, per source: ${bySource.map((r) => `${r.source_id} ${r.seconds.toFixed(2)} s (${r.n})`).join(', ')}`);
    console.log(
      `  executions (tombstones, tasks, flows; 16 at a time): ${queuedSeconds.toFixed(1)} s = ${(requests.length / queuedSeconds).toFixed(0)} requests/s`,
    );
    console.log(
      `  tasks (workers started → last task finished, from the task rows): ${taskSeconds.toFixed(2)} s = ${taskTps.toFixed(0)} tasks/s; gateway process CPU ${taskCpu.toFixed(1)} s (its threads, one of them the training system's)`,
    );
    console.log(`  verified close (workers started → last request closed after re-discovery, from the transitions): ${closeSeconds.toFixed(2)} s`);
    console.log(
      `  floor (BullMQ no-op jobs, same queues/concurrency, timed to the last job's run; median of ${floorRates} in run order): queued in ${floorQueueSeconds.toFixed(1)} s, drained in ${floorSeconds.toFixed(3)} s = ${floor.toFixed(0)} jobs/s`,
    );
    const perTask = (seconds: number) => `${((seconds * 1000) / taskCount).toFixed(2)} ms`;
    console.log(
      `  no-op flows of the same shape (a parent per request, a child per task; median of ${flowRates.map((r) => r.toFixed(0)).join(', ')} in run order): ${flowFloor.toFixed(0)} tasks/s = ${(flowFloor / floor).toFixed(2)}× the floor; the erasure is ${(taskTps / flowFloor).toFixed(2)}× of them`,
    );
    console.log(
      `  gateway process CPU per task ${perTask(taskCpu)} (with verification of the requests finishing meanwhile) against ${perTask(floorCpu)} per no-op job`,
    );
    if (taskMachine && floorMachine) reportMachineCpu(taskMachine, floorMachine, taskCount, floor);
    console.log(
      `  ratio: tasks ${(taskTps / floor).toFixed(2)}× the floor (goal ≥ 0.5×); queue + drain + verified close against queue + drain of the floor ${(endToEnd / floorEndToEnd).toFixed(2)}×`,
    );
    console.log(
      `end to end (workers running; executeRequest → closed after verification): ${E2E} other people's requests, ${e2eTasks} tasks, 16 executions at a time`,
    );
    console.log(
      `  requests: ${e2eStatuses}; all closed ${e2eSeconds.toFixed(2)} s after the first execute = ${(E2E / e2eSeconds).toFixed(0)} requests/s, ${(e2eTasks / e2eSeconds).toFixed(0)} tasks/s`,
    );
    console.log(
      `  each request, execute → verified close: p50 ${percentile(perRequest, 50).toFixed(0)} ms, p95 ${percentile(perRequest, 95).toFixed(0)} ms, max ${Math.max(...perRequest).toFixed(0)} ms`,
    );

    // Tombstone checks over HTTP with TOMBSTONES stored (synthetic ones, besides those of the people erased above).
    t = performance.now();
    await s.dataSource.query(
      `INSERT INTO tombstone (kid, kind, hash, request_id, erased_at)
       SELECT 't1', 'EMAIL', encode(sha256(('synthetic' || g)::bytea), 'base64'), $1, now() FROM generate_series(1, $2) g
       ON CONFLICT DO NOTHING`,
      [requests[0], TOMBSTONES],
    );
    await s.dataSource.query('ANALYZE tombstone');
    const loadSeconds = (performance.now() - t) / 1000;
    const { clearKey } = await s.apiKeys.create({ name: 'bench feed', roles: ['CONNECTOR'], controllerIds: [] });
    console.log(
      `tombstones: ${TOMBSTONES} synthetic stored in ${loadSeconds.toFixed(1)} s, besides the erased people's; POST /v1/tombstones/check with a CONNECTOR key, one call at a time as a feed makes them, then the same batches in process`,
    );
    const feeds = [];
    for (const shape of feedShapes(SEED, population, 50)) {
      await measureFeed(s, gateway.url, clearKey, { name: 'warm-up', batches: shape.batches.slice(0, 5) });
      const f = await measureFeed(s, gateway.url, clearKey, shape);
      feeds.push(f);
      const http = f.identifiers / f.httpSeconds;
      console.log(`  ${f.shape}: ${f.calls} calls, ${f.people} people, ${f.identifiers} identifiers, ${f.hits} people tombstoned`);
      console.log(
        `    over HTTP ${f.httpSeconds.toFixed(2)} s = ${http.toFixed(0)} identifiers/s, ${(f.people / f.httpSeconds).toFixed(0)} people/s, ${((f.httpSeconds * 1000) / f.calls).toFixed(1)} ms per call (goal ≥ 20,000 identifiers/s: ${(http / 20000).toFixed(2)}×)`,
      );
      console.log(
        `    in process ${(f.identifiers / f.inProcessSeconds).toFixed(0)} identifiers/s; HTTP takes ${(f.httpSeconds / f.inProcessSeconds).toFixed(2)}× the in-process time`,
      );
    }
    const machine = taskMachine ? perUnit(taskMachine, taskCount) : undefined;
    console.log(
      JSON.stringify({
        bench: 'erasure',
        people: PEOPLE,
        tasks: taskCount,
        concurrency: Number(CONCURRENCY),
        recordsPerSource: seeded.records,
        tasksPerSecond: Math.round(taskTps),
        floorJobsPerSecond: Math.round(floor),
        ratio: +(taskTps / floor).toFixed(3),
        noopFlowTasksPerSecond: Math.round(flowFloor),
        ratioToNoopFlows: +(taskTps / flowFloor).toFixed(3),
        endToEndRequests: E2E,
        endToEndSeconds: +e2eSeconds.toFixed(2),
        endToEndP50Ms: Math.round(percentile(perRequest, 50)),
        endToEndP95Ms: Math.round(percentile(perRequest, 95)),
        machineCpuMsPerTask: machine ? +machine.total.toFixed(3) : null,
        postgresAndRedisMsPerTask: machine ? +machine.postgresAndRedis.toFixed(3) : null,
        tombstonesStored: TOMBSTONES,
        tombstoneHttpIdentifiersPerSecond: Object.fromEntries(feeds.map((f) => [f.shape, Math.round(f.identifiers / f.httpSeconds)])),
        tombstoneInProcessIdentifiersPerSecond: Object.fromEntries(feeds.map((f) => [f.shape, Math.round(f.identifiers / f.inProcessSeconds)])),
      }),
    );
  } finally {
    await training?.close();
    await gateway.stop();
    await rm(footageDir, { recursive: true, force: true });
    await removeQueueKeys(REDIS_URL, prefix);
  }
}

await main();
process.exit(0);
