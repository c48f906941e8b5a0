// Liveness, readiness and metrics.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors';
import { bearer, errors, type RouteContext } from '../context';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function opsRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', {
      config: { access: 'public' },
      schema: { tags: ['operations'], summary: 'Liveness: the process is up', response: { 200: z.object({ status: z.literal('ok') }) } },
      handler: async () => ({ status: 'ok' as const }),
    });

    app.get('/readyz', {
      config: { access: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: PostgreSQL and Temporal reachable (else 503)',
        response: { 200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }), ...errors(503) },
      },
      handler: async (_request, reply) => {
        const checks = await Promise.allSettled([
          withTimeout(ctx.pool.query('SELECT 1'), 'PostgreSQL'),
          withTimeout(ctx.client.workflowService.getSystemInfo({}), 'Temporal'),
        ]);
        const [pg, temporal] = checks;
        const failed = [
          ...(pg.status === 'rejected' ? [{ field: 'postgres', message: String((pg.reason as Error)?.message ?? pg.reason) }] : []),
          ...(temporal.status === 'rejected' ? [{ field: 'temporal', message: String((temporal.reason as Error)?.message ?? temporal.reason) }] : []),
        ];
        if (failed.length) {
          return (reply as FastifyReply).status(503).send(errorBody('not_ready', `not ready: ${failed.map((f) => f.field).join(', ')} unreachable`, failed));
        }
        return { status: 'ready' as const, checks: { postgres: 'ok', temporal: 'ok' } };
      },
    });

    app.get('/metrics', {
      config: { access: ['ops'] },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        description: 'Requests by route and status, latency histogram, events accepted, handoffs, SLA breaches, leads by stage. Role: ops.',
        security: bearer,
        response: { 200: z.string(), ...errors(401, 403) },
      },
      handler: async (_request, reply) => {
        const text = await ctx.metrics.registry.metrics();
        return reply.type(ctx.metrics.registry.contentType).send(text);
      },
    });
  };
}
