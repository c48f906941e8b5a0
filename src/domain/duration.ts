import { msToNumber } from '@temporalio/common/lib/time';

/** A duration as Temporal accepts it: "24h", "30d", "2s", "90 minutes" or a number of ms. */
export type DurationString = string;

/** Milliseconds in a duration; throws a readable error for anything Temporal would not accept. */
export function durationMs(value: DurationString | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`invalid duration: ${value}`);
    return value;
  }
  let ms: number;
  try {
    ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
  } catch {
    throw new TypeError(`invalid duration: "${value}" (use e.g. "90s", "24h", "30d")`);
  }
  if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`invalid duration: "${value}" (use e.g. "90s", "24h", "30d")`);
  return ms;
}

export function isDuration(value: string): boolean {
  try {
    durationMs(value);
    return true;
  } catch {
    return false;
  }
}
