// The request report as CSV: one section per part, each with its own header row, so a
// spreadsheet opens it as it is and each part can be cut out.
import { stringify } from 'csv-stringify/sync';
import { inertCell } from './data-map-csv.js';
import { shareOf, type RequestReport } from './request-report.js';

const cell = (v: string | number | null): string => (v === null ? '' : inertCell(String(v)));
const pct = (part: number, whole: number): string => {
  const s = shareOf(part, whole);
  return s === null ? '' : (s * 100).toFixed(1);
};

export function requestReportCsv(r: RequestReport): string {
  const t = r.timeliness;
  const rows: (string | number | null)[][] = [
    ['Request report', r.from.toISOString(), r.to.toISOString(), `generated ${r.generatedAt.toISOString()}`],
    [],
    ['Volumes'],
    ['Type', 'Channel', 'Jurisdiction', 'Received', 'Answered', 'Open now'],
    ...r.volumes.map((v) => [v.type, v.channel, v.jurisdiction, v.received, v.closed, v.openNow]),
    [],
    ['Timeliness'],
    ['Measure', 'Count', 'Of', 'Per cent'],
    ['Acknowledged within 5 working days (R3)', t.acknowledgedOnTime, t.acknowledgementsDue, pct(t.acknowledgedOnTime, t.acknowledgementsDue)],
    ['Answered on time (R4, R5)', t.answeredOnTime, t.answered, pct(t.answeredOnTime, t.answered)],
    ['Median days to answer', t.medianDaysToAnswer, null, null],
    ['90th percentile days to answer', t.p90DaysToAnswer, null, null],
    ['Extended (R5)', t.extended, null, null],
    ['Overdue now', t.overdueNow, null, null],
    [],
    ['Erasure outcomes per source'],
    ['Source', 'Applied', 'Failed', 'Open', 'Retained', 'Retained basis'],
    ...r.erasureOutcomes.flatMap((o) =>
      o.retained.length === 0
        ? [[o.sourceId, o.applied, o.failed, o.open, 0, null]]
        : o.retained.map((k, i) =>
            i === 0 ? [o.sourceId, o.applied, o.failed, o.open, k.records, k.basis] : [o.sourceId, null, null, null, k.records, k.basis],
          ),
    ),
    [],
    ['Sources failing discovery'],
    ['Source', 'Failed', 'Timed out'],
    ...r.discoveryFailures.map((f) => [f.sourceId, f.failed, f.timedOut]),
  ];
  return stringify(rows.map((row) => row.map(cell)));
}
