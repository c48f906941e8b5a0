import { z } from 'zod';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES, REJECTION_REASONS, STAGES } from '../domain/types';
import { email, id, isoTimestamp, scalar } from './common';
import { timeZoneSchema } from './campaign';

const text = (max: number) => z.string().trim().min(1).max(max);

export const enrollLeadSchema = z.strictObject({
  email,
  name: text(200).optional(),
  company: text(200).optional(),
  title: text(200).optional(),
  employees: z.number().int().min(0).max(10_000_000).optional(),
  industry: text(100).optional(),
  country: text(100).optional(),
  timezone: timeZoneSchema.optional().describe('IANA time zone of the lead; the campaign\'s send window is read in it'),
  source: text(100).optional(),
  utm: z.strictObject({ source: text(200).optional(), medium: text(200).optional(), campaign: text(200).optional() }).optional(),
  campaignId: id.default('default'),
  attributes: z.record(z.string().min(1).max(64), z.union([scalar, z.null()])).refine((r) => Object.keys(r).length <= 100, 'at most 100 attributes').optional(),
  consent: z
    .literal('renewed')
    .optional()
    .describe('Only for a person who was erased on request and has since agreed again: lifts the suppression that otherwise answers 409 `suppressed`'),
});
export type EnrollLeadInput = z.input<typeof enrollLeadSchema>;
export type EnrollLead = z.output<typeof enrollLeadSchema>;

/** What an enrolment answers (POST /v1/leads). */
export const enrollResultSchema = z.object({ leadId: z.string(), stage: z.enum(STAGES), created: z.boolean() });
export type EnrollResult = z.infer<typeof enrollResultSchema>;

export const engagementEventSchema = z.strictObject({
  eventId: text(200).optional(),
  type: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lowercase snake_case event type such as page_view'),
  occurredAt: isoTimestamp.optional(),
  properties: z.record(z.string().min(1).max(64), scalar).refine((r) => Object.keys(r).length <= 50, 'at most 50 properties').optional(),
});
export type EngagementEventInput = z.input<typeof engagementEventSchema>;

export const contactSchema = z.strictObject({
  rep: text(320),
  channel: z.enum(CONTACT_CHANNELS),
  note: text(5000).optional(),
  outcome: z.enum(CONTACT_OUTCOMES).optional().describe('reached (default), no_answer or left_message: every attempt meets the first-contact SLA'),
  actor: text(320).optional(),
});
export const acceptSchema = z.strictObject({
  rep: text(320),
  bant: z.strictObject({ budget: z.boolean(), authority: z.boolean(), need: z.boolean(), timeline: z.boolean() }),
  note: text(5000).optional(),
  actor: text(320).optional(),
});
export const rejectSchema = z.strictObject({
  rep: text(320),
  reason: z.enum(REJECTION_REASONS),
  note: text(5000).optional(),
  disqualify: z.boolean().optional(),
  actor: text(320).optional(),
});
