// Marketing's and everyone's view of leads: enrol, read one, list, opt out, erase.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resolveLeadConfig } from '../../catalog/store';
import type { LeadView } from '../../domain/view';
import { STAGES } from '../../domain/types';
import { clearBounce } from '../../leads/bounce';
import type { IntakeDeps } from '../../leads/deps';
import { enrollLead } from '../../leads/enrol';
import { eraseLead } from '../../leads/erase';
import { UnknownLeadError } from '../../leads/errors';
import { listLeadPage, readLead } from '../../leads/read-model';
import { findLeadRow, type LeadRow } from '../../leads/store';
import { unsubscribeLead } from '../../leads/unsubscribe';
import { enrollLeadSchema, enrollResultSchema as enrollResponse } from '../../schemas/lead';
import { undeliveredNoticeSchema } from '../../schemas/notices';
import { transitionSchema } from '../../schemas/transition';
import { decodeCursor, encodeCursor } from '../cursor';
import { ApiError } from '../errors';
import { assertMayTouch, listScope } from '../lead-access';
import { actorOf } from '../principal';
import { bearer, errors, leadIdParams, UUID_RE, type RouteContext } from '../context';

const stage = z.enum(STAGES);

const breakdownLine = z.object({
  kind: z.enum(['fit', 'behavior']),
  ruleId: z.string(),
  points: z.number(),
  eventId: z.string().optional(),
  eventType: z.string().optional(),
  at: z.string().optional().describe('when the event that earned the points happened'),
  attribute: z.string().optional(),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
});
const toBreakdown = (lines: LeadView['score']['breakdown']): z.infer<typeof breakdownLine>[] =>
  lines.map(({ at, ...line }) => ({ ...line, ...(at !== undefined ? { at: new Date(at).toISOString() } : {}) }));

export const leadDetailSchema = z.object({
  leadId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  company: z.string().nullable(),
  title: z.string().nullable(),
  stage,
  unsubscribed: z.boolean(),
  emailBounced: z.boolean(),
  score: z.object({ total: z.number(), fit: z.number().nullable(), behavior: z.number().nullable(), breakdown: z.array(breakdownLine), isMql: z.boolean().nullable() }),
  owner: z.string().nullable(),
  campaignId: z.string(),
  campaignVersion: z.number(),
  scoringModel: z.object({ id: z.string(), version: z.number() }),
  shadowScore: z
    .object({ model: z.object({ id: z.string(), version: z.number() }), total: z.number(), fit: z.number(), behavior: z.number(), breakdown: z.array(breakdownLine), isMql: z.boolean() })
    .nullable()
    .describe("the campaign's shadow scoring model: computed for comparison, never acted on (null without one, or when Temporal cannot be asked)"),
  shadowMqlAt: z.string().nullable().describe('when the shadow model first said MQL in this cycle'),
  cycle: z.number().nullable(),
  mqlAt: z.string().nullable(),
  slaDeadline: z.string().nullable(),
  contactedAt: z.string().nullable(),
  contactedWithinSla: z.boolean().nullable(),
  contactAttempts: z.number().int().describe('contact attempts logged in this handoff (0 from PostgreSQL alone)'),
  reached: z.boolean().nullable().describe('whether an attempt reached the lead; null before the first attempt'),
  nextAttemptDueAt: z.string().nullable().describe('when the next attempt is due, while no attempt has reached the lead'),
  qualificationDeadline: z.string().nullable(),
  recycleAt: z.string().nullable(),
  lastRejection: z.looseObject({ reason: z.string(), at: z.string() }).nullable(),
  source: z.string().nullable(),
  utm: z.record(z.string(), z.string()).nullable(),
  attributes: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
  transitions: z.array(transitionSchema).describe('the most recent transitions (up to 20), oldest first'),
  undeliveredNotices: z.array(undeliveredNoticeSchema).describe('owner and escalation emails about this lead that were never delivered, newest first'),
  temporal: z.object({
    workflowId: z.string(),
    runId: z.string().nullable(),
    status: z.string().nullable(),
    uiUrl: z.string().nullable().describe('this lead\'s history in the Temporal Web UI (null when TEMPORAL_UI_URL is not set)'),
    live: z.boolean().describe('false when the workflow could not be asked (then stage, owner and score come from PostgreSQL)'),
  }),
});

const listItem = z.object({
  leadId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  company: z.string().nullable(),
  stage,
  owner: z.string().nullable(),
  score: z.number(),
  unsubscribed: z.boolean(),
  campaignId: z.string(),
  slaBreached: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const listQuery = z.strictObject({
  stage: stage.optional(),
  owner: z.string().trim().min(1).max(320).optional(),
  campaignId: z.string().trim().min(1).max(64).optional(),
  slaBreached: z.enum(['true', 'false']).optional().describe('true: only leads that missed an SLA at least once; false: only leads that never did'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});

/** The list's sort key of a lead: its exact created_at and its id. */
const leadCursor = (cursor: string) =>
  decodeCursor(cursor, (v) => v.length === 2 && !Number.isNaN(Date.parse(v[0]!)) && UUID_RE.test(v[1]!)) as [string, string];

export function leadRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  // The route context carries everything intake needs.
  const deps: IntakeDeps = ctx;

  /** The lead's row, or 404. */
  async function loadRow(leadId: string): Promise<LeadRow> {
    if (!UUID_RE.test(leadId)) throw new UnknownLeadError(leadId);
    const row = await findLeadRow(ctx.pool, { leadId });
    if (!row) throw new UnknownLeadError(leadId);
    return row;
  }

  return async (app) => {
    app.post('/v1/leads', {
      config: { access: ['marketing'] },
      schema: {
        tags: ['leads'],
        summary: 'Enrol a lead (idempotent per normalized email)',
        description:
          'Creates the lead and starts its workflow with the latest versions of the campaign (default `default`) and its scoring model; the lead keeps those versions. The same email again (case and spaces ignored) answers 200 with `created: false` and merges the new attributes into the running workflow. A person erased on request answers 409 `suppressed` unless the body says `consent: "renewed"`. Role: marketing.',
        security: bearer,
        body: enrollLeadSchema,
        response: { 200: enrollResponse, 201: enrollResponse, ...errors(400, 401, 403, 409, 413, 415, 422, 503) },
      },
      handler: async (request, reply) => {
        const config = await resolveLeadConfig(ctx.pool, request.body.campaignId);
        const result = await enrollLead(deps, request.body, config);
        return reply.status(result.created ? 201 : 200).send(result);
      },
    });

    app.get('/v1/leads', {
      config: { access: ['marketing', 'sales', 'manager', 'ops'] },
      schema: {
        tags: ['leads'],
        summary: 'List leads, newest first',
        description: 'Filters combine with AND. Paginate with `cursor` = the previous page\'s `nextCursor` (null on the last page). Roles: marketing, sales, manager, ops; with a sales user\'s key only that user\'s leads, with a manager\'s only the team\'s.',
        security: bearer,
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(listItem), nextCursor: z.string().nullable() }), ...errors(400, 401, 403) },
      },
      handler: async (request) => {
        const q = request.query;
        const rows = await listLeadPage(ctx, {
          ...(q.stage ? { stage: q.stage } : {}),
          ...(await listScope(ctx.pool, request.principal!, q.owner)),
          ...(q.campaignId ? { campaignId: q.campaignId } : {}),
          ...(q.slaBreached ? { slaBreached: q.slaBreached === 'true' } : {}),
          ...(q.cursor ? { before: leadCursor(q.cursor) } : {}),
          limit: q.limit + 1,
        });
        const page = rows.slice(0, q.limit);
        const last = page[page.length - 1];
        return {
          items: page.map((r) => ({
            leadId: r.lead_id,
            email: r.email,
            name: r.name,
            company: r.company,
            stage: r.stage,
            owner: r.owner,
            score: r.live_score ?? r.score,
            unsubscribed: r.unsubscribed_at !== null,
            campaignId: r.campaign_id,
            slaBreached: r.sla_breached,
            createdAt: r.created_at.toISOString(),
            updatedAt: r.updated_at.toISOString(),
          })),
          nextCursor: rows.length > q.limit && last ? encodeCursor([last.created_text, last.lead_id]) : null,
        };
      },
    });

    app.get('/v1/leads/:leadId', {
      config: { access: ['marketing', 'sales', 'manager', 'ops'] },
      schema: {
        tags: ['leads'],
        summary: 'One lead: stage, score with breakdown, owner, deadlines, recent transitions, Temporal link',
        description: 'Live state comes from the lead\'s workflow; if Temporal cannot be asked, from PostgreSQL (`temporal.live: false`). Roles: marketing, sales, manager, ops; a sales user reads only their own leads, a manager the team\'s (else 403).',
        security: bearer,
        params: leadIdParams,
        response: { 200: leadDetailSchema, ...errors(401, 403, 404) },
      },
      handler: async (request) => {
        const leadId = request.params.leadId;
        const lead = await readLead(ctx, { leadId }, { transitions: 20, undeliveredNotices: true });
        if (!lead) throw new UnknownLeadError(leadId);
        await assertMayTouch(ctx.pool, request.principal!, lead.owner);
        const { row, live: view, workflow } = lead;
        const uiUrl = ctx.temporalUiUrl
          ? `${ctx.temporalUiUrl}/namespaces/${encodeURIComponent(ctx.client.options.namespace)}/workflows/${encodeURIComponent(workflow.workflowId)}${workflow.runId ? `/${workflow.runId}/history` : ''}`
          : null;
        return {
          leadId: row.lead_id,
          email: row.email,
          name: row.name,
          company: row.company,
          title: row.title,
          stage: lead.stage,
          unsubscribed: lead.unsubscribed,
          emailBounced: lead.emailBounced,
          score: view
            ? { total: view.score.total, fit: view.score.fit, behavior: view.score.behavior, breakdown: toBreakdown(view.score.breakdown), isMql: view.score.isMql }
            : { total: row.score, fit: null, behavior: null, breakdown: [], isMql: null },
          owner: lead.owner,
          campaignId: row.campaign_id,
          campaignVersion: lead.campaignVersion,
          scoringModel: lead.scoringModel,
          shadowScore: view?.shadowScore
            ? { model: view.shadowScore.model, total: view.shadowScore.total, fit: view.shadowScore.fit, behavior: view.shadowScore.behavior, breakdown: toBreakdown(view.shadowScore.breakdown), isMql: view.shadowScore.isMql }
            : null,
          shadowMqlAt: view?.shadowMqlAt ?? null,
          cycle: view?.cycle ?? null,
          mqlAt: view?.mqlAt ?? null,
          slaDeadline: view?.slaDeadline ?? null,
          contactedAt: view?.contactedAt ?? null,
          contactedWithinSla: view?.contactedWithinSla ?? null,
          contactAttempts: view?.contactAttempts ?? 0,
          reached: view?.reached ?? null,
          nextAttemptDueAt: view?.nextAttemptDueAt ?? null,
          qualificationDeadline: view?.qualificationDeadline ?? null,
          recycleAt: view?.recycleAt ?? null,
          lastRejection: view?.lastRejection ?? null,
          source: row.source,
          utm: row.utm,
          attributes: row.attributes,
          createdAt: row.created_at.toISOString(),
          updatedAt: row.updated_at.toISOString(),
          transitions: lead.transitions,
          undeliveredNotices: lead.undeliveredNotices,
          temporal: { workflowId: workflow.workflowId, runId: workflow.runId, status: workflow.status, uiUrl, live: view !== null },
        };
      },
    });

    app.post('/v1/leads/:leadId/unsubscribe', {
      config: { access: ['marketing'] },
      schema: {
        tags: ['leads'],
        summary: 'Opt the lead out of email (as the link in every nurture email does)',
        description: 'No email is sent to the lead again; it is still scored and can still be handed to sales. Idempotent. Role: marketing.',
        security: bearer,
        params: leadIdParams,
        response: { 200: z.object({ leadId: z.string(), unsubscribed: z.literal(true) }), ...errors(401, 403, 404) },
      },
      handler: async (request) => {
        const row = await loadRow(request.params.leadId);
        await unsubscribeLead(deps, row.lead_id, { actor: actorOf(request.principal!) });
        return { leadId: row.lead_id, unsubscribed: true as const };
      },
    });

    app.delete('/v1/leads/:leadId/bounce', {
      config: { access: ['ops'] },
      schema: {
        tags: ['leads'],
        summary: "Clear the lead's bounce flag: email may go to the lead again and nurture resumes",
        description:
          "For an address that works again, or a bounce recorded by mistake. The lead's workflow records `bounce_cleared` and schedules its pending nurture step (its delay counted from now). Idempotent: `wasBounced` says whether the flag was set. Role: ops.",
        security: bearer,
        params: leadIdParams,
        response: { 200: z.object({ leadId: z.string(), emailBounced: z.literal(false), wasBounced: z.boolean() }), ...errors(401, 403, 404, 503) },
      },
      handler: async (request) => {
        const row = await loadRow(request.params.leadId);
        const { wasBounced } = await clearBounce(deps, row.lead_id, { actor: actorOf(request.principal!) });
        request.log.info({ leadId: row.lead_id, wasBounced }, 'bounce flag cleared');
        return { leadId: row.lead_id, emailBounced: false as const, wasBounced };
      },
    });

    app.delete('/v1/leads/:leadId', {
      config: { access: ['ops'] },
      schema: {
        tags: ['leads'],
        summary: 'Erase the person (data subject request)',
        description:
          'Terminates and deletes every run of the lead\'s workflow in Temporal, then deletes the lead\'s rows in every table (lead, events, transitions, email log). Only an anonymous count per day, campaign and stage remains. A second call answers 404. Role: ops.',
        security: bearer,
        params: leadIdParams,
        response: { 204: z.null().describe('erased'), ...errors(401, 403, 404, 503) },
      },
      handler: async (request, reply) => {
        const row = await loadRow(request.params.leadId);
        await eraseLead(deps, row.lead_id);
        request.log.info({ leadId: row.lead_id }, 'lead erased on request');
        return reply.status(204).send(null);
      },
    });
  };
}

export { ApiError };
