// How the privacy office handles requests over a period: volumes, timeliness (R3, R4, R5),
// erasure outcomes per source, sources that failed discovery. The figures come from SQL
// aggregates (request-report.store.ts); this module names them and checks the period.
import { DomainError } from '../domain/errors.js';

export interface ReportPeriod {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** Longest period one report covers: enough for an annual report with room to spare. */
export const MAX_REPORT_DAYS = 3 * 366;

export function checkReportPeriod(period: ReportPeriod): ReportPeriod {
  const days = (period.to.getTime() - period.from.getTime()) / 86_400_000;
  if (!(days > 0)) throw new DomainError('INVALID_REPORT_PERIOD', 'The period must end after it starts');
  if (days > MAX_REPORT_DAYS) throw new DomainError('INVALID_REPORT_PERIOD', `A report covers at most ${MAX_REPORT_DAYS} days`);
  return period;
}

/** Requests of one type, channel and jurisdiction. */
export interface RequestVolume {
  type: string;
  channel: string;
  jurisdiction: string;
  /** Received in the period. */
  received: number;
  /** Answered (first closed) in the period, whenever received. */
  closed: number;
  /** Not closed now, whenever received. */
  openNow: number;
}

export interface Timeliness {
  /** Requests received in the period whose acknowledgement was due or made (R3). */
  acknowledgementsDue: number;
  acknowledgedOnTime: number;
  /** Requests answered in the period (R4). */
  answered: number;
  answeredOnTime: number;
  medianDaysToAnswer: number | null;
  p90DaysToAnswer: number | null;
  /** Requests received in the period whose deadline was extended (R5). */
  extended: number;
  /** Open requests past their (extended) due date now. */
  overdueNow: number;
}

export interface SourceErasureOutcome {
  sourceId: string;
  /** Tasks of erasures answered in the period, by how they ended. */
  applied: number;
  failed: number;
  open: number;
  /** Records kept instead, by basis (R8). */
  retained: { basis: string; records: number }[];
}

export interface SourceDiscoveryFailures {
  sourceId: string;
  /** Requests received in the period whose discovery found this source failed or timed out. */
  failed: number;
  timedOut: number;
}

export interface RequestReport extends ReportPeriod {
  generatedAt: Date;
  volumes: RequestVolume[];
  timeliness: Timeliness;
  erasureOutcomes: SourceErasureOutcome[];
  discoveryFailures: SourceDiscoveryFailures[];
}

/** A share in [0, 1], or null when there is nothing to divide. */
export const shareOf = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
