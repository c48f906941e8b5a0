import { z } from 'zod';
import { DEFAULT_POLICY } from '../domain/defaults';
import { minutesOf } from '../domain/send-window';
import { isTimeZone, WEEKDAYS } from '../domain/zoned-time';
import type { Campaign, HandoffPolicy } from '../domain/types';
import type { BusinessHours } from '../domain/business-time/calendar';
import { businessDurationFits, parseBusinessDuration } from '../domain/business-time/durations';
import { businessDurationSchema, businessHoursSchema } from './business-hours';
import { routingSchema } from './routing';
import { duration, email, id } from './common';

export const campaignStepSchema = z.strictObject({
  id,
  delay: duration,
  subject: z.string().trim().min(1).max(300),
  body: z.string().min(1).max(100_000).describe('plain-text template (Handlebars)'),
  html: z.string().min(1).max(200_000).optional().describe('HTML template (Handlebars, values HTML-escaped); without it the HTML part is made from the text'),
});

const steps = z
  .array(campaignStepSchema)
  .max(100)
  .refine((list) => new Set(list.map((s) => s.id)).size === list.length, 'step ids must be unique');

const BUSINESS_TIMED = ['sla', 'qualificationWindow', 'attemptInterval'] as const;

/** Invalid hours have issues of their own (this check runs beside them): only usable hours are measured. */
function fitsHours(value: string, hours: BusinessHours): boolean {
  try {
    return businessDurationFits(value, hours);
  } catch {
    return true;
  }
}

export const policySchema = z
  .strictObject({
    sla: businessDurationSchema.default(DEFAULT_POLICY.sla).describe('"24h" (wall clock) or, with businessHours, "8bh" / "1bd"'),
    maxReassignments: z.number().int().min(0).max(20).default(DEFAULT_POLICY.maxReassignments),
    qualificationWindow: businessDurationSchema.default(DEFAULT_POLICY.qualificationWindow),
    recyclePeriod: duration.default(DEFAULT_POLICY.recyclePeriod),
    bantRequired: z.number().int().min(0).max(4).default(DEFAULT_POLICY.bantRequired),
    owners: z.array(email).min(1, 'at least one owner is needed to hand leads to sales').max(500).default(DEFAULT_POLICY.owners),
    manager: email.default(DEFAULT_POLICY.manager),
    businessHours: businessHoursSchema.optional().describe('the team\'s hours for business durations (docs/business-time.md)'),
    maxContactAttempts: z.number().int().min(1).max(20).optional().describe('attempts that do not reach the lead before it is recycled as unreachable (default 3)'),
    attemptInterval: businessDurationSchema.optional().describe('time for the next attempt before one reminder (default "1bd", or "24h" without businessHours)'),
    routing: routingSchema.optional().describe('pools by lead attribute: the first matching rule gives the pool, else owners; round-robin, skipping reps out of office or at capacity'),
  })
  .superRefine((policy, ctx) => {
    for (const field of BUSINESS_TIMED) {
      const value = policy[field];
      if (value === undefined || parseBusinessDuration(value) === null) continue;
      if (!policy.businessHours) ctx.addIssue({ code: 'custom', path: [field], message: `${field}: business time ("${value}") needs policy.businessHours` });
      else if (!fitsHours(value, policy.businessHours)) ctx.addIssue({ code: 'custom', path: [field], message: `${field}: "${value}" is more business time than these business hours hold within three years` });
    }
  });

const clock = (what: string) => z.string().refine((v) => minutesOf(v) !== null, `${what} must be a local time "HH:MM" (00:00–23:59${what === 'to' ? ', or 24:00' : ''})`);

export const timeZoneSchema = z.string().trim().max(64).refine(isTimeZone, 'must be an IANA time zone such as Asia/Tokyo or Europe/London');

export const sendWindowSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'days must not repeat'),
    from: clock('from').refine((v) => v !== '24:00', 'from must be before 24:00'),
    to: clock('to'),
    timezone: timeZoneSchema.optional().describe("for leads without their own `timezone` (default Asia/Tokyo)"),
  })
  .refine((w) => (minutesOf(w.from) ?? 0) < (minutesOf(w.to) ?? 0), {
    path: ['to'],
    message: 'to must be after from (windows over midnight are not supported: use two days instead)',
  });

export const campaignSchema = z.strictObject({
  id,
  version: z.number().int().min(1),
  name: z.string().trim().min(1).max(200),
  steps,
  recycleSteps: steps.optional(),
  sendWindow: sendWindowSchema.optional().describe('e.g. { days: ["mon","tue","wed","thu","fri"], from: "09:00", to: "18:00" } in the lead\'s time zone'),
});

export function parseCampaign(value: unknown): Campaign {
  return campaignSchema.parse(value) as Campaign;
}

export function parsePolicy(value: unknown): HandoffPolicy {
  return policySchema.parse(value ?? {}) as HandoffPolicy;
}
