import { z } from 'zod';
import type { ScoringModel } from '../domain/types';
import { duration, id, scalar } from './common';

const validRegex = (pattern: string) => {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
};

export const behaviorRuleSchema = z.strictObject({
  id,
  event: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lowercase snake_case event type'),
  where: z.record(z.string().min(1).max(64), scalar).optional(),
  points: z.number().int().min(-1000).max(1000),
  maxPoints: z.number().int().min(0).max(100_000).optional(),
});

export const fitRuleSchema = z
  .strictObject({
    id,
    attribute: z.string().min(1).max(64),
    equals: scalar.optional(),
    oneOf: z.array(z.union([z.string().max(1000), z.number().finite()])).min(1).max(1000).optional(),
    gte: z.number().finite().optional(),
    lte: z.number().finite().optional(),
    pattern: z.string().min(1).max(500).refine(validRegex, 'must be a valid regular expression').optional(),
    points: z.number().int().min(-1000).max(1000),
  })
  .refine((r) => [r.equals, r.oneOf, r.gte, r.lte, r.pattern].some((v) => v !== undefined), {
    message: 'a fit rule needs one of equals, oneOf, gte, lte or pattern',
  });

export const scoringModelBodySchema = z
  .strictObject({
    fit: z.array(fitRuleSchema).max(200).default([]),
    behavior: z.array(behaviorRuleSchema).max(200).default([]),
    behaviorWindow: duration.default('90d'),
    mql: z.strictObject({
      threshold: z.number().int().min(1).max(100_000),
      requireAnyOf: z.array(id).max(50).optional(),
    }),
  })
  .superRefine((model, ctx) => {
    const ids = new Set<string>();
    for (const [i, rule] of [...model.fit, ...model.behavior].entries()) {
      if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', path: [i < model.fit.length ? 'fit' : 'behavior'], message: `duplicate rule id '${rule.id}'` });
      ids.add(rule.id);
    }
    const behaviorIds = new Set(model.behavior.map((r) => r.id));
    for (const [i, ruleId] of (model.mql.requireAnyOf ?? []).entries()) {
      if (!behaviorIds.has(ruleId)) ctx.addIssue({ code: 'custom', path: ['mql', 'requireAnyOf', i], message: `'${ruleId}' is not a behaviour rule id of this model` });
    }
  });

export const scoringModelSchema = z.intersection(z.object({ id, version: z.number().int().min(1) }), scoringModelBodySchema);

export function parseScoringModel(value: unknown): ScoringModel {
  return scoringModelSchema.parse(value) as ScoringModel;
}
