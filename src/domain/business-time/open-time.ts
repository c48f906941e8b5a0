// Counting business time: deadlines "N business hours after handoff" and the business time between
// two instants (time to first contact). One step per local day, never per minute, and a bounded scan.
import { DAY } from '../zoned-time';
import { calendarOf, localMidnight, openInterval, type BusinessHours, type Calendar } from './calendar';

/** Longest scan, in local days (about 3 years): a deadline or report further away throws. */
export const MAX_SCAN_DAYS = 1098;

function checkAmount(amountMs: number): void {
  if (!Number.isFinite(amountMs) || amountMs < 0) throw new RangeError(`invalid business time: ${amountMs} ms`);
}

function tooFar(what: string, cal: Calendar): Error {
  return new RangeError(
    `${what} lies more than ${MAX_SCAN_DAYS} days away in business hours ${cal.hours.from}–${cal.hours.to} ` +
      `(${cal.hours.days.join(',')}, ${cal.hours.timeZone}): the calendar has too little open time for it`,
  );
}

/**
 * The earliest instant t ≥ start such that the open time in [start, t] is amountMs. A result is open
 * time or exactly a closing instant (Fri 10:00 + 8 h of 09:00–18:00 is Fri 18:00); amountMs 0 gives
 * the first open instant ≥ start.
 */
export function addBusinessTime(start: number, amountMs: number, hours: BusinessHours): number {
  checkAmount(amountMs);
  const cal = calendarOf(hours);
  let remaining = amountMs;
  let midnight = localMidnight(start, cal);
  for (let day = 0; day < MAX_SCAN_DAYS; day++, midnight += DAY) {
    const open = openInterval(midnight, cal);
    if (open === null) continue;
    const from = Math.max(open[0], start);
    // Strictly before closing: a start at the closing instant has nothing left of that day.
    if (from >= open[1]) continue;
    if (remaining === 0) return from;
    if (remaining <= open[1] - from) return from + remaining;
    remaining -= open[1] - from;
  }
  throw tooFar(`a deadline ${amountMs} ms of business time after ${new Date(start).toISOString()}`, cal);
}

/** Open time in [a, b] in ms; 0 when b is not after a. */
export function businessMsBetween(a: number, b: number, hours: BusinessHours): number {
  if (!(b > a)) return 0;
  const cal = calendarOf(hours);
  const first = localMidnight(a, cal);
  const last = localMidnight(b, cal);
  if ((last - first) / DAY >= MAX_SCAN_DAYS) throw tooFar(`the interval ending ${new Date(b).toISOString()}`, cal);
  let total = 0;
  for (let midnight = first; midnight <= last; midnight += DAY) {
    const open = openInterval(midnight, cal);
    if (open !== null) total += Math.max(0, Math.min(open[1], b) - Math.max(open[0], a));
  }
  return total;
}
