// Reports for management (funnel) and the sales manager (SLA board), and the dashboard page that shows them.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dashboardAsset, DASHBOARD_ASSETS } from '../dashboard/assets';
import { ApiError } from '../errors';
import { listScope } from '../lead-access';
import { bearer, errors, type RouteContext } from '../context';
import { workflowIdFor } from '../../temporal/client';
import { isTimeZone } from '../../domain/zoned-time';
import { DEFAULT_MQL_TO_SQL_BENCHMARK, funnelReport, resolveRange } from '../../reports/funnel';
import { modelsReport } from '../../reports/models';
import { slaBoard } from '../../reports/sla';
import { undeliveredNoticeSchema } from '../../schemas/notices';

const ratio = z.object({ of: z.number().int(), count: z.number().int(), rate: z.number().nullable() });
const metrics = {
  leads: z.number().int(),
  mqls: z.number().int(),
  contacted: z.number().int(),
  sqls: z.number().int(),
  recycled: z.number().int(),
  disqualified: z.number().int(),
  slaBreaches: z.number().int(),
  leadToMql: ratio,
  mqlToSql: ratio,
  timeToFirstContact: z.object({
    count: z.number().int(),
    businessTime: z.number().int().describe('of count, the handoffs measured in business time (campaigns whose policy has businessHours); the others in wall-clock time'),
    medianSeconds: z.number().nullable(),
    p90Seconds: z.number().nullable(),
  }),
  sla: ratio,
  rejectionReasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
};

const funnelSchema = z.object({
  range: z.object({ from: z.string(), to: z.string(), tz: z.string() }),
  filters: z.object({ campaignId: z.string().nullable(), source: z.string().nullable() }),
  benchmark: z.object({ mqlToSql: z.number(), met: z.boolean().nullable() }),
  totals: z.object(metrics),
  byCampaign: z.array(z.object({ campaignId: z.string(), ...metrics })),
  bySource: z.array(
    z.object({ source: z.string().nullable(), utmSource: z.string().nullable(), utmMedium: z.string().nullable(), utmCampaign: z.string().nullable(), ...metrics }),
  ),
  weekly: z.array(z.object({ week: z.string(), ...metrics })),
});

const funnelQuery = z.strictObject({
  from: z.string().max(40).optional().describe('start of the period (ISO date or date-time, inclusive); default: 12 weeks before `to`'),
  to: z.string().max(40).optional().describe('end of the period (exclusive); default: now'),
  campaignId: z.string().trim().min(1).max(64).optional(),
  source: z.string().trim().min(1).max(100).optional(),
  tz: z.string().max(64).optional().describe('IANA time zone of the weekly buckets (weeks start on Monday) and of date-only bounds, e.g. Asia/Tokyo; default REPORT_TIME_ZONE'),
  benchmark: z.coerce.number().min(0).max(1).default(DEFAULT_MQL_TO_SQL_BENCHMARK).describe('MQL→SQL rate called good (default 0.3)'),
});

const slaSchema = z.object({
  now: z.string(),
  total: z.number().int(),
  breached: z.number().int(),
  entries: z.array(
    z.object({
      leadId: z.string(),
      name: z.string().nullable(),
      company: z.string().nullable(),
      email: z.string(),
      campaignId: z.string(),
      owner: z.string().nullable(),
      score: z.number().int(),
      cycle: z.number().int(),
      mqlAt: z.string(),
      assignedAt: z.string(),
      sla: z.string(),
      deadline: z.string(),
      secondsLeft: z.number().int(),
      breaches: z.number().int(),
      breached: z.boolean(),
      undeliveredNotices: z.array(undeliveredNoticeSchema).describe("this cycle's owner and escalation emails that never arrived: the owner may not know about the lead"),
      uiUrl: z.string().nullable().describe("the lead's workflow in the Temporal Web UI (null when TEMPORAL_UI_URL is not set)"),
    }),
  ),
});

const slaQuery = z.strictObject({
  campaignId: z.string().trim().min(1).max(64).optional(),
  owner: z.string().trim().min(1).max(320).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const outcome = z.object({ mqls: z.number().int(), sqls: z.number().int(), mqlToSql: ratio });
const comparison = {
  leads: z.number().int().describe('leads of the campaign that ran with a shadow model'),
  primary: outcome.describe('the primary model: leads it handed off (MQL), and of those the ones accepted as SQL'),
  shadow: outcome.describe('the shadow model: leads it would have made MQL, and of those the ones accepted as SQL'),
  agreement: z.object({ both: z.number().int(), primaryOnly: z.number().int(), shadowOnly: z.number().int(), neither: z.number().int() }),
};
const modelRef = z.object({ id: z.string(), version: z.number().int() });
const modelsSchema = z.object({
  campaignId: z.string(),
  range: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  ...comparison,
  byModels: z.array(z.object({ model: modelRef, shadowModel: modelRef, ...comparison })),
});
const when = z.string().max(40).refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date or date-time');
const modelsQuery = z.strictObject({
  campaignId: z.string().trim().min(1).max(64),
  from: when.optional().describe('only leads enrolled from then (inclusive)'),
  to: when.optional().describe('only leads enrolled before then (exclusive)'),
});

export function reportRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/reports/funnel', {
      config: { access: ['marketing', 'ops'] },
      schema: {
        tags: ['reports'],
        summary: 'Funnel: counts, conversions, time to first contact, SLA compliance, rejection reasons; by campaign, by source/UTM, by week',
        description: 'Computed from the stage transitions; the counting rules are in docs/reports.md. Roles: marketing, ops.',
        security: bearer,
        querystring: funnelQuery,
        response: { 200: funnelSchema, ...errors(400, 401, 403) },
      },
      handler: async (request) => {
        const q = request.query;
        const tz = q.tz ?? ctx.reportTimeZone ?? 'UTC';
        if (!isTimeZone(tz)) throw new ApiError(400, 'validation_failed', 'tz: not a time zone', [{ in: 'querystring', field: 'tz', message: 'not a time zone' }]);
        const range = resolveRange(q.from, q.to, new Date(), tz);
        if ('error' in range) {
          const [field, ...rest] = range.error.split(': ');
          throw new ApiError(400, 'validation_failed', range.error, [{ in: 'querystring', field, message: rest.join(': ') }]);
        }
        return funnelReport(ctx.pool, { ...range, campaignId: q.campaignId, source: q.source, tz }, q.benchmark);
      },
    });

    app.get('/v1/reports/models', {
      config: { access: ['marketing', 'ops'] },
      schema: {
        tags: ['reports'],
        summary: 'Primary vs shadow scoring model on the same leads: MQLs and MQL→SQL of each (A/B)',
        description: 'Over the leads of the campaign that ran with a shadow model (`shadowScoringModel`), optionally enrolled in [from, to). Counting rules in docs/reports.md. Roles: marketing, ops.',
        security: bearer,
        querystring: modelsQuery,
        response: { 200: modelsSchema, ...errors(400, 401, 403) },
      },
      handler: async (request) => {
        const q = request.query;
        const from = q.from ? new Date(q.from) : undefined;
        const to = q.to ? new Date(q.to) : undefined;
        if (from && to && from.getTime() >= to.getTime()) {
          throw new ApiError(400, 'validation_failed', 'from: must be before to', [{ in: 'querystring', field: 'from', message: 'must be before to' }]);
        }
        return modelsReport(ctx.pool, { campaignId: q.campaignId, ...(from ? { from } : {}), ...(to ? { to } : {}) });
      },
    });

    app.get('/v1/reports/sla', {
      config: { access: ['marketing', 'sales', 'ops'] },
      schema: {
        tags: ['reports'],
        summary: 'SLA board: open handoffs (stage mql) with owner and time left, breached first',
        description: 'The deadline is the last handoff or reassignment plus the SLA of the lead\'s campaign version. Roles: marketing, sales, ops; with a sales user\'s key only that user\'s handoffs (another `owner` → 403).',
        security: bearer,
        querystring: slaQuery,
        response: { 200: slaSchema, ...errors(400, 401, 403) },
      },
      handler: async (request) => {
        const { owner } = await listScope(ctx.pool, request.principal!, request.query.owner);
        const board = await slaBoard(ctx.pool, { now: new Date(), ...request.query, ...(owner ? { owner } : {}) });
        const ns = encodeURIComponent(ctx.client.options.namespace);
        return {
          ...board,
          entries: board.entries.map((e) => ({
            ...e,
            uiUrl: ctx.temporalUiUrl ? `${ctx.temporalUiUrl}/namespaces/${ns}/workflows/${encodeURIComponent(workflowIdFor(e.leadId))}` : null,
          })),
        };
      },
    });

    // The dashboard: static files; the page asks for an API key and calls the two routes above.
    for (const name of Object.keys(DASHBOARD_ASSETS)) {
      const url = name === 'index.html' ? '/dashboard' : `/dashboard/${name}`;
      app.get(url, {
        config: { access: 'public' },
        schema: { hide: true },
        handler: async (_request, reply) => {
          const asset = dashboardAsset(name);
          return reply
            .type(asset.type)
            .header('cache-control', 'no-cache')
            .header('x-content-type-options', 'nosniff')
            .header('referrer-policy', 'no-referrer')
            .header(
              'content-security-policy',
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            )
            .send(asset.body);
        },
      });
    }
  };
}
