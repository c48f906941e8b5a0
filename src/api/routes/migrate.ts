// POST /v1/campaigns/:id/migrate: marketing moves a campaign's running leads to its newest versions.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UnknownCatalogEntryError } from '../../catalog/store';
import { migrateCampaignLeads } from '../../leads/migrate';
import { id } from '../../schemas/common';
import { bearer, errors, type RouteContext } from '../context';
import { actorOf } from '../principal';

const version = z.object({ id: z.string(), version: z.number() });
const migrationResult = z.object({
  campaignId: z.string(),
  to: z.object({ campaignVersion: z.number(), scoringModel: version, shadowScoringModel: version.nullable() }),
  signalled: z.number().int().describe('running leads told to migrate'),
  notRunning: z.number().int().describe('leads whose workflow had already ended'),
});

export function migrateRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/v1/campaigns/:id/migrate', {
      config: { access: ['marketing'] },
      schema: {
        tags: ['campaigns'],
        summary: "Move the campaign's running leads to its newest versions",
        description:
          'Leads keep the campaign, policy and scoring model versions they enrolled with, and move to the newest ones at their next recycle. This moves them now: every running lead of the campaign not yet on the newest versions gets a `migrateTo` signal naming the versions (the workflow loads them from the catalog). Each lead records a `migrated` transition (from/to versions) and is re-scored under the new model: a nurturing lead the new model calls an MQL is handed off at once; a lead already with sales stays there. Repeating the call is harmless (leads already migrated ignore it). Answers 202 with the number of leads signalled. Role: marketing.',
        security: bearer,
        params: z.strictObject({ id: z.string().max(100) }),
        response: { 202: migrationResult, ...errors(401, 403, 404, 503) },
      },
      handler: async (request, reply) => {
        const campaignId = request.params.id;
        if (!id.safeParse(campaignId).success) throw new UnknownCatalogEntryError('campaign', campaignId);
        return reply.status(202).send(await migrateCampaignLeads(ctx, campaignId, { actor: actorOf(request.principal!) }));
      },
    });
  };
}
