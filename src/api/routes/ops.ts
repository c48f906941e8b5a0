// Liveness, readiness and metrics.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../errors';
import { bearer, errors, type RouteContext } from '../context';

const CHECK_TIMEOUT_MS = 2_000;
/** /readyz tells ops about SMTP failures (other than bounces) this recent. */
export const EMAIL_FAILURE_WINDOW_MINUTES = 15;

const emailFailure = z.object({
  kind: z.string().describe('auth, sender, policy, size, temporary, connection, tls or protocol (src/mail/smtp-failure.ts)'),
  failures: z.number().int().describe('all time'),
  lastAt: z.string(),
  lastError: z.string().nullable().describe('addresses replaced by <address>'),
});

/** Kinds of SMTP failure seen within the window, most recent first (counted by the workers in PostgreSQL). */
async function recentEmailFailures(pool: RouteContext['pool']): Promise<z.infer<typeof emailFailure>[]> {
  const { rows } = await pool.query<{ kind: string; failures: string; last_at: Date; last_error: string | null }>(
    `SELECT kind, failures, last_at, last_error FROM email_failure_counts
      WHERE kind <> 'bounce' AND last_at > now() - make_interval(mins => $1) ORDER BY last_at DESC`,
    [EMAIL_FAILURE_WINDOW_MINUTES],
  );
  return rows.map((r) => ({ kind: r.kind, failures: Number(r.failures), lastAt: r.last_at.toISOString(), lastError: r.last_error }));
}

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
        description: `Public. With an ops key, also \`email.recentFailures\`: SMTP failures other than bounces in the last ${EMAIL_FAILURE_WINDOW_MINUTES} minutes, by kind (they do not make the API unready).`,
        response: {
          200: z.object({
            status: z.literal('ready'),
            checks: z.record(z.string(), z.string()),
            email: z.object({ windowMinutes: z.number().int(), recentFailures: z.array(emailFailure) }).optional().describe('ops only'),
          }),
          ...errors(503),
        },
      },
      handler: async (request, reply) => {
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
        const ready = { status: 'ready' as const, checks: { postgres: 'ok', temporal: 'ok' } };
        if (request.role !== 'ops') return ready;
        // Detail only: a failure to read it leaves the answer as the public one.
        const recentFailures = await withTimeout(recentEmailFailures(ctx.pool), 'PostgreSQL').catch(() => null);
        if (!recentFailures) return ready;
        return { ...ready, email: { windowMinutes: EMAIL_FAILURE_WINDOW_MINUTES, recentFailures } };
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
