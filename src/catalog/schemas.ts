// Request bodies of the catalog routes, built from the one schema per concept in src/schemas.
import { z } from 'zod';
import { campaignSchema, policySchema } from '../schemas/campaign';
import { id } from '../schemas/common';
import { scoringModelBodySchema } from '../schemas/scoring-model';

/** PUT /v1/campaigns/:id. Policy fields not given take the documented defaults. */
export const campaignBodySchema = campaignSchema.omit({ id: true, version: true }).extend({
  scoringModel: id.default('default').describe('id of the scoring model; leads enrolling get its latest version'),
  policy: policySchema.prefault({}),
});
export type CampaignBody = z.output<typeof campaignBodySchema>;

/** PUT /v1/scoring-models/:id. */
export const scoringModelBody = scoringModelBodySchema;
export type ScoringModelBody = z.output<typeof scoringModelBodySchema>;
