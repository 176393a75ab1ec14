// The request report for a period. Reports count every controller's requests, so a
// principal bound to some controllers is refused rather than shown a partial picture.
import type { DataSource } from 'typeorm';
import { forbidden, isUnscoped, type Principal } from '../auth/index.js';
import { checkReportPeriod, type ReportPeriod, type RequestReport } from './request-report.js';
import { RequestReportStore } from './request-report.store.js';

export async function requestReport(db: DataSource, principal: Principal, period: ReportPeriod, now: Date = new Date()): Promise<RequestReport> {
  if (!isUnscoped(principal)) throw forbidden('reports cover every controller; this key is bound to some');
  const p = checkReportPeriod(period);
  const store = new RequestReportStore(db);
  const [volumes, timeliness, erasureOutcomes, discoveryFailures] = await Promise.all([
    store.volumes(p),
    store.timeliness(p, now),
    store.erasureOutcomes(p),
    store.discoveryFailures(p),
  ]);
  return { from: p.from, to: p.to, generatedAt: now, volumes, timeliness, erasureOutcomes, discoveryFailures };
}
