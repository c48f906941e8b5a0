// The webhook routes' zod schemas: every field is hostile until it passes here.
import { z } from 'zod';
import { plainText } from '../schemas/common';
import { WEBHOOK_EVENTS } from './events';
import { DELIVERY_STATUSES } from './store';
import { MAX_WEBHOOK_URL_LENGTH, targetProblem } from './target-guard';

/** The target URL; `allowPrivate` (WEBHOOK_ALLOW_PRIVATE) admits http and internal addresses. */
export const webhookUrl = (allowPrivate: boolean) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(MAX_WEBHOOK_URL_LENGTH, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (write an international host name in punycode)')
    .superRefine((value, ctx) => {
      const problem = targetProblem(value, allowPrivate);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(allowPrivate ? 'http or https URL (WEBHOOK_ALLOW_PRIVATE: private addresses allowed)' : 'https URL of a public host');

export const webhookEvents = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1, 'must list at least one event')
  .max(WEBHOOK_EVENTS.length)
  .refine((events) => new Set(events).size === events.length, 'must not list an event twice');

export const createWebhookBody = (allowPrivate: boolean) =>
  z.strictObject({
    url: webhookUrl(allowPrivate),
    events: webhookEvents,
    description: plainText(200).optional(),
  });

export const createdWebhook = z.object({
  id: z.string(),
  secret: z.string().describe('whsec_…: shown once; receivers verify signatures with it'),
});

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  description: z.string().nullable(),
  status: z.enum(['active', 'disabled']).describe('disabled: the receiver answered 410 Gone'),
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
});

export const deliverySchema = z.object({
  id: z.string(),
  webhookId: z.string().describe('the webhook-id header, the same on every attempt'),
  type: z.enum(WEBHOOK_EVENTS),
  leadId: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  lastAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});

/** Ids in a path: anything else cannot exist, so it answers 404 (as for lead ids). */
export const webhookParams = z.strictObject({ id: z.string().max(100).describe('the webhook id (UUID)') });
export const deliveryParams = z.strictObject({ id: z.string().max(100), deliveryId: z.string().max(100) });

export const deliveriesQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});
