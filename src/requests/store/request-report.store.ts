// The request report's SQL (src/governance/request-report.ts): aggregates over the request,
// transition and decision tables, read-only; the tasks' part is the task store's. One
// statement per part, each over the period's rows (`npm run bench:reports`: its cost on
// 100,000 requests).
import type { DataSource } from 'typeorm';
import { RecordAction, RequestStatus, RequestType } from '../../domain/vocabulary.js';
import type { ReportPeriod, RequestVolume, SourceDiscoveryFailures, Timeliness } from '../../governance/request-report.js';

/** Statuses that answer a request (the first move into one is the answer). */
const ANSWERED = [RequestStatus.COMPLETED, RequestStatus.PARTIALLY_COMPLETED, RequestStatus.REJECTED];
const CLOSED = [...ANSWERED, RequestStatus.CANCELLED];

// The first move into a closing status, within the period: a PARTIALLY_COMPLETED request
// that completes later was answered at its first close.
const ANSWERS_IN_PERIOD = `
  SELECT t.request_id, min(t.at) AS closed_at
  FROM request_transition t
  WHERE t.to_status = ANY($3) AND (t.from_status IS NULL OR NOT t.from_status = ANY($3)) AND t.at >= $1 AND t.at < $2
  GROUP BY t.request_id`;

export class RequestReportStore {
  constructor(private readonly db: DataSource) {}

  async volumes(p: ReportPeriod): Promise<RequestVolume[]> {
    const rows: { type: string; channel: string; jurisdiction: string; received: number; closed: number; open_now: number }[] = await this.db.query(
      `WITH answers AS (${ANSWERS_IN_PERIOD})
       SELECT r.type, coalesce(r.channel, 'UNKNOWN') AS channel, r.jurisdiction,
              count(*) FILTER (WHERE r.received_at >= $1 AND r.received_at < $2)::int AS received,
              count(a.request_id)::int AS closed,
              count(*) FILTER (WHERE NOT r.status = ANY($4))::int AS open_now
       FROM data_subject_request r LEFT JOIN answers a ON a.request_id = r.id
       WHERE (r.received_at >= $1 AND r.received_at < $2) OR a.request_id IS NOT NULL OR NOT r.status = ANY($4)
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [p.from, p.to, CLOSED, CLOSED],
    );
    return rows.map((r) => ({ type: r.type, channel: r.channel, jurisdiction: r.jurisdiction, received: r.received, closed: r.closed, openNow: r.open_now }));
  }

  async timeliness(p: ReportPeriod, now: Date): Promise<Timeliness> {
    const [ack]: { due: number; on_time: number; extended: number }[] = await this.db.query(
      `SELECT count(*) FILTER (WHERE acknowledged_at IS NOT NULL OR acknowledge_by < $3)::int AS due,
              count(*) FILTER (WHERE acknowledged_at <= acknowledge_by)::int AS on_time,
              count(*) FILTER (WHERE extended_due_at IS NOT NULL)::int AS extended
       FROM data_subject_request WHERE received_at >= $1 AND received_at < $2`,
      [p.from, p.to, now],
    );
    // Without a due date (never verified) the answer is timed against 30 days from receipt.
    const [answer]: { answered: number; on_time: number; median: number | null; p90: number | null }[] = await this.db.query(
      `WITH answers AS (${ANSWERS_IN_PERIOD})
       SELECT count(*)::int AS answered,
              count(*) FILTER (WHERE a.closed_at <= coalesce(r.extended_due_at, r.due_at, r.received_at + interval '30 days'))::int AS on_time,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.closed_at - r.received_at) / 86400) AS median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM a.closed_at - r.received_at) / 86400) AS p90
       FROM answers a JOIN data_subject_request r ON r.id = a.request_id`,
      [p.from, p.to, ANSWERED],
    );
    const [overdue]: { n: number }[] = await this.db.query(
      `SELECT count(*)::int AS n FROM data_subject_request
       WHERE NOT status = ANY($1) AND coalesce(extended_due_at, due_at) < $2`,
      [CLOSED, now],
    );
    const days = (v: number | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);
    return {
      acknowledgementsDue: ack!.due,
      acknowledgedOnTime: ack!.on_time,
      answered: answer!.answered,
      answeredOnTime: answer!.on_time,
      medianDaysToAnswer: days(answer!.median),
      p90DaysToAnswer: days(answer!.p90),
      extended: ack!.extended,
      overdueNow: overdue!.n,
    };
  }

  /** Erasures answered in the period: their tasks' outcomes are counted by the task store. */
  async erasuresAnsweredIn(p: ReportPeriod): Promise<string[]> {
    const rows: { request_id: string }[] = await this.db.query(
      `WITH answers AS (${ANSWERS_IN_PERIOD})
       SELECT a.request_id FROM answers a JOIN data_subject_request r ON r.id = a.request_id WHERE r.type = $4`,
      [p.from, p.to, ANSWERED, RequestType.ERASURE],
    );
    return rows.map((r) => r.request_id);
  }

  /** Records these requests kept instead of acting on them, per source and basis (R8). */
  async retainedBySourceAndBasis(requestIds: readonly string[]): Promise<{ sourceId: string; basis: string; records: number }[]> {
    const rows: { source_id: string; basis: string; records: number }[] = await this.db.query(
      `SELECT source_id, coalesce(basis, 'no basis recorded') AS basis, count(*)::int AS records
       FROM record_decision WHERE action = $2 AND request_id = ANY($1::uuid[])
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [requestIds, RecordAction.RETAIN],
    );
    return rows.map((r) => ({ sourceId: r.source_id, basis: r.basis, records: r.records }));
  }

  async discoveryFailures(p: ReportPeriod): Promise<SourceDiscoveryFailures[]> {
    const rows: { source_id: string; failed: number; timed_out: number }[] = await this.db.query(
      `SELECT s->>'sourceId' AS source_id,
              count(*) FILTER (WHERE s->>'status' = 'FAILED')::int AS failed,
              count(*) FILTER (WHERE s->>'status' = 'TIMED_OUT')::int AS timed_out
       FROM data_subject_request r, jsonb_array_elements(r.discovery_outcome->'sources') s
       WHERE r.received_at >= $1 AND r.received_at < $2 AND s->>'status' IN ('FAILED', 'TIMED_OUT')
       GROUP BY 1 ORDER BY 1`,
      [p.from, p.to],
    );
    return rows.map((r) => ({ sourceId: r.source_id, failed: r.failed, timedOut: r.timed_out }));
  }
}
