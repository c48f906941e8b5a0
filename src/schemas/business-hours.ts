import { z } from 'zod';
import { isLocalDate, type BusinessHours } from '../domain/business-time/calendar';
import { isBusinessDuration, MAX_BUSINESS_DAYS, MAX_BUSINESS_HOURS, parseBusinessDuration } from '../domain/business-time/durations';
import { durationMs, isDuration } from '../domain/duration';
import { minutesOf } from '../domain/send-window';
import { isTimeZone, WEEKDAYS } from '../domain/zoned-time';
import { MAX_DURATION_MS } from './common';

/** Most company closures one calendar may list, so that a day's check and the scan bound stay small. */
export const MAX_CLOSED_DATES = 500;

const localTime = (field: 'from' | 'to') =>
  z.string({ error: `${field} must be a local time "HH:MM"` }).refine((v) => minutesOf(v) !== null, `${field} must be a local time "HH:MM" from 00:00 to 24:00`);

const days = z
  .array(z.enum(WEEKDAYS, { error: `days must list weekdays: ${WEEKDAYS.join(', ')}` }), { error: 'days must be a list of weekdays' })
  .min(1, 'days must name at least one open weekday')
  .max(7, 'days must not repeat')
  .refine((d) => new Set(d).size === d.length, 'days must not repeat');

// Sorted and deduplicated, so that equal calendars compare equal.
const closed = z
  .array(z.string().refine(isLocalDate, 'closed must list real dates "YYYY-MM-DD"'), { error: 'closed must be a list of dates "YYYY-MM-DD"' })
  .max(MAX_CLOSED_DATES, `closed must list at most ${MAX_CLOSED_DATES} dates`)
  .transform((dates) => [...new Set(dates)].sort());

export const businessHoursSchema = z
  .strictObject({
    timeZone: z.string({ error: 'timeZone must be an IANA time zone' }).trim().max(64).refine(isTimeZone, 'timeZone must be an IANA time zone such as Asia/Tokyo'),
    days,
    from: localTime('from'),
    to: localTime('to'),
    holidays: z.enum(['jp', 'none'], { error: 'holidays must be "jp" (Japanese public holidays are closed) or "none"' }),
    closed: closed.default([]),
  })
  .refine((h) => (minutesOf(h.from) ?? 0) < (minutesOf(h.to) ?? 0), { path: ['to'], message: 'to must be after from (hours over midnight are not supported)' });

export type BusinessHoursInput = z.input<typeof businessHoursSchema>;
export type BusinessHoursConfig = z.output<typeof businessHoursSchema>;
// The validated boundary type is the domain's plain interface, checked here at compile time.
export const toBusinessHours = (config: BusinessHoursConfig): BusinessHours => config;

function durationWithinBounds(value: string): boolean {
  return parseBusinessDuration(value) !== null ? isBusinessDuration(value) : !isDuration(value) || durationMs(value) <= MAX_DURATION_MS;
}

/** A policy duration: wall-clock ("24h", "30d", at most 5 years) or business time ("8bh", "2bd"). */
export const businessDurationSchema = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .refine((v) => isDuration(v) || parseBusinessDuration(v) !== null, 'must be a duration such as "24h" or "30d", or business time such as "8bh" or "2bd"')
  .refine(durationWithinBounds, `must be at most 5 years ("5y"), ${MAX_BUSINESS_HOURS}bh or ${MAX_BUSINESS_DAYS}bd`);
