// Request bodies of the catalog routes, built from the one schema per concept in src/schemas.
import { z } from 'zod';
import { checkTemplate, type TemplateMode } from '../mail/templates';
import { campaignSchema, policySchema } from '../schemas/campaign';
import { id } from '../schemas/common';
import { scoringModelBodySchema } from '../schemas/scoring-model';

const TEMPLATE_FIELDS: [field: 'subject' | 'body' | 'html', mode: TemplateMode][] = [
  ['subject', 'text'],
  ['body', 'text'],
  ['html', 'html'],
];

/** PUT /v1/campaigns/:id. Policy fields not given take the documented defaults. */
export const campaignBodySchema = campaignSchema
  .omit({ id: true, version: true })
  .extend({
    scoringModel: id.default('default').describe('id of the scoring model; leads enrolling get its latest version'),
    shadowScoringModel: id
      .optional()
      .describe('id of a second scoring model computed beside the first for comparison (GET /v1/reports/models); it never hands a lead off'),
    policy: policySchema.prefault({}),
  })
  // Templates are compiled when the campaign is saved: a broken one never reaches a lead.
  .superRefine((campaign, ctx) => {
    if (campaign.shadowScoringModel !== undefined && campaign.shadowScoringModel === campaign.scoringModel) {
      ctx.addIssue({ code: 'custom', path: ['shadowScoringModel'], message: 'must differ from scoringModel (a model cannot shadow itself)' });
    }
    for (const track of ['steps', 'recycleSteps'] as const) {
      for (const [index, step] of (campaign[track] ?? []).entries()) {
        for (const [field, mode] of TEMPLATE_FIELDS) {
          const source = step[field];
          if (source === undefined) continue;
          const problem = checkTemplate(source, mode);
          if (problem) {
            ctx.addIssue({ code: 'custom', path: [track, index, field], message: `${problem.message} at line ${problem.line}, column ${problem.column}` });
          }
        }
      }
    }
  });
export type CampaignBody = z.output<typeof campaignBodySchema>;

/** PUT /v1/scoring-models/:id. */
export const scoringModelBody = scoringModelBodySchema;
export type ScoringModelBody = z.output<typeof scoringModelBodySchema>;
