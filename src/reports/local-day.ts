// Local calendar days in an IANA zone, for report ranges: "2026-01-05" in Asia/Tokyo is the instant
// 2026-01-04T15:00Z. DST days are 23 or 25 hours long; a midnight skipped by a DST change is the
// first instant of that day.
import { DAY, instantOf, wallClock } from '../domain/zoned-time';

/** The first instant of the local day year-month-day in `tz` (month 1-12; out-of-range days roll over). */
export function localMidnight(year: number, month: number, day: number, tz: string): Date {
  return new Date(instantOf(Date.UTC(year, month - 1, day), tz));
}

/** The start of the local day `days` days after the one `instant` falls on (default: the next day). */
export function startOfLocalDayAfter(instant: Date, tz: string, days = 1): Date {
  return new Date(instantOf(wallClock(instant.getTime(), tz).midnight + days * DAY, tz));
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A report bound: a date alone is local midnight in `tz`; anything else is parsed as an instant. */
export function parseReportBound(value: string, tz: string): Date {
  const m = DATE_ONLY.exec(value);
  if (m) {
    const [year, month, day] = [+m[1]!, +m[2]!, +m[3]!];
    const check = new Date(Date.UTC(year, month - 1, day));
    // 2026-02-31 is not a date (Date.UTC would roll it over to March).
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return new Date(NaN);
    return localMidnight(year, month, day, tz);
  }
  return new Date(value);
}
