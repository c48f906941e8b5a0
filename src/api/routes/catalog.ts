// Campaigns and scoring models: every PUT stores an immutable version; GET shows the current one
// and the list of earlier ones; a given version stays readable forever.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { campaignBodySchema, scoringModelBody } from '../../catalog/schemas';
import { getCampaign, getScoringModel, listEntries, listVersions, putCampaign, putScoringModel, UnknownCatalogEntryError } from '../../catalog/store';
import { id } from '../../schemas/common';
import { bearer, errors, type RouteContext } from '../context';

const idParams = z.strictObject({ id: z.string().max(100) });
const versionParams = z.strictObject({ id: z.string().max(100), version: z.coerce.number().int().min(1).max(2_147_483_647) });
const putResult = z.object({ id: z.string(), version: z.number(), created: z.boolean().describe('false when the body equalled the current version (nothing stored)') });
const versionList = z.array(z.object({ version: z.number(), createdAt: z.string() }));
const entryList = z.object({ items: z.array(z.object({ id: z.string(), version: z.number(), name: z.string().optional(), updatedAt: z.string() })) });
const anyObject = z.looseObject({ id: z.string(), version: z.number(), createdAt: z.string() });

const READ = ['marketing', 'ops'] as const;
const WRITE = ['marketing'] as const;

/** A catalog id in a path must follow the id rules; one that does not cannot exist (404 on read). */
const validId = (value: string): boolean => id.safeParse(value).success;

export function catalogRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (app) => {
    const kinds = [
      {
        kind: 'scoring model' as const,
        path: '/v1/scoring-models',
        tag: 'scoring models',
        body: scoringModelBody,
        put: (entryId: string, body: unknown) => putScoringModel(ctx.pool, entryId, body as z.output<typeof scoringModelBody>),
        get: (entryId: string, version?: number) => getScoringModel(ctx.pool, entryId, version),
        describe: 'Body: `{ fit: [rule], behavior: [rule], behaviorWindow: "90d", mql: { threshold, requireAnyOf? } }`. Fit rule `{ id, attribute, equals|oneOf|gte|lte|pattern, points }`; behaviour rule `{ id, event, where?, points, maxPoints? }`.',
      },
      {
        kind: 'campaign' as const,
        path: '/v1/campaigns',
        tag: 'campaigns',
        body: campaignBodySchema,
        put: (entryId: string, body: unknown) => putCampaign(ctx.pool, entryId, body as z.output<typeof campaignBodySchema>),
        get: (entryId: string, version?: number) => getCampaign(ctx.pool, entryId, version),
        describe:
          'Body: `{ name, scoringModel (id, default "default"), steps: [{ id, delay, subject, body }], recycleSteps?, policy: { sla, maxReassignments, qualificationWindow, recyclePeriod, bantRequired, owners, manager } }`; policy fields take their defaults (24h, 2, 14d, 30d, 3) when absent. An unknown `scoringModel` → 422.',
      },
    ];

    for (const k of kinds) {
      app.put(`${k.path}/:id`, {
        config: { access: WRITE },
        schema: {
          tags: [k.tag],
          summary: `Store a new version of a ${k.kind}`,
          description: `Versions are immutable: leads keep the version they enrolled with. A body equal to the current version stores nothing and answers 200 with that version; otherwise 201 with the new version. ${k.describe} Role: marketing.`,
          security: bearer,
          params: z.strictObject({ id }),
          body: k.body,
          response: { 200: putResult, 201: putResult, ...errors(400, 401, 403, 413, 415, 422) },
        },
        handler: async (request, reply) => {
          const result = await k.put(request.params.id, request.body);
          return reply.status(result.created ? 201 : 200).send(result);
        },
      });

      app.get(`${k.path}/:id`, {
        config: { access: READ },
        schema: {
          tags: [k.tag],
          summary: `The current version of a ${k.kind}, with the list of all versions`,
          description: 'Roles: marketing, ops.',
          security: bearer,
          params: idParams,
          response: { 200: z.looseObject({ id: z.string(), version: z.number(), createdAt: z.string(), versions: versionList }), ...errors(401, 403, 404) },
        },
        handler: async (request) => {
          const entryId = request.params.id;
          const current = validId(entryId) ? await k.get(entryId) : null;
          if (!current) throw new UnknownCatalogEntryError(k.kind, entryId);
          return { ...current, versions: await listVersions(ctx.pool, k.kind, entryId) };
        },
      });

      app.get(`${k.path}/:id/versions/:version`, {
        config: { access: READ },
        schema: {
          tags: [k.tag],
          summary: `One version of a ${k.kind}`,
          description: 'Roles: marketing, ops.',
          security: bearer,
          params: versionParams,
          response: { 200: anyObject, ...errors(400, 401, 403, 404) },
        },
        handler: async (request) => {
          const { id: entryId, version } = request.params;
          const found = validId(entryId) ? await k.get(entryId, version) : null;
          if (!found) throw new UnknownCatalogEntryError(k.kind, `${entryId}' version '${version}`);
          return { ...found };
        },
      });

      app.get(k.path, {
        config: { access: READ },
        schema: {
          tags: [k.tag],
          summary: `Every ${k.kind} with its current version`,
          description: 'Roles: marketing, ops.',
          security: bearer,
          response: { 200: entryList, ...errors(401, 403) },
        },
        handler: async () => ({ items: await listEntries(ctx.pool, k.kind) }),
      });
    }
  };
}
