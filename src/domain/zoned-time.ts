// Wall-clock time in IANA zones with Intl only (no date library), so that workflow code (send
// windows) and reports (local days) can share it deterministically.

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const DAY = 86_400_000;

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

export interface Wall {
  /** The local date and time as if it were UTC (epoch ms), seconds precision. */
  wall: number;
  /** Local calendar date at 00:00 as if it were UTC. */
  midnight: number;
  weekday: Weekday;
}

export function wallClock(at: number, timeZone: string): Wall {
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

