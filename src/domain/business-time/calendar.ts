// A team's business calendar: which local days are open and the open hours of each, read in the
// team's IANA zone with Intl only (zoned-time.ts), so that workflow code can count business time
// deterministically.
import { minutesOf } from '../send-window';
import { instantOf, WEEKDAYS, wallClock, type Weekday } from '../zoned-time';
import { JP_HOLIDAY_DATES } from './holidays-jp';

export interface BusinessHours {
  /** IANA zone the hours and dates are read in, e.g. "Asia/Tokyo". */
  timeZone: string;
  /** Open weekdays; non-empty. */
  days: Weekday[];
  /** Local opening "HH:MM" (inclusive). */
  from: string;
  /** Local closing "HH:MM" (exclusive), after `from`; "24:00" is the end of the day. */
  to: string;
  /** "jp": Japanese public holidays are closed (data for holidays-jp.ts's years only). */
  holidays: 'jp' | 'none';
  /** Company closures (e.g. 年末年始), local dates "YYYY-MM-DD". */
  closed: string[];
}

const MINUTE = 60_000;
const JP_HOLIDAYS: ReadonlySet<string> = new Set(JP_HOLIDAY_DATES);
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight ("as if UTC" ms) of a real calendar date "YYYY-MM-DD", or null. */
export function midnightOf(localDate: string): number | null {
  const m = LOCAL_DATE.exec(localDate);
  if (!m) return null;
  const midnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 02-30 over to 03-02: a date is real only when it reads back unchanged.
  return Number.isFinite(midnight) && dateOf(midnight) === localDate ? midnight : null;
}

export function isLocalDate(value: string): boolean {
  return midnightOf(value) !== null;
}

/** "YYYY-MM-DD" of a local midnight ("as if UTC" ms). */
export function dateOf(midnight: number): string {
  return new Date(midnight).toISOString().slice(0, 10);
}

/** Business hours prepared once per computation, so that each scanned day costs O(1). */
export interface Calendar {
  hours: BusinessHours;
  days: ReadonlySet<Weekday>;
  closed: ReadonlySet<string>;
  fromMs: number;
  toMs: number;
}

export function calendarOf(hours: BusinessHours): Calendar {
  const from = minutesOf(hours.from);
  const to = minutesOf(hours.to);
  if (from === null || to === null || from >= to || hours.days.length === 0) {
    throw new RangeError(`unusable business hours: ${JSON.stringify({ days: hours.days, from: hours.from, to: hours.to })}`);
  }
  return { hours, days: new Set(hours.days), closed: new Set(hours.closed), fromMs: from * MINUTE, toMs: to * MINUTE };
}

function openOn(midnight: number, cal: Calendar): boolean {
  if (!cal.days.has(WEEKDAYS[new Date(midnight).getUTCDay()]!)) return false;
  const date = dateOf(midnight);
  return !cal.closed.has(date) && !(cal.hours.holidays === 'jp' && JP_HOLIDAYS.has(date));
}

/** Whether the local date "YYYY-MM-DD" is an open day: an open weekday, not a holiday, not closed. */
export function isOpenDay(localDate: string, hours: BusinessHours): boolean {
  const midnight = midnightOf(localDate);
  return midnight !== null && openOn(midnight, calendarOf(hours));
}

/**
 * The open interval [start, end) in epoch ms of the local day at `midnight`, or null when the day is
 * closed. Wall-clock hours: on a DST change day the interval is an hour longer or shorter only when
 * the change falls inside it; a `from` inside a spring-forward gap moves forward as instantOf says.
 */
export function openInterval(midnight: number, cal: Calendar): [number, number] | null {
  if (!openOn(midnight, cal)) return null;
  const start = instantOf(midnight + cal.fromMs, cal.hours.timeZone);
  const end = instantOf(midnight + cal.toMs, cal.hours.timeZone);
  return start < end ? [start, end] : null;
}

/** The local midnight ("as if UTC" ms) of the day `at` falls on in the calendar's zone. */
export function localMidnight(at: number, cal: Calendar): number {
  return wallClock(at, cal.hours.timeZone).midnight;
}

/** Whether `at` is open time: inside [from, to) of an open local day. */
export function isOpen(at: number, hours: BusinessHours): boolean {
  const cal = calendarOf(hours);
  const open = openInterval(localMidnight(at, cal), cal);
  return open !== null && at >= open[0] && at < open[1];
}
