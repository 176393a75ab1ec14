// ISO 8601 date durations (P3Y, P30Y, P90D, P1Y6M) as retention policies state them.
// Calendar arithmetic in UTC: a retention end is a date, not a time of day, so a few
// hours of time-zone offset do not change a decision.
import { RequestRuleError } from './errors.js';

export interface DateDuration {
  years: number;
  months: number;
  days: number;
}

const PATTERN = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/;

export function parseDuration(text: string): DateDuration {
  const m = PATTERN.exec(text.trim().toUpperCase());
  if (!m) {
    throw new RequestRuleError('INVALID_DURATION', `"${text}" is not an ISO 8601 date duration such as P3Y or P90D`);
  }
  const [, y, mo, w, d] = m;
  return { years: Number(y ?? 0), months: Number(mo ?? 0), days: Number(w ?? 0) * 7 + Number(d ?? 0) };
}

/** Adds months keeping the day of month where it exists (31 Jan + 1 month = 28/29 Feb). */
export function addMonthsUtc(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const out = new Date(date.getTime());
  out.setUTCFullYear(y, m, Math.min(date.getUTCDate(), lastDay));
  return out;
}

export function addDuration(date: Date, duration: DateDuration | string): Date {
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  const withMonths = addMonthsUtc(date, d.years * 12 + d.months);
  return new Date(withMonths.getTime() + d.days * 86_400_000);
}

/** Sum of several durations (active period then archive period). */
export function addDurations(date: Date, durations: ReadonlyArray<string | undefined>): Date {
  return durations.reduce<Date>((at, d) => (d ? addDuration(at, d) : at), date);
}

/** The fewest days a duration can span (a year of 365 days, a month of 28): for a safe lower bound. */
export function minimumDays(duration: DateDuration | string): number {
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  return d.years * 365 + d.months * 28 + d.days;
}
