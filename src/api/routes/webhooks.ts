// Signed webhooks to the CRM (Standard Webhooks): ops subscribe a URL to lead events, read each
// delivery's attempts, and retry one that failed. Secrets are shown once, at creation.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UUID_RE } from '../context';
import { createWebhook, retryDelivery } from '../../webhooks/manage';
import { createdWebhook, createWebhookBody, deliveriesQuery, deliveryParams, deliverySchema, webhookParams, webhookSchema } from '../../webhooks/schemas';
import { deleteSubscription, findSubscription, listDeliveries, listSubscriptions, MAX_SUBSCRIPTIONS, type DeliveryRow, type SubscriptionRow } from '../../webhooks/store';
import { decodeCursor, encodeCursor } from '../cursor';
import { ApiError } from '../errors';
import { bearer, errors, type RouteContext } from '../context';

const OPS = ['ops'] as const;
const DELIVERY_ID = /^[1-9]\d{0,17}$/;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toWebhook(row: SubscriptionRow): z.infer<typeof webhookSchema> {
  return {
    id: row.subscription_id,
    url: row.url,
    events: row.events,
    description: row.description,
    status: row.status,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at.toISOString(),
    disabledAt: iso(row.disabled_at),
  };
}

function toDelivery(row: DeliveryRow): z.infer<typeof deliverySchema> {
  return {
    id: row.delivery_id,
    webhookId: row.webhook_id,
    type: row.event_type,
    leadId: row.lead_id,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    lastAttemptAt: iso(row.last_attempt_at),
    deliveredAt: iso(row.delivered_at),
  };
}

// The message does not echo the path: it may be anything.
const unknownWebhook = () => new ApiError(404, 'not_found', 'no such webhook');

export function webhookRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  const allowPrivate = ctx.webhookAllowPrivate ?? false;
  const existing = async (id: string): Promise<SubscriptionRow> => {
    const row = UUID_RE.test(id) ? await findSubscription(ctx.pool, id) : null;
    if (!row) throw unknownWebhook();
    return row;
  };

  return async (app) => {
    app.post('/v1/webhooks', {
      config: { access: OPS },
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to lead events',
        description:
          `Each event is POSTed to \`url\` as JSON, signed per Standard Webhooks (headers webhook-id, webhook-timestamp, webhook-signature) with the returned \`secret\`, which is shown only here. \`url\` must be https and resolve to a public address (unless WEBHOOK_ALLOW_PRIVATE). At most ${MAX_SUBSCRIPTIONS} webhooks (409 \`too_many_webhooks\`). Role: ops.`,
        security: bearer,
        body: createWebhookBody(allowPrivate),
        response: { 201: createdWebhook, ...errors(400, 401, 403, 409, 413, 415) },
      },
      handler: async (request, reply) => {
        const created = await createWebhook(ctx, request.body);
        if (!created) throw new ApiError(409, 'too_many_webhooks', `at most ${MAX_SUBSCRIPTIONS} webhooks; delete one first`);
        return reply.status(201).send(created);
      },
    });

    app.get('/v1/webhooks', {
      config: { access: OPS },
      schema: {
        tags: ['webhooks'],
        summary: 'List the webhooks (without their secrets)',
        description: 'Oldest first. Role: ops.',
        security: bearer,
        response: { 200: z.object({ items: z.array(webhookSchema) }), ...errors(401, 403) },
      },
      handler: async () => ({ items: (await listSubscriptions(ctx.pool)).map(toWebhook) }),
    });

    app.delete('/v1/webhooks/:id', {
      config: { access: OPS },
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook and its deliveries',
        description: 'Pending deliveries are not sent. Role: ops.',
        security: bearer,
        params: webhookParams,
        response: { 204: z.null().describe('deleted'), ...errors(401, 403, 404) },
      },
      handler: async (request, reply) => {
        const id = request.params.id;
        if (!UUID_RE.test(id) || !(await deleteSubscription(ctx.pool, id))) throw unknownWebhook();
        return reply.status(204).send(null);
      },
    });

    app.get('/v1/webhooks/:id/deliveries', {
      config: { access: OPS },
      schema: {
        tags: ['webhooks'],
        summary: "A webhook's deliveries, newest first, with their attempts",
        description: "One delivery per event: its webhook-id stays the same on every attempt. Paginate with `cursor` = the previous page's `nextCursor`. Role: ops.",
        security: bearer,
        params: webhookParams,
        querystring: deliveriesQuery,
        response: { 200: z.object({ items: z.array(deliverySchema), nextCursor: z.string().nullable() }), ...errors(400, 401, 403, 404) },
      },
      handler: async (request) => {
        const webhook = await existing(request.params.id);
        const q = request.query;
        const before = q.cursor ? decodeCursor(q.cursor, (v) => v.length === 1 && DELIVERY_ID.test(v[0]!))[0] : undefined;
        const rows = await listDeliveries(ctx.pool, webhook.subscription_id, { status: q.status, before, limit: q.limit + 1 });
        const page = rows.slice(0, q.limit);
        const last = page[page.length - 1];
        return { items: page.map(toDelivery), nextCursor: rows.length > q.limit && last ? encodeCursor([last.delivery_id]) : null };
      },
    });

    app.post('/v1/webhooks/:id/deliveries/:deliveryId/retry', {
      config: { access: OPS },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a failed delivery again',
        description: 'The delivery is pending again with the same webhook-id, and retried as a new event would be. A failed or pending delivery of an active webhook (a pending one is only woken); 409 `not_failed` for a delivered or disabled one. Role: ops.',
        security: bearer,
        params: deliveryParams,
        response: { 202: z.object({ id: z.string(), status: z.literal('pending') }), ...errors(401, 403, 404, 409) },
      },
      handler: async (request, reply) => {
        const { id, deliveryId } = request.params;
        const outcome = UUID_RE.test(id) && DELIVERY_ID.test(deliveryId) ? await retryDelivery(ctx, id, deliveryId) : 'not_found';
        if (outcome === 'not_found') throw new ApiError(404, 'not_found', 'no such delivery of this webhook');
        if (outcome === 'not_failed') throw new ApiError(409, 'not_failed', 'only a failed or pending delivery of an active webhook can be retried');
        return reply.status(202).send({ id: deliveryId, status: 'pending' as const });
      },
    });
  };
}
