// Erasure benchmark (issue 6): erase N people across the six reference sources through
// the real path (execute → flows → per-source workers → connectors → finalise with
// re-discovery), and compare tasks/s with the floor: BullMQ's own no-op job throughput
// on the same backend, same queues and concurrency, in the same run. Then tombstone
// checks per second with 1M tombstones stored (batches of 1,000 identifiers).
//
//   npm run bench:erasure -- [--people 1000] [--concurrency 64] [--tombstones 1000000] [--warmup 200]
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
import { IdentifierType as T, RecordAction } from '../../src/domain/vocabulary.js';
import { checkPeople } from '../../src/tombstones/tombstone-check.js';
import { profilePhase } from './support/profile.js';
import { measureMachineCpu, perUnit, type MachineCpu } from './support/machine-cpu.js';
import type { Services } from '../../src/app/services.js';
import { insertApprovedRequest, type FixtureDecision } from '../support/requests-fixture.js';
import { removeQueueKeys } from '../support/redis-cleanup.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const PEOPLE = Number(arg('people', '1000'));
const CONCURRENCY = arg('concurrency', '64');
const TOMBSTONES = Number(arg('tombstones', '1000000'));
const WARMUP = Number(arg('warmup', '200'));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SOURCES = ['case_management', 'clinic', 'training', 'concierge', 'recruitment', 'cctv'];
/** What the decisions of each source say (clinic: held, so restricted). */
const ACTION: Record<string, RecordAction> = {
  case_management: RecordAction.ERASE,
  clinic: RecordAction.RESTRICT,
  training: RecordAction.ERASE,
  concierge: RecordAction.ERASE,
  recruitment: RecordAction.MINIMISE,
  cctv: RecordAction.PURGE,
};
const TABLE: Record<string, string> = {
  case_management: 'cases',
  clinic: 'patients',
  training: 'learners',
  concierge: 'members',
  recruitment: 'candidates',
  cctv: 'visits',
};

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** The median of three runs (the middle one by `by`). */
const middleOf = <T>(runs: readonly T[], by: (run: T) => number): T => [...runs].sort((a, b) => by(a) - by(b))[Math.floor(runs.length / 2)]!;

/** Executes the requests as handlers approving them would: 16 executions in flight. */
async function executeAll(s: Services, requests: string[]): Promise<void> {
  const pending = [...requests];
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let id = pending.shift(); id; id = pending.shift()) await s.execution.execute(id, 'bench');
  }));
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** This process's CPU time since `since`, in seconds (all its threads). */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Which application each PostgreSQL backend serves, to split PostgreSQL's CPU. */
const backendsOf = (s: Services) => async () =>
  new Map<number, string>((await s.dataSource.query(`SELECT pid, application_name FROM pg_stat_activity`)).map((r: { pid: number; application_name: string }) => [r.pid, r.application_name]));

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
    const n = shape.filter((sources) => sources.includes(SOURCES[k]!)).length;
    for (let i = 0; i < n; i += 500) await q.addBulk(Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ name: 'noop', data: { taskId: `${i + j}` }, opts: { removeOnComplete: true } })));
  }
  const queued = (performance.now() - t) / 1000;
  let done = 0;
  const stopMachine = await measureMachineCpu(backendsOf(s));
  const cpu = process.cpuUsage();
  t = performance.now();
  const workers = SOURCES.map((src) => s.queues.worker(`${name}-${QueueNames.sourceTasks(src)}`, async () => { done++; }, { concurrency: Number(CONCURRENCY) }));
  await waitUntil(async () => done >= taskCount, 600_000);
  const drained = (performance.now() - t) / 1000;
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
        children: sources.map((src, j) => ({ name: 'noop', queueName: `${name}-${QueueNames.sourceTasks(src)}`, data: { taskId: `${i + k}-${j}` }, opts: { removeOnComplete: true } })),
      })),
    );
  }
  await producer.close();
  let parents = 0;
  const t = performance.now();
  const options = { concurrency: Number(CONCURRENCY) };
  const workers = [
    s.queues.worker(requestsQueue, async () => { parents++; }, options),
    ...SOURCES.map((src) => s.queues.worker(`${name}-${QueueNames.sourceTasks(src)}`, async () => undefined, options)),
  ];
  await waitUntil(async () => parents >= shape.length, 600_000);
  const drained = (performance.now() - t) / 1000;
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
  console.log(`    at 0.5× the floor (${(0.5 * floorRate).toFixed(0)} tasks/s) the machine has ${ms(budget)} ms of CPU per task; PostgreSQL and Redis alone use ${ms(erasure.u.postgresAndRedis)}`);
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
    DATABASE_POOL_SIZE: '40',
  };
  Object.assign(process.env, env);
  const gateway = await startThrowawayGateway({ prefix: 'dsr_bench_erasure', env });
  const footageDir = await mkdtemp(path.join(os.tmpdir(), 'dsr-bench-footage-'));
  let training: { baseUrl: string; close(): Promise<void> } | undefined;
  try {
    const s = gateway.runtime.services;
    // CCTV's footage files are written too: erasing a visit removes real files.
    await seedReferenceSources({ url: gateway.databaseUrl, people: Math.max(PEOPLE * 2, 2000), seed: 5, footageDir });
    // The training system is another system: its connector service runs on its own thread.
    training = await startTrainingThread(gateway.databaseUrl, secret);
    for (const c of demoSourceConfigs({ databaseUrl: gateway.databaseUrl, footageDir, trainingBaseUrl: training.baseUrl })) await s.sources.register(c, 'bench');

    // One record per source per person: PEOPLE requests, up to 6 tasks each, and WARMUP more
    // people (other records) for the warm-up round.
    const ids: Record<string, string[]> = {};
    for (const src of SOURCES) {
      ids[src] = (await s.dataSource.query(`SELECT id FROM ${src}.${TABLE[src]} ORDER BY id LIMIT $1`, [PEOPLE + WARMUP])).map((r: { id: string }) => r.id);
    }
    // Which sources have a record for person i: the shape of that person's request.
    const sourcesOf = (i: number) => SOURCES.filter((src) => ids[src]![i]);
    const approve = async (people: number[]) => {
      const requests: string[] = [];
      for (const i of people) {
        const decisions: FixtureDecision[] = sourcesOf(i).map((src) => ({ sourceId: src, recordId: ids[src]![i]!, action: ACTION[src]! }));
        requests.push(await insertApprovedRequest(s, { identifiers: [{ type: T.EMAIL, value: `bench${i}@example.invalid` }], decisions }));
      }
      return requests;
    };
    const requests = await approve(range(0, PEOPLE));
    const warmup = await approve(range(PEOPLE, PEOPLE + WARMUP));
    // The measured requests' shape, which the floor and the no-op flows copy.
    const shape = range(0, PEOPLE).map(sourcesOf);
    const taskCount = shape.flat().length;
    const notClosed = async (among: string[]) =>
      (await s.dataSource.query(`SELECT count(*)::int AS n FROM data_subject_request WHERE id = ANY($1::uuid[]) AND status IN ('EXECUTING', 'APPROVED')`, [among]))[0].n as number;

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

    // The real thing. Handlers approve requests concurrently in practice: 16 executions in flight.
    let t = performance.now();
    await executeAll(s, requests);
    const queuedSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    console.error(`[${new Date().toISOString()}] executions queued; workers start`);
    const stopProfile = await profilePhase();
    const stopMachine = await measureMachineCpu(backendsOf(s));
    const cpu = process.cpuUsage();
    const workers = startWorkers(s);
    await waitUntil(async () => {
      const [row] = await s.dataSource.query(`SELECT count(*)::int AS n FROM task WHERE request_id = ANY($1::uuid[]) AND status NOT IN ('SUCCEEDED', 'FAILED')`, [requests]);
      return row.n === 0;
    }, 1_800_000);
    const taskSeconds = (performance.now() - t) / 1000;
    const taskCpu = cpuSeconds(cpu);
    const taskMachine = await stopMachine();
    console.error(`[${new Date().toISOString()}] every task finished`);
    await waitUntil(async () => (await notClosed(requests)) === 0, 1_800_000);
    const closeSeconds = (performance.now() - t) / 1000;
    console.error(`[${new Date().toISOString()}] every request closed`);
    await stopProfile();
    const statuses = await s.dataSource.query(`SELECT status, count(*)::int AS n FROM data_subject_request WHERE id = ANY($1::uuid[]) GROUP BY status ORDER BY status`, [requests]);
    const tasks = await s.dataSource.query(`SELECT status, count(*)::int AS n, sum(applied_count)::int AS applied FROM task WHERE request_id = ANY($1::uuid[]) GROUP BY status ORDER BY status`, [requests]);
    // When each source's last task finished, counted from the first task started: shows a source that lags.
    const bySource: { source_id: string; n: number; seconds: number }[] = await s.dataSource.query(
      `SELECT source_id, count(*)::int AS n, extract(epoch FROM max(finished_at) - (SELECT min(started_at) FROM task WHERE request_id = ANY($1::uuid[])))::float8 AS seconds
         FROM task WHERE request_id = ANY($1::uuid[]) GROUP BY source_id ORDER BY source_id`,
      [requests],
    );
    await Promise.all(workers.map((w) => w.close()));

    const floor = taskCount / floorSeconds;
    const taskTps = taskCount / taskSeconds;
    const endToEnd = taskCount / (queuedSeconds + closeSeconds);
    const floorEndToEnd = taskCount / (floorQueueSeconds + floorSeconds);
    console.log(`erasure: ${PEOPLE} people, ${taskCount} tasks over ${SOURCES.length} sources, concurrency ${CONCURRENCY} per source, backend redis`);
    console.log(`  requests: ${JSON.stringify(statuses)}  tasks: ${JSON.stringify(tasks)}`);
    console.log(`  last task finished, per source: ${bySource.map((r) => `${r.source_id} ${r.seconds.toFixed(2)} s (${r.n})`).join(', ')}`);
    console.log(`  executions (tombstones, tasks, flows; 16 at a time): ${queuedSeconds.toFixed(1)} s = ${(requests.length / queuedSeconds).toFixed(0)} requests/s`);
    console.log(`  tasks (workers started → every task finished): ${taskSeconds.toFixed(1)} s = ${taskTps.toFixed(0)} tasks/s; gateway process CPU ${taskCpu.toFixed(1)} s (its threads, one of them the training system's)`);
    console.log(`  verified close (workers started → every request closed after re-discovery): ${closeSeconds.toFixed(1)} s`);
    console.log(`  floor (BullMQ no-op jobs, same queues/concurrency; median of ${floorRates} in run order): queued in ${floorQueueSeconds.toFixed(1)} s, drained in ${floorSeconds.toFixed(2)} s = ${floor.toFixed(0)} jobs/s`);
    const perTask = (seconds: number) => `${((seconds * 1000) / taskCount).toFixed(2)} ms`;
    console.log(`  no-op flows of the same shape (a parent per request, a child per task; median of ${flowRates.map((r) => r.toFixed(0)).join(', ')} in run order): ${flowFloor.toFixed(0)} tasks/s = ${(flowFloor / floor).toFixed(2)}× the floor; the erasure is ${(taskTps / flowFloor).toFixed(2)}× of them`);
    console.log(`  gateway process CPU per task ${perTask(taskCpu)} (with verification of the requests finishing meanwhile) against ${perTask(floorCpu)} per no-op job`);
    if (taskMachine && floorMachine) reportMachineCpu(taskMachine, floorMachine, taskCount, floor);
    console.log(`  ratio: tasks ${(taskTps / floor).toFixed(2)}× the floor (goal ≥ 0.5×); end to end (execute + tasks + verification vs queue + drain) ${(endToEnd / floorEndToEnd).toFixed(2)}×`);

    // Tombstone checks with TOMBSTONES stored.
    t = performance.now();
    await s.dataSource.query(
      `INSERT INTO tombstone (kid, kind, hash, request_id, erased_at)
       SELECT 't1', 'EMAIL', encode(sha256(('synthetic' || g)::bytea), 'base64'), $1, now() FROM generate_series(1, $2) g
       ON CONFLICT DO NOTHING`,
      [requests[0], TOMBSTONES],
    );
    await s.dataSource.query('ANALYZE tombstone');
    const loadSeconds = (performance.now() - t) / 1000;
    const batches = 50;
    t = performance.now();
    let hits = 0;
    for (let b = 0; b < batches; b++) {
      const identifiers = Array.from({ length: 1000 }, (_, i) => ({ type: T.EMAIL, value: i % 100 === 0 ? `bench${(b * 10 + i / 100) % PEOPLE}@example.invalid` : `x${b}-${i}@example.org` }));
      const result = await checkPeople(s.tombstones, [{ identifiers }], { controllerIds: null, everyController: true });
      hits += result.people[0]!.results.filter((r) => r.tombstoned).length;
    }
    const checkSeconds = (performance.now() - t) / 1000;
    const perSecond = (batches * 1000) / checkSeconds;
    console.log(`tombstones: ${TOMBSTONES} synthetic stored in ${loadSeconds.toFixed(1)} s; ${batches} batches of 1,000 identifiers in ${checkSeconds.toFixed(2)} s`);
    console.log(`  ${perSecond.toFixed(0)} identifiers/s (goal ≥ 20,000: ${(perSecond / 20000).toFixed(2)}×), ${hits} hits`);
    const machine = taskMachine ? perUnit(taskMachine, taskCount) : undefined;
    console.log(JSON.stringify({
      bench: 'erasure', people: PEOPLE, tasks: taskCount, concurrency: Number(CONCURRENCY),
      tasksPerSecond: Math.round(taskTps), floorJobsPerSecond: Math.round(floor), ratio: +(taskTps / floor).toFixed(3),
      noopFlowTasksPerSecond: Math.round(flowFloor), ratioToNoopFlows: +(taskTps / flowFloor).toFixed(3),
      machineCpuMsPerTask: machine ? +machine.total.toFixed(3) : null,
      postgresAndRedisMsPerTask: machine ? +machine.postgresAndRedis.toFixed(3) : null,
      tombstonesStored: TOMBSTONES, tombstoneIdentifiersPerSecond: Math.round(perSecond),
    }));
  } finally {
    await training?.close();
    await gateway.stop();
    await rm(footageDir, { recursive: true, force: true });
    await removeQueueKeys(REDIS_URL, prefix);
  }
}

await main();
process.exit(0);
