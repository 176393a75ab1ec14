// The request report through the API, over requests whose dates and outcomes are known:
// volumes per type, channel and jurisdiction; acknowledgement and answer on time (R3, R4,
// R5); erasure outcomes per source with what was kept and why (R8); sources that failed
// discovery; the CSV download; who may read it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { bearer, startTestGateway, type TestGateway } from '../../support/runtime.js';
import { daysAfter, insertHandledRequest } from '../../support/report-fixture.js';

let gw: TestGateway;
let handler: Record<string, string>;

const FROM = new Date('2026-03-01T00:00:00Z');
const TO = new Date('2026-04-01T00:00:00Z');
const at = (day: number) => daysAfter(FROM, day);

const REPORT = `query R($from: DateTime!, $to: DateTime!) { requestReport(from: $from, to: $to) {
  volumes { type channel jurisdiction received closed openNow }
  timeliness { acknowledgementsDue acknowledgedOnTime acknowledgedOnTimeShare answered answeredOnTime answeredOnTimeShare medianDaysToAnswer p90DaysToAnswer extended overdueNow }
  erasureOutcomes { sourceId applied failed open retained { basis records } }
  discoveryFailures { sourceId failed timedOut } } }`;

interface Report {
  volumes: { type: string; channel: string; jurisdiction: string; received: number; closed: number; openNow: number }[];
  timeliness: Record<string, number | null>;
  erasureOutcomes: { sourceId: string; applied: number; failed: number; open: number; retained: { basis: string; records: number }[] }[];
  discoveryFailures: { sourceId: string; failed: number; timedOut: number }[];
}

beforeAll(async () => {
  gw = await startTestGateway({ worker: false });
  handler = await bearer(gw, ['HANDLER']);
  const db = gw.runtime.services.dataSource;
  // 1. ACCESS by email, acknowledged on day 2, answered on day 10: on time.
  await insertHandledRequest(db, {
    status: 'COMPLETED',
    receivedAt: at(0),
    acknowledgedAt: at(2),
    moves: [{ from: 'EXECUTING', to: 'COMPLETED', at: at(10) }],
  });
  // 2. ERASURE by web form, acknowledged late (day 9, due day 7), still executing: open, and past its due date (day 32) now.
  await insertHandledRequest(db, { type: 'ERASURE', channel: 'WEB_FORM', status: 'EXECUTING', receivedAt: at(2), acknowledgeBy: at(7), acknowledgedAt: at(9) });
  // 3. ERASURE received before the period, answered in it on day 5 (due day 4, extended to day 60: on time).
  await insertHandledRequest(db, {
    type: 'ERASURE',
    status: 'COMPLETED',
    receivedAt: at(-26),
    acknowledgedAt: at(-25),
    dueAt: at(4),
    extendedDueAt: at(60),
    // First answered PARTIALLY_COMPLETED on day 5, completed on day 20: answered once, on day 5.
    moves: [
      { from: 'EXECUTING', to: 'PARTIALLY_COMPLETED', at: at(5) },
      { from: 'PARTIALLY_COMPLETED', to: 'COMPLETED', at: at(20) },
    ],
    tasks: [
      { sourceId: 'case_management', status: 'SUCCEEDED' },
      { sourceId: 'case_management', status: 'SUCCEEDED' },
      { sourceId: 'concierge', status: 'FAILED' },
    ],
    retained: [
      { sourceId: 'clinic', basis: 'Statutory retention of medical records' },
      { sourceId: 'clinic', basis: 'Statutory retention of medical records' },
    ],
  });
  // 4. RECTIFICATION in France by post, answered on day 29 though due on day 20 (late), never extended.
  await insertHandledRequest(db, {
    type: 'RECTIFICATION',
    channel: 'POST',
    jurisdiction: 'FR',
    status: 'REJECTED',
    receivedAt: at(1),
    acknowledgedAt: at(3),
    dueAt: at(20),
    moves: [{ from: 'IN_REVIEW', to: 'REJECTED', at: at(29) }],
  });
  // 5. ACCESS by email received in the period, not acknowledged, ack due day 12 (past), still open and overdue (due day 15).
  await insertHandledRequest(db, {
    status: 'IN_REVIEW',
    receivedAt: at(5),
    acknowledgeBy: at(12),
    dueAt: at(15),
    discovery: [
      { sourceId: 'cctv', status: 'TIMED_OUT' },
      { sourceId: 'clinic', status: 'FAILED' },
      { sourceId: 'training', status: 'ANSWERED' },
    ],
  });
  // 7. Answered before the period (partially, day -3) and completed in it (day 3): not answered in the period.
  await insertHandledRequest(db, {
    type: 'RESTRICTION',
    channel: 'PHONE',
    status: 'COMPLETED',
    receivedAt: at(-30),
    acknowledgedAt: at(-29),
    moves: [
      { from: 'EXECUTING', to: 'PARTIALLY_COMPLETED', at: at(-3) },
      { from: 'PARTIALLY_COMPLETED', to: 'COMPLETED', at: at(3) },
    ],
  });
  // 6. Outside the period entirely (received and answered in February): only in no count.
  await insertHandledRequest(db, {
    status: 'COMPLETED',
    receivedAt: at(-20),
    acknowledgedAt: at(-19),
    moves: [{ from: 'EXECUTING', to: 'COMPLETED', at: at(-2) }],
  });
}, 120_000);

afterAll(async () => {
  await gw?.stop();
});

async function report(): Promise<Report> {
  const reply = await gw.graphql<{ requestReport: Report }>(REPORT, { from: FROM.toISOString(), to: TO.toISOString() }, handler);
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data!.requestReport;
}

describe('requestReport', () => {
  it('volumes: received in the period, answered in it (whenever received), open now, per type, channel and jurisdiction', async () => {
    const { volumes } = await report();
    expect(volumes).toEqual([
      { type: 'ACCESS', channel: 'EMAIL', jurisdiction: 'GB', received: 2, closed: 1, openNow: 1 },
      { type: 'ERASURE', channel: 'EMAIL', jurisdiction: 'GB', received: 0, closed: 1, openNow: 0 },
      { type: 'ERASURE', channel: 'WEB_FORM', jurisdiction: 'GB', received: 1, closed: 0, openNow: 1 },
      { type: 'RECTIFICATION', channel: 'POST', jurisdiction: 'FR', received: 1, closed: 1, openNow: 0 },
    ]);
  });

  it('timeliness: acknowledged within 5 working days (R3), answered by the (extended) due date (R4, R5), days to answer, overdue now', async () => {
    const { timeliness } = await report();
    // Acknowledgements due: requests 1, 2, 4 (made) and 5 (past due, not made); on time: 1 and 4.
    // Answered in the period: 1 (day 10, 10 days), 3 (day 5, 31 days, extended: on time), 4 (day 29, 28 days, late).
    expect(timeliness).toEqual({
      acknowledgementsDue: 4,
      acknowledgedOnTime: 2,
      acknowledgedOnTimeShare: 0.5,
      answered: 3,
      answeredOnTime: 2,
      answeredOnTimeShare: 2 / 3,
      medianDaysToAnswer: 28,
      p90DaysToAnswer: 30.4,
      extended: 0,
      // Open and past due now: requests 2 and 5.
      overdueNow: 2,
    });
  });

  it('erasure outcomes per source: tasks applied, failed, open; records kept and their basis (R8)', async () => {
    const { erasureOutcomes } = await report();
    expect(erasureOutcomes).toEqual([
      { sourceId: 'case_management', applied: 2, failed: 0, open: 0, retained: [] },
      { sourceId: 'clinic', applied: 0, failed: 0, open: 0, retained: [{ basis: 'Statutory retention of medical records', records: 2 }] },
      { sourceId: 'concierge', applied: 0, failed: 1, open: 0, retained: [] },
    ]);
  });

  it('sources that failed or timed out during discovery of requests received in the period', async () => {
    expect((await report()).discoveryFailures).toEqual([
      { sourceId: 'cctv', failed: 0, timedOut: 1 },
      { sourceId: 'clinic', failed: 1, timedOut: 0 },
    ]);
  });

  it('refuses a period that ends before it starts with INVALID_REPORT_PERIOD', async () => {
    const reply = await gw.graphql(REPORT, { from: TO.toISOString(), to: FROM.toISOString() }, handler);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('INVALID_REPORT_PERIOD');
  });

  it('is refused to a key bound to a controller (reports count every controller) and to a CONNECTOR', async () => {
    const bound = await bearer(gw, ['HANDLER'], ['acme']);
    expect((await gw.graphql(REPORT, { from: FROM.toISOString(), to: TO.toISOString() }, bound)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const connector = await bearer(gw, ['CONNECTOR']);
    expect((await gw.graphql(REPORT, { from: FROM.toISOString(), to: TO.toISOString() }, connector)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('GET /v1/reports/requests.csv', () => {
  it('downloads the same figures as CSV, section by section', async () => {
    const res = await fetch(`${gw.url}/v1/reports/requests.csv?from=2026-03-01&to=2026-04-01`, { headers: handler });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="request-report-2026-03-01-2026-04-01.csv"');
    const rows: string[][] = parse(await res.text(), { relax_column_count: true });
    const row = (first: string) => rows.find((r) => r[0] === first)!;
    expect(row('Answered on time (R4, R5)')).toEqual(['Answered on time (R4, R5)', '2', '3', '66.7']);
    expect(row('concierge')).toEqual(['concierge', '0', '1', '0', '0', '']);
    expect(rows.filter((r) => r[0] === 'ACCESS')).toEqual([['ACCESS', 'EMAIL', 'GB', '2', '1', '1']]);
  });

  it('answers 400 INVALID_REPORT_PERIOD without dates and 401 without a key', async () => {
    const bad = await fetch(`${gw.url}/v1/reports/requests.csv?from=yesterday`, { headers: handler });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_REPORT_PERIOD');
    expect((await fetch(`${gw.url}/v1/reports/requests.csv?from=2026-03-01&to=2026-04-01`)).status).toBe(401);
  });
});
