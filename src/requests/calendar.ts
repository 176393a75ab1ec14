// Civil dates in a jurisdiction's time zone and its working days, from date-holidays.
// A deadline is a calendar day where the request is handled, so dates are computed in
// that jurisdiction's zone and a deadline ends at 23:59:59.999 local time.
import Holidays from 'date-holidays';
import { RequestRuleError } from './errors.js';

/** A calendar day without time: 'YYYY-MM-DD'. */
export type CivilDate = string;

export interface Jurisdiction {
  /** Normalised code: 'GB', 'FR', 'US-NY'. */
  code: string;
  country: string;
  state?: string;
  timeZone: string;
}

interface Calendar {
  jurisdiction: Jurisdiction;
  holidays: Holidays;
  /** Non-working holidays by year, as civil dates. */
  closedDays: Map<number, Set<CivilDate>>;
}

const calendars = new Map<string, Calendar>();
const catalogue = new Holidays();

function calendarFor(code: string): Calendar {
  const normalised = code.trim().toUpperCase();
  const cached = calendars.get(normalised);
  if (cached) return cached;
  const match = /^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$/.exec(normalised);
  const country = match?.[1];
  const state = match?.[2];
  const known =
    country !== undefined && catalogue.getCountries()[country] !== undefined && (state === undefined || catalogue.getStates(country)?.[state] !== undefined);
  if (!known) {
    throw new RequestRuleError('UNKNOWN_JURISDICTION', `No holiday calendar for jurisdiction "${code}" (use e.g. GB, FR, DE, US-NY)`, {
      jurisdiction: code,
    });
  }
  const holidays = state ? new Holidays(country, state) : new Holidays(country);
  const timeZone = holidays.getTimezones()[0] ?? 'UTC';
  const calendar: Calendar = {
    jurisdiction: { code: normalised, country, ...(state ? { state } : {}), timeZone },
    holidays,
    closedDays: new Map(),
  };
  calendars.set(normalised, calendar);
  return calendar;
}

export function resolveJurisdiction(code: string): Jurisdiction {
  return calendarFor(code).jurisdiction;
}

// Public and bank holidays close offices for the whole day; ones that start in the
// afternoon (German Christmas Eve at 14:00) leave a working morning, so they count as working.
function closedDaysOf(calendar: Calendar, year: number): Set<CivilDate> {
  let days = calendar.closedDays.get(year);
  if (!days) {
    days = new Set(
      calendar.holidays
        .getHolidays(year)
        .filter((h) => (h.type === 'public' || h.type === 'bank') && h.date.endsWith('00:00:00'))
        .map((h) => h.date.slice(0, 10)),
    );
    calendar.closedDays.set(year, days);
  }
  return days;
}

function parts(civil: CivilDate): [number, number, number] {
  const [y, m, d] = civil.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

function format(y: number, m: number, d: number): CivilDate {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.toISOString().slice(0, 10);
}

export function addCalendarDays(civil: CivilDate, days: number): CivilDate {
  const [y, m, d] = parts(civil);
  return format(y, m, d + days);
}

/** Adds months, keeping the day of month where it exists (31 Jan + 1 month = 28/29 Feb). */
export function addCalendarMonths(civil: CivilDate, months: number): CivilDate {
  const [y, m, d] = parts(civil);
  const lastDay = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return format(y, m + months, Math.min(d, lastDay));
}

/** Saturday and Sunday are weekend days in every supported jurisdiction. */
export function isWeekend(civil: CivilDate): boolean {
  const [y, m, d] = parts(civil);
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 || day === 6;
}

export function isPublicHoliday(civil: CivilDate, jurisdiction: string): boolean {
  return closedDaysOf(calendarFor(jurisdiction), parts(civil)[0]).has(civil);
}

export function isWorkingDay(civil: CivilDate, jurisdiction: string): boolean {
  return !isWeekend(civil) && !isPublicHoliday(civil, jurisdiction);
}

/** The n-th working day after `civil` (the day itself does not count). */
export function addWorkingDays(civil: CivilDate, n: number, jurisdiction: string): CivilDate {
  let day = civil;
  let counted = 0;
  while (counted < n) {
    day = addCalendarDays(day, 1);
    if (isWorkingDay(day, jurisdiction)) counted += 1;
  }
  return day;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localFields(instant: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out;
}

/** The calendar day an instant falls on in a time zone. */
export function civilDateIn(instant: Date, timeZone: string): CivilDate {
  const f = localFields(instant, timeZone);
  return format(f.year!, f.month!, f.day!);
}

function offsetMs(instant: Date, timeZone: string): number {
  const f = localFields(instant, timeZone);
  const asUtc = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The last millisecond of a calendar day in a time zone (daylight saving included). */
export function endOfCivilDay(civil: CivilDate, timeZone: string): Date {
  const [y, m, d] = parts(civil);
  const wall = Date.UTC(y, m - 1, d, 23, 59, 59, 999);
  let guess = wall - offsetMs(new Date(wall), timeZone);
  guess = wall - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}
