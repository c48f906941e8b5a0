// POST /v1/scoring-models/:id/what-if: a candidate model against the leads that run on model :id.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scoringModelBody } from '../../catalog/schemas';
import { getScoringModel, UnknownCatalogEntryError } from '../../catalog/store';
import { STAGES } from '../../domain/types';
import { id, isoTimestamp } from '../../schemas/common';
import { MAX_CHANGES_LISTED, WHAT_IF_LIMITS, whatIf } from '../../scoring/what-if';
import { bearer, errors, type RouteContext } from '../context';

const body = z.strictObject({
  candidate: scoringModelBody.describe('the model to try, in the body format of PUT /v1/scoring-models/:id (not stored)'),
  filter: z
    .strictObject({
      campaignId: id.optional(),
      stage: z.enum(STAGES).optional().describe("the lead's current stage"),
      since: isoTimestamp.optional().describe('only leads enrolled at or after this instant'),
    })
    .optional(),
});

const scorePair = z.object({ score: z.number(), isMql: z.boolean() });
const side = z.object({ mql: z.number(), meanScore: z.number() });
const result = z.object({
  modelId: z.string(),
  asOf: z.string(),
  leadsEvaluated: z.number(),
  complete: z.boolean().describe(`false when a bound stopped the run before every matching lead was scored (at most ${WHAT_IF_LIMITS.maxLeads} leads, ${WHAT_IF_LIMITS.timeBudgetMs / 1000} s)`),
  stoppedBy: z.enum(['maxLeads', 'timeBudget']).nullable().describe('the bound that stopped the run, or null'),
  leadsWithEventsCut: z.number().describe(`leads with more than ${WHAT_IF_LIMITS.maxEventsPerLead} events: only their newest ${WHAT_IF_LIMITS.maxEventsPerLead} were scored`),
  mql: z.object({ current: z.number(), candidate: z.number() }).describe('leads that are an MQL by score now: with the version they run on, and with the candidate'),
  changes: z.object({
    becomeMql: z.number(),
    stopBeingMql: z.number(),
    scoreChanged: z.number(),
    listed: z.array(z.object({ leadId: z.string(), stage: z.enum(STAGES), current: scorePair, candidate: scorePair })).describe(`the first ${MAX_CHANGES_LISTED} leads whose score or MQL status would change`),
    truncated: z.boolean(),
  }),
  outcomes: z
    .array(z.object({ outcome: z.string(), handoffs: z.number(), current: side, candidate: side }))
    .describe('past handoffs sales decided ("accepted", "rejected:<reason>", "disqualified:<reason>"), each scored at the moment it became an MQL'),
});

export function whatIfRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/v1/scoring-models/:id/what-if', {
      config: { access: ['marketing', 'ops'] },
      schema: {
        tags: ['scoring models'],
        summary: 'Re-score existing leads with a candidate model (nothing is stored or changed)',
        description:
          `Scores each lead of model :id (filtered by campaign, stage, enrolment time) from its stored event log, with the version it runs on and with the candidate, using the workflow's scoring code. Bounded so that it cannot hold up the API: at most ${WHAT_IF_LIMITS.maxLeads} leads, the newest ${WHAT_IF_LIMITS.maxEventsPerLead} events of each, and ${WHAT_IF_LIMITS.timeBudgetMs / 1000} s; a run that reaches a bound answers what it has with \`complete: false\` and \`stoppedBy\`. Narrow the filter to cover the rest. Roles: marketing, ops.`,
        security: bearer,
        params: z.strictObject({ id: z.string().max(100) }),
        body,
        response: { 200: result, ...errors(400, 401, 403, 404, 413, 415) },
      },
      handler: async (request) => {
        const modelId = request.params.id;
        const current = id.safeParse(modelId).success ? await getScoringModel(ctx.pool, modelId) : null;
        if (!current) throw new UnknownCatalogEntryError('scoring model', modelId);
        const { candidate, filter = {} } = request.body;
        return whatIf(
          ctx.pool,
          modelId,
          { ...candidate, id: `${modelId} (candidate)`, version: 0 },
          { ...(filter.campaignId ? { campaignId: filter.campaignId } : {}), ...(filter.stage ? { stage: filter.stage } : {}), ...(filter.since ? { since: new Date(filter.since) } : {}) },
        );
      },
    });
  };
}
