// The user directory's input: staff who can own leads (sales), escalate (manager), or use the API.
// Every field is hostile until checked: names reach emails and the dashboard, teams and zones reach
// routing, and the email in the path is the key.
import { z } from 'zod';
import { boundInstant, isCalendarDate } from '../users/out-of-office';
import { timeZoneSchema } from './campaign';
import { email, isoTimestamp, plainText } from './common';

export const USER_ROLES = ['sales', 'manager', 'marketing', 'ops'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const LOCALES = ['ja', 'en'] as const;
export const MAX_OUT_OF_OFFICE = 50;
export const MAX_CAPACITY = 10_000;

/** A user's email (the directory's key): an email address of at most 254 characters (RFC 5321). */
export const userEmail = z.string().max(254, 'must be at most 254 characters').pipe(email);

const team = plainText(64).regex(/^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} ._&/-]*$/u, 'letters, digits, spaces and . _ & / - only, starting with a letter or digit');

const instantOrDate = z
  .string()
  .max(40)
  .refine((v) => isCalendarDate(v) || isoTimestamp.safeParse(v).success, 'must be an ISO-8601 timestamp with a time zone (2026-12-28T09:00:00+09:00) or a date (2026-12-28)');

const range = z.strictObject({
  from: instantOrDate.describe('first instant away; a date: the start of that local day in the user\'s timeZone (Asia/Tokyo without one)'),
  to: instantOrDate.describe('first instant back; a date: the end of that local day (the day is included)'),
});

export const userBodySchema = z
  .strictObject({
    name: plainText(200),
    role: z.enum(USER_ROLES),
    team: team.optional(),
    timeZone: timeZoneSchema.optional().describe('IANA zone of the user; dates in outOfOffice are read in it'),
    locale: z.enum(LOCALES),
    capacity: z.number().int().min(0).max(MAX_CAPACITY).optional().describe('open handoffs (stages mql, working) the user may hold at once; absent: no limit'),
    outOfOffice: z.array(range).max(MAX_OUT_OF_OFFICE).optional(),
  })
  .superRefine((user, ctx) => {
    for (const [i, r] of (user.outOfOffice ?? []).entries()) {
      const zone = user.timeZone ?? null;
      const [from, to] = [boundInstant(r.from, 'from', zone), boundInstant(r.to, 'to', zone)];
      // A bound that is no date at all has its own issue already.
      if (Number.isFinite(from) && Number.isFinite(to) && from >= to) {
        ctx.addIssue({ code: 'custom', path: ['outOfOffice', i, 'to'], message: 'must be after from' });
      }
    }
  });
export type UserBody = z.output<typeof userBodySchema>;

export const userSchema = z.object({
  email: z.string(),
  name: z.string(),
  role: z.enum(USER_ROLES),
  team: z.string().nullable(),
  timeZone: z.string().nullable(),
  locale: z.enum(LOCALES),
  capacity: z.number().int().nullable(),
  outOfOffice: z.array(z.object({ from: z.string(), to: z.string() })).describe('as written: instants, or dates meaning whole local days'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof userSchema>;
