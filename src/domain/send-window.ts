// Send windows: a nurture email that falls due outside the campaign's window (e.g. weekdays 09:00–18:00
// in the lead's time zone) waits for the next window start. Pure functions of epoch milliseconds and
// IANA zone names, computed with Intl only, so the workflow can call them deterministically.

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

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
const DAY = 86_400_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of "HH:MM" ("24:00" → 1440), or null when malformed. */
export function minutesOf(value: string): number | null {
  if (value === '24:00') return 1440;
  const m = HHMM.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 && formatter(value) !== null;
}

/** The zone a lead's window is read in: its own `timezone`, else the campaign's, else Asia/Tokyo. */
export function leadTimeZone(leadZone: unknown, window: SendWindow | undefined): string {
  if (isTimeZone(leadZone)) return leadZone;
  if (isTimeZone(window?.timezone)) return window.timezone;
  return DEFAULT_TIME_ZONE;
}

interface Wall {
  /** The local date and time as if it were UTC (epoch ms), seconds precision. */
  wall: number;
  /** Local calendar date at 00:00 as if it were UTC. */
  midnight: number;
  weekday: Weekday;
}

function wallClock(at: number, timeZone: string): Wall {
  const f = formatter(timeZone) ?? (formatter('UTC') as Intl.DateTimeFormat);
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const midnight = Date.UTC(p.year!, p.month! - 1, p.day!);
  const wall = midnight + ((p.hour! * 60 + p.minute!) * 60 + p.second!) * 1000 + (((at % 1000) + 1000) % 1000);
  return { wall, midnight, weekday: WEEKDAYS[new Date(midnight).getUTCDay()]! };
}

/** Local wall time minus UTC at `at`. */
function offsetAt(at: number, timeZone: string): number {
  return wallClock(at, timeZone).wall - at;
}

/**
 * The instant of a local wall time ("as if UTC" ms). A time skipped by a spring-forward change is
 * moved forward by the gap (02:30 → 03:30); a time that occurs twice (fall back) is its first occurrence.
 */
export function instantOf(wall: number, timeZone: string): number {
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  const candidates = [wall - before, wall - after].filter((t) => wallClock(t, timeZone).wall === wall);
  if (candidates.length === 0) return wall - before;
  return Math.min(...candidates);
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
