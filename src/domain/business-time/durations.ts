// Business durations in policies: "8bh" (business hours) and "2bd" (business days) count open time
// only, while plain durations ("24h", "90s") stay wall-clock.
import { durationMs } from '../duration';
import { WEEKDAYS } from '../zoned-time';
import { calendarOf, type BusinessHours, type Calendar } from './calendar';
import { JP_HOLIDAY_DATES } from './holidays-jp';
import { addBusinessTime, MAX_SCAN_DAYS } from './open-time';

/** Upper bounds, so that no policy makes a deadline scan long. */
export const MAX_BUSINESS_HOURS = 2000;
export const MAX_BUSINESS_DAYS = 250;

export interface BusinessDuration {
  unit: 'hours' | 'days';
  count: number;
}

const BUSINESS_DURATION = /^(\d{1,6})(bh|bd)$/;

/** "8bh" → 8 hours, "1bd" → 1 day of business time; null for anything else (bounds not checked). */
export function parseBusinessDuration(value: string): BusinessDuration | null {
  const m = BUSINESS_DURATION.exec(value);
  return m ? { unit: m[2] === 'bh' ? 'hours' : 'days', count: Number(m[1]) } : null;
}

export function withinBusinessBounds(d: BusinessDuration): boolean {
  return d.count <= (d.unit === 'hours' ? MAX_BUSINESS_HOURS : MAX_BUSINESS_DAYS);
}

/** Whether `value` is a business duration within the bounds ("8bh", "3bd"). */
export function isBusinessDuration(value: string): boolean {
  const d = parseBusinessDuration(value);
  return d !== null && withinBusinessBounds(d);
}

/** Open time of a business duration: a business day is one full day of `from`–`to` (09:00–18:00 → 9 h). */
export function businessDurationMs(d: BusinessDuration, hours: BusinessHours): number {
  const cal = calendarOf(hours);
  return d.count * (d.unit === 'hours' ? 3_600_000 : cal.toMs - cal.fromMs);
}

/**
 * When a policy duration after `start` ends: plain durations are wall-clock (start + ms), business
 * durations count open time of `hours`, which validation guarantees whenever one is configured.
 */
export function deadlineAfter(start: number, duration: string, hours: BusinessHours | undefined): number {
  const business = parseBusinessDuration(duration);
  if (business === null) return start + durationMs(duration);
  if (!withinBusinessBounds(business)) throw new RangeError(`business duration "${duration}" exceeds ${MAX_BUSINESS_HOURS}bh / ${MAX_BUSINESS_DAYS}bd`);
  if (hours === undefined) throw new TypeError(`business duration "${duration}" needs business hours to count in`);
  return addBusinessTime(start, businessDurationMs(business, hours), hours);
}

/** The most JP holidays one year has on the calendar's open weekdays (the others close nothing). */
function mostHolidaysInAYear(cal: Calendar): number {
  const perYear = new Map<string, number>();
  for (const date of JP_HOLIDAY_DATES) {
    if (!cal.days.has(WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!)) continue;
    perYear.set(date.slice(0, 4), (perYear.get(date.slice(0, 4)) ?? 0) + 1);
  }
  return Math.max(0, ...perYear.values());
}

// A scan of MAX_SCAN_DAYS days touches at most this many calendar years.
const YEARS_PER_SCAN = Math.ceil(MAX_SCAN_DAYS / 365) + 1;

/**
 * A lower bound of the open time in any MAX_SCAN_DAYS-day scan: each weekday occurs ⌊days/7⌋ times;
 * minus every closed date, the most holidays on open weekdays those years can hold, two DST days a year and the
 * partly elapsed first day, each counted as a whole lost day.
 */
export function leastOpenMsPerScan(hours: BusinessHours): number {
  const cal = calendarOf(hours);
  const lost = cal.closed.size + YEARS_PER_SCAN * ((hours.holidays === 'jp' ? mostHolidaysInAYear(cal) : 0) + 2) + 1;
  return Math.max(0, Math.floor(MAX_SCAN_DAYS / 7) * cal.days.size - lost) * (cal.toMs - cal.fromMs);
}

/** Whether deadlineAfter(start, duration, hours) returns for every start: the cross-field check for a policy and its calendar. */
export function businessDurationFits(duration: string, hours: BusinessHours): boolean {
  const business = parseBusinessDuration(duration);
  if (business === null) return true;
  return withinBusinessBounds(business) && businessDurationMs(business, hours) <= leastOpenMsPerScan(hours);
}
