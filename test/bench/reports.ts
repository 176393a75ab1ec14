// Reports benchmark: `requestReport` over GraphQL (HTTP) on 100,000 generated requests
// spread over two years, for a one-year period, against the floor of one
// `SELECT count(*)` over the same request table in the same run. Prints p50/p95 of each
// and the ratio.
//
//   npm run build && node dist/test/bench/reports.js -- [--requests 100000] [--runs 30]
//
// The requests are generated with SQL (generate_series): every type, channel and four
// jurisdictions; ~3 transitions each, erasures with 3 tasks and a kept record, a discovery
// outcome with one failed source in 1 of 50. Throwaway database, dropped at the end.
import { performance } from 'node:perf_hooks';
import { percentile } from '../../src/identity/evaluation/metrics.js';
import { startThrowawayGateway } from '../../src/identity/evaluation/throwaway-gateway.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const REQUESTS = Number(arg('requests', '100000'));
const RUNS = Number(arg('runs', '30'));
const REPORT = `query R($from: DateTime!, $to: DateTime!) { requestReport(from: $from, to: $to) {
  volumes { type channel jurisdiction received closed openNow }
  timeliness { acknowledgedOnTimeShare answeredOnTimeShare medianDaysToAnswer p90DaysToAnswer extended overdueNow }
  erasureOutcomes { sourceId applied failed open retained { basis records } }
  discoveryFailures { sourceId failed timedOut } } }`;

const gw = await startThrowawayGateway({ prefix: 'dsr_bench_reports', env: { GRAPHQL_MAX_COST: '1000000' } });
try {
  const db = gw.runtime.services.dataSource;
  const started = performance.now();
  // Requests received over the two years before 2026-12-01, one every ~10 minutes.
  await db.query(
    `INSERT INTO data_subject_request (id, type, status, received_at, verified_at, acknowledge_by, acknowledged_at, due_at, extended_due_at,
       jurisdiction, channel, blind_index, discovery_outcome, created_by, version)
     SELECT gen_random_uuid(),
       (ARRAY['ACCESS','ERASURE','RECTIFICATION','RESTRICTION','OBJECTION'])[1 + i % 5],
       CASE WHEN i % 20 = 0 THEN 'IN_REVIEW' WHEN i % 17 = 0 THEN 'REJECTED' ELSE 'COMPLETED' END,
       ts, ts, ts + interval '7 days', ts + (i % 9) * interval '1 day', ts + interval '30 days',
       CASE WHEN i % 11 = 0 THEN ts + interval '90 days' END,
       (ARRAY['GB','FR','DE','US'])[1 + i % 4], (ARRAY['EMAIL','WEB_FORM','POST','PHONE'])[1 + i % 4 ], '{}',
       jsonb_build_object('complete', i % 50 <> 0, 'sources', jsonb_build_array(
         jsonb_build_object('sourceId', 'clinic', 'status', 'ANSWERED', 'errorCode', null, 'records', 1),
         jsonb_build_object('sourceId', 'cctv', 'status', CASE WHEN i % 50 = 0 THEN 'TIMED_OUT' ELSE 'ANSWERED' END, 'errorCode', null, 'records', 0))),
       'bench', 1
     FROM (SELECT i, timestamptz '2024-12-01' + (i::float / $1) * interval '730 days' AS ts FROM generate_series(1, $1) AS i) g`,
    [REQUESTS],
  );
  await db.query(
    `INSERT INTO request_transition (request_id, from_status, to_status, event, actor, at)
     SELECT id, NULL, 'RECEIVED', 'submit', 'bench', received_at FROM data_subject_request
     UNION ALL SELECT id, 'RECEIVED', 'IDENTITY_VERIFIED', 'verify', 'bench', received_at + interval '1 day' FROM data_subject_request
     UNION ALL SELECT id, 'EXECUTING', status, 'close', 'bench', received_at + (5 + (extract(epoch FROM received_at)::bigint % 40)) * interval '1 day'
       FROM data_subject_request WHERE status <> 'IN_REVIEW'`,
  );
  await db.query(
    `INSERT INTO task (request_id, source_id, record_id, action, status)
     SELECT r.id, s, 'rec-' || s, 'ERASE', CASE WHEN s = 'concierge' AND r.received_at::date = date '2025-06-01' THEN 'FAILED' ELSE 'SUCCEEDED' END
     FROM data_subject_request r, unnest(ARRAY['case_management','concierge','training']) AS s WHERE r.type = 'ERASURE' AND r.status <> 'IN_REVIEW'`,
  );
  await db.query(
    `INSERT INTO record_decision (request_id, source_id, record_id, action, computed_action, basis, reason)
     SELECT id, 'clinic', 'patient-1', 'RETAIN', 'RETAIN', 'Statutory retention of medical records', 'kept by law'
     FROM data_subject_request WHERE type = 'ERASURE'`,
  );
  await db.query('ANALYZE');
  const [{ n: transitions }] = (await db.query(`SELECT count(*)::int AS n FROM request_transition`)) as { n: number }[];
  const [{ n: tasks }] = (await db.query(`SELECT count(*)::int AS n FROM task`)) as { n: number }[];
  console.log(`generated ${REQUESTS} requests, ${transitions} transitions, ${tasks} tasks in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const period = { from: '2025-12-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
  const timeOf = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  // Warm both paths (plans, pool, schema) before measuring.
  const check = await gw.graphql<{ requestReport: { volumes: { received: number }[] } }>(REPORT, period);
  if (check.errors) throw new Error(JSON.stringify(check.errors));
  const received = check.data!.requestReport.volumes.reduce((n, v) => n + v.received, 0);
  await db.query(`SELECT count(*) FROM data_subject_request`);

  const report: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    report.push(await timeOf(() => gw.graphql(REPORT, period)));
    floor.push(await timeOf(() => db.query(`SELECT count(*) FROM data_subject_request`)));
  }
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(
    `one-year report (${received} requests received in it) over HTTP, ${RUNS} runs: p50 ${f(percentile(report, 50))}, p95 ${f(percentile(report, 95))}`,
  );
  console.log(`floor, SELECT count(*) over all ${REQUESTS} requests, same runs:        p50 ${f(percentile(floor, 50))}, p95 ${f(percentile(floor, 95))}`);
  console.log(`ratio report/floor at p95: ${(percentile(report, 95) / percentile(floor, 95)).toFixed(1)}x (goal: report p95 < 1 s)`);
  console.log(
    JSON.stringify({
      bench: 'reports',
      requests: REQUESTS,
      runs: RUNS,
      reportP50Ms: percentile(report, 50),
      reportP95Ms: percentile(report, 95),
      floorP95Ms: percentile(floor, 95),
    }),
  );
} finally {
  await gw.stop();
}
