import { z } from 'zod';
import { durationMs, isDuration } from '../domain/duration';

/** Longest delay, SLA, window or period accepted: 5 years (a year is 365.25 days, as in "5y"). */
export const MAX_DURATION_MS = durationMs('5y');

// Bounded so that every deadline a workflow computes from it is a valid date ("300000y" is not).
export const duration = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .refine(isDuration, 'must be a duration such as "90s", "24h" or "30d"')
  .refine((value) => !isDuration(value) || durationMs(value) <= MAX_DURATION_MS, 'must be at most 5 years ("5y")');
export const id = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only');
export const email = z.string().trim().max(320).pipe(z.email({ message: 'must be an email address' }));
export const isoTimestamp = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp with a time zone, e.g. 2026-01-31T09:00:00Z' });
export const scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);

/** One person = one lead: emails compare trimmed and lowercased. */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * Characters a one-line name must not hold: controls (CR/LF would split an email header or a log
 * line), Unicode line separators, and bidi overrides that make a name display as another.
 */
const NOT_ONE_LINE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** One line of text a person typed, trimmed: 1–max characters. */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !NOT_ONE_LINE.test(value), 'must be one line without control or bidi-override characters');
