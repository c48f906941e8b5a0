// Liveness, readiness and metrics.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody, errorSchema } from '../errors';
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

/** A component's readiness; other checks may add fields of their own (e.g. recent failures). */
const componentSchema = z.object({
  status: z.enum(['ok', 'failing']),
  detail: z.string().optional().describe('why it failed (ops only)'),
});
type ComponentState = z.infer<typeof componentSchema>;

const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  failing: z.array(z.string()).describe('names of the components that failed their check, e.g. ["postgres"]'),
  components: z.record(z.string(), componentSchema).optional().describe('every component with its detail: only for an ops key'),
  email: z.object({ windowMinutes: z.number().int(), recentFailures: z.array(emailFailure) }).optional().describe('recent SMTP failures other than bounces: only for an ops key'),
  error: errorSchema.shape.error.optional().describe('present when not ready (503), as on every error'),
});

/** What readiness checks, by component name. */
const READINESS_CHECKS: { name: string; label: string; run: (ctx: RouteContext) => Promise<unknown> }[] = [
  { name: 'postgres', label: 'PostgreSQL', run: (ctx) => ctx.pool.query('SELECT 1') },
  { name: 'temporal', label: 'Temporal', run: (ctx) => ctx.client.workflowService.getSystemInfo({}) },
];

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
        description:
          'Anyone gets the status and the names of failing components. With an ops key (`Authorization: Bearer <ops key>`), ' +
          '`components` adds each check with its detail (error messages name hosts and ports, so they are not public), and ' +
          `\`email.recentFailures\`: SMTP failures other than bounces in the last ${EMAIL_FAILURE_WINDOW_MINUTES} minutes, by kind (they do not make the API unready).`,
        response: { 200: readinessSchema, 503: readinessSchema },
      },
      handler: async (request, reply) => {
        const results = await Promise.allSettled(READINESS_CHECKS.map((c) => withTimeout(c.run(ctx), c.label)));
        const components: Record<string, ComponentState> = Object.fromEntries(
          READINESS_CHECKS.map((c, i) => {
            const r = results[i]!;
            return [c.name, r.status === 'fulfilled' ? { status: 'ok' as const } : { status: 'failing' as const, detail: String((r.reason as Error)?.message ?? r.reason) }];
          }),
        );
        const failing = Object.entries(components).filter(([, c]) => c.status === 'failing').map(([name]) => name);
        const forOps = (await ctx.requestPrincipal(request))?.role === 'ops';
        // Detail only: a failure to read it leaves the email part out.
        const recentFailures = forOps ? await withTimeout(recentEmailFailures(ctx.pool), 'PostgreSQL').catch(() => null) : null;
        const body = {
          status: failing.length ? ('not_ready' as const) : ('ready' as const),
          failing,
          ...(forOps ? { components } : {}),
          ...(recentFailures ? { email: { windowMinutes: EMAIL_FAILURE_WINDOW_MINUTES, recentFailures } } : {}),
          // The error envelope every non-2xx answer has (names only, no detail).
          ...(failing.length ? errorBody('not_ready', `not ready: ${failing.join(', ')} unreachable`) : {}),
        };
        return (reply as FastifyReply).status(failing.length ? 503 : 200).send(body);
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
