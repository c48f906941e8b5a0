// Send windows: a nurture email that falls due outside the campaign's window (e.g. weekdays 09:00–18:00
// in the lead's time zone) waits for the next window start. Pure functions of epoch milliseconds and
// IANA zone names, computed with Intl only, so the workflow can call them deterministically.
import { DAY, instantOf, isTimeZone, wallClock, type Weekday } from './zoned-time';

export interface SendWindow {
  days: Weekday[];
  /** Local start "HH:MM" (inclusive). */
  from: string;
  /** Local end "HH:MM" (exclusive), after `from`; "24:00" is the end of the day. Overnight windows are not supported. */
  to: string;
  /** The campaign's zone for leads without a `timezone` attribute. */
  timezone?: string;
}

/** Business hours in Japan, the typical market, unless the lead or the campaign says otherwise. */
export const DEFAULT_TIME_ZONE = 'Asia/Tokyo';

const MINUTE = 60_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of "HH:MM" ("24:00" → 1440), or null when malformed. */
export function minutesOf(value: string): number | null {
  if (value === '24:00') return 1440;
  const m = HHMM.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** The zone a lead's window is read in: its own `timezone`, else the campaign's, else Asia/Tokyo. */
export function leadTimeZone(leadZone: unknown, window: SendWindow | undefined): string {
  if (isTimeZone(leadZone)) return leadZone;
  if (isTimeZone(window?.timezone)) return window.timezone;
  return DEFAULT_TIME_ZONE;
}

function inside(at: number, window: SendWindow, timeZone: string, from: number, to: number): boolean {
  const local = wallClock(at, timeZone);
  const minute = (local.wall - local.midnight) / MINUTE;
  return window.days.includes(local.weekday) && minute >= from && minute < to;
}

/**
 * When an email due at `due` may go: `due` itself inside the window, otherwise the next window
 * start after it. Without a window (or with an unusable one) it goes when due.
 */
export function nextSendTime(due: number, window: SendWindow | undefined, timeZone: string): number {
  if (!window || window.days.length === 0) return due;
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (from === null || to === null || from >= to) return due;
  if (inside(due, window, timeZone, from, to)) return due;
  const today = wallClock(due, timeZone).midnight;
  // A week and a day covers every weekday even when today's window has already passed.
  for (let d = 0; d <= 8; d++) {
    const start = instantOf(today + d * DAY + from * MINUTE, timeZone);
    // A start moved by a DST gap may land outside the window (a window inside the gap): skip that day.
    if (start > due && inside(start, window, timeZone, from, to)) return start;
  }
  return due;
}
