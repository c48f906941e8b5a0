import { z } from 'zod';
import type { ScoringModel } from '../domain/types';
import { checkPattern, MAX_MODEL_PATTERN_INSTRUCTIONS } from '../domain/pattern';
import { duration, id, scalar } from './common';

/** A pattern the scoring engine (RE2) compiles: refused with the engine's reason otherwise. */
const enginePattern = z
  .string()
  .min(1)
  .max(500)
  .superRefine((pattern, ctx) => {
    const check = checkPattern(pattern);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: check.reason });
  });

export const behaviorRuleSchema = z.strictObject({
  id,
  event: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lowercase snake_case event type'),
  where: z.record(z.string().min(1).max(64), scalar).optional(),
  points: z.number().int().min(-1000).max(1000),
  maxPoints: z.number().int().min(0).max(100_000).optional(),
});

const fitRule = <P extends z.ZodType<string>>(pattern: P) =>
  z
    .strictObject({
      id,
      attribute: z.string().min(1).max(64),
      equals: scalar.optional(),
      oneOf: z.array(z.union([z.string().max(1000), z.number().finite()])).min(1).max(1000).optional(),
      gte: z.number().finite().optional(),
      lte: z.number().finite().optional(),
      pattern: pattern.optional(),
      points: z.number().int().min(-1000).max(1000),
    })
    .refine((r) => [r.equals, r.oneOf, r.gte, r.lte, r.pattern].some((v) => v !== undefined), {
      message: 'a fit rule needs one of equals, oneOf, gte, lte or pattern',
    });

export const fitRuleSchema = fitRule(enginePattern);
/** Stored versions stay readable: a pattern stored before the engine check is kept (it matches nothing). */
const storedFitRuleSchema = fitRule(z.string().min(1).max(500));

const modelBody = <F extends typeof fitRuleSchema | typeof storedFitRuleSchema>(fitRules: F, checkPatterns: boolean) =>
  z
    .strictObject({
      fit: z.array(fitRules).max(200).default([]),
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
      if (checkPatterns) {
        // One scoring pass runs every pattern: their program sizes together bound its time.
        let total = 0;
        for (const [i, rule] of model.fit.entries()) {
          const check = rule.pattern === undefined ? null : checkPattern(rule.pattern);
          if (!check?.ok) continue;
          total += check.instructions;
          if (total > MAX_MODEL_PATTERN_INSTRUCTIONS) {
            ctx.addIssue({ code: 'custom', path: ['fit', i, 'pattern'], message: `the model's patterns together compile to more than ${MAX_MODEL_PATTERN_INSTRUCTIONS} instructions` });
            break;
          }
        }
      }
    });

/** PUT bodies: every pattern compiles on the scoring engine. */
export const scoringModelBodySchema = modelBody(fitRuleSchema, true);

/** A stored version, read back: as saved (older versions may hold patterns the engine refuses). */
export const scoringModelSchema = z.intersection(z.object({ id, version: z.number().int().min(1) }), modelBody(storedFitRuleSchema, false));

export function parseScoringModel(value: unknown): ScoringModel {
  return scoringModelSchema.parse(value) as ScoringModel;
}
