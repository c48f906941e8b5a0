// Behaviour events: one for a lead, or a batch of up to 500 addressed by lead id or email.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { IntakeDeps } from '../../leads/deps';
import { UnknownLeadError } from '../../leads/errors';
import { recordEvent, recordEvents } from '../../leads/record-events';
import { leadIdsByEmail } from '../../leads/store';
import { email } from '../../schemas/common';
import { normalizeEmail } from '../../schemas/common';
import { engagementEventSchema, type EngagementEventInput } from '../../schemas/lead';
import { toApiError } from '../errors';
import { bearer, errors, leadIdParams, UUID_RE, type RouteContext } from '../context';

export const MAX_BATCH = 500;

const batchItemSchema = engagementEventSchema
  .extend({
    leadId: z.string().max(100).optional(),
    email: email.optional(),
  })
  .refine((item) => (item.leadId === undefined) !== (item.email === undefined), { message: 'give exactly one of leadId or email', path: ['leadId'] });

const batchBody = z.strictObject({ events: z.array(batchItemSchema).min(1).max(MAX_BATCH) });

const itemResult = z.object({
  index: z.number(),
  status: z.enum(['accepted', 'duplicate', 'failed']),
  leadId: z.string().nullable(),
  eventId: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

const STANDARD_TYPES = 'email_open, email_click, page_view (properties.page, e.g. pricing), content_download, webinar_registered, webinar_attended, form_submit, demo_request';

export function eventRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  // The route context carries everything intake needs.
  const deps: IntakeDeps = ctx;
  return async (app) => {
    app.post('/v1/leads/:leadId/events', {
      config: { access: ['marketing'] },
      schema: {
        tags: ['events'],
        summary: 'Record one behaviour event for a lead',
        description: `Stored, then sent to the lead's workflow, which scores it at once. \`eventId\` makes retries safe: a repeat answers \`duplicate: true\` and scores nothing (one is generated when absent). Standard types: ${STANDARD_TYPES}; any other lowercase snake_case type is stored and scores 0. Role: marketing.`,
        security: bearer,
        params: leadIdParams,
        body: engagementEventSchema,
        response: { 202: z.object({ accepted: z.literal(true), duplicate: z.boolean(), eventId: z.string() }), ...errors(400, 401, 403, 404, 409, 413, 415, 503) },
      },
      handler: async (request, reply) => {
        const leadId = request.params.leadId;
        if (!UUID_RE.test(leadId)) throw new UnknownLeadError(leadId);
        const result = await recordEvent(deps, leadId.toLowerCase(), request.body);
        if (!result.duplicate) ctx.metrics.eventsAccepted.inc({ source: 'api' });
        return reply.status(202).send({ accepted: true as const, duplicate: result.duplicate, eventId: result.eventId });
      },
    });

    app.post('/v1/events', {
      config: { access: ['marketing'] },
      schema: {
        tags: ['events'],
        summary: `Record up to ${MAX_BATCH} events, each for a lead id or an email`,
        description:
          'The body is validated as a whole (an invalid item → 400 naming it, e.g. `events.3.type`). Then each item is processed on its own: an unknown lead or an unreachable backend fails only that item, reported in `results` (same order as `events`). Role: marketing.',
        security: bearer,
        body: batchBody,
        response: {
          202: z.object({ accepted: z.number(), duplicates: z.number(), failed: z.number(), results: z.array(itemResult) }),
          ...errors(400, 401, 403, 413, 415),
        },
      },
      handler: async (request, reply) => {
        const items = request.body.events;
        const emails = [...new Set(items.flatMap((i) => (i.email ? [normalizeEmail(i.email)] : [])))];
        const byEmail = await leadIdsByEmail(ctx.pool, emails);
        const results: z.infer<typeof itemResult>[] = new Array(items.length);
        const batch: { index: number; leadId: string; event: EngagementEventInput }[] = [];
        for (const [index, item] of items.entries()) {
          const { leadId: givenId, email: givenEmail, ...event } = item;
          const leadId = givenId !== undefined ? givenId.toLowerCase() : byEmail.get(normalizeEmail(givenEmail!));
          if (!leadId || !UUID_RE.test(leadId)) {
            results[index] = { index, status: 'failed', leadId: givenId ?? null, eventId: event.eventId ?? null, error: { code: 'not_found', message: givenId !== undefined ? `no lead with id ${givenId}` : 'no lead with this email' } };
            continue;
          }
          batch.push({ index, leadId, event });
        }
        // One INSERT for the batch, then the signals in parallel (src/leads/record-events.ts).
        const outcomes = await recordEvents(deps, batch.map(({ leadId, event }) => ({ leadId, event })));
        for (const [i, { index, leadId, event }] of batch.entries()) {
          const outcome = outcomes[i]!;
          if (outcome.ok) {
            if (!outcome.duplicate) ctx.metrics.eventsAccepted.inc({ source: 'api' });
            results[index] = { index, status: outcome.duplicate ? 'duplicate' : 'accepted', leadId, eventId: outcome.eventId };
            continue;
          }
          const api = toApiError(outcome.error);
          if (!api) request.log.error({ err: outcome.error, index }, 'batch event failed');
          results[index] = {
            index,
            status: 'failed',
            leadId,
            eventId: event.eventId ?? null,
            error: api ? { code: api.code, message: api.message } : { code: 'internal', message: `internal error; quote request id ${request.id}` },
          };
        }
        const count = (s: string) => results.filter((r) => r.status === s).length;
        return reply.status(202).send({ accepted: count('accepted'), duplicates: count('duplicate'), failed: count('failed'), results });
      },
    });
  };
}
