// Out-of-office ranges as people write them: ISO instants, or dates meaning whole local days in the
// user's zone ("2026-12-28" to "2027-01-04": the year-end closure, both days included). Kept as
// written and read at each pick, so that a later change of the user's zone moves whole days with it.
import type { AbsenceRange } from '../domain/routing';
import { DEFAULT_TIME_ZONE } from '../domain/send-window';
import { DAY, instantOf } from '../domain/zoned-time';

export interface OutOfOffice {
  from: string;
  to: string;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The local day of a YYYY-MM-DD date "as if UTC", or null when it is not a real date (2026-02-31). */
function dateOnly(value: string): number | null {
  const m = DATE_ONLY.exec(value);
  if (!m) return null;
  const [year, month, day] = [+m[1]!, +m[2]!, +m[3]!];
  const midnight = Date.UTC(year, month - 1, day);
  const check = new Date(midnight);
  return check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day ? midnight : null;
}

export const isCalendarDate = (value: string): boolean => dateOnly(value) !== null;

/** A range's bound as an instant: a date `from` starts its local day, a date `to` ends it (inclusive day). */
export function boundInstant(value: string, edge: 'from' | 'to', timeZone: string | null): number {
  const day = dateOnly(value);
  // Date.parse would roll 2026-02-31 over to March.
  if (day === null) return DATE_ONLY.test(value) ? Number.NaN : Date.parse(value);
  return instantOf(edge === 'from' ? day : day + DAY, timeZone ?? DEFAULT_TIME_ZONE);
}

/** The ranges as instants, `from` inclusive and `to` exclusive (what src/domain/routing.ts reads). */
export function absenceRanges(ranges: readonly OutOfOffice[], timeZone: string | null): AbsenceRange[] {
  return ranges.map((r) => ({ from: boundInstant(r.from, 'from', timeZone), to: boundInstant(r.to, 'to', timeZone) }));
}
