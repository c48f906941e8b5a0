// Local calendar days in an IANA zone, for report ranges: "2026-01-05" in Asia/Tokyo is the instant
// 2026-01-04T15:00Z. Intl only (no date library); DST days are 23 or 25 hours long.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock fields of `instant` in `tz`. */
export function localFields(instant: number, tz: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = Object.fromEntries(formatter(tz).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return { year: +parts.year!, month: +parts.month!, day: +parts.day!, hour: +parts.hour!, minute: +parts.minute!, second: +parts.second! };
}

/** How far `tz` is ahead of UTC at `instant`, in ms. */
function offsetAt(instant: number, tz: string): number {
  const f = localFields(instant, tz);
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The first instant of the local day year-month-day in `tz` (month 1-12; out-of-range days roll over). */
export function localMidnight(year: number, month: number, day: number, tz: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  let instant = wall - offsetAt(wall, tz);
  // The offset at the guess may differ from the offset at midnight itself (a DST change in between).
  instant = wall - offsetAt(instant, tz);
  return new Date(instant);
}

/** The start of the local day after the one `instant` falls on, `days` days later (default 1). */
export function startOfLocalDayAfter(instant: Date, tz: string, days = 1): Date {
  const f = localFields(instant.getTime(), tz);
  return localMidnight(f.year, f.month, f.day + days, tz);
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
