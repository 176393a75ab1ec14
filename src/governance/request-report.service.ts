// The request report for a period. Reports count every controller's requests, so a
// principal bound to some controllers is refused rather than shown a partial picture.
import { forbidden, isUnscoped, type Principal } from '../auth/index.js';
import type { Stores } from '../app/stores.js';
import { checkReportPeriod, type ReportPeriod, type RequestReport, type SourceErasureOutcome } from './request-report.js';

export async function requestReport(stores: Stores, principal: Principal, period: ReportPeriod, now: Date = new Date()): Promise<RequestReport> {
  if (!isUnscoped(principal)) throw forbidden('reports cover every controller; this key is bound to some');
  const p = checkReportPeriod(period);
  const [volumes, timeliness, erasureOutcomes, discoveryFailures] = await Promise.all([
    stores.requestReports.volumes(p),
    stores.requestReports.timeliness(p, now),
    erasureOutcomesIn(stores, p),
    stores.requestReports.discoveryFailures(p),
  ]);
  return { from: p.from, to: p.to, generatedAt: now, volumes, timeliness, erasureOutcomes, discoveryFailures };
}

/** Per source: the tasks of the erasures answered in the period, and the records they kept. */
async function erasureOutcomesIn(stores: Stores, p: ReportPeriod): Promise<SourceErasureOutcome[]> {
  const erasures = await stores.requestReports.erasuresAnsweredIn(p);
  const [tasks, kept] = await Promise.all([stores.tasks.outcomesBySource(erasures), stores.requestReports.retainedBySourceAndBasis(erasures)]);
  const sourceIds = [...new Set([...tasks.map((t) => t.sourceId), ...kept.map((k) => k.sourceId)])].sort();
  return sourceIds.map((sourceId) => ({
    sourceId,
    ...(tasks.find((t) => t.sourceId === sourceId) ?? { applied: 0, failed: 0, open: 0 }),
    retained: kept.filter((k) => k.sourceId === sourceId).map(({ basis, records }) => ({ basis, records })),
  }));
}
