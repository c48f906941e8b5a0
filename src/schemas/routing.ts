// A campaign's routing rules (`policy.routing`): bounded, so that poolFor in workflow code stays
// cheap and the workflow's state small. Wired into the campaign policy by src/schemas/campaign.ts.
import { z } from 'zod';
import { DEFAULT_POOL_ID, FALLBACK_ASSIGNMENT, type RoutingRule } from '../domain/routing';
import { email, id, normalizeEmail } from './common';

export const MAX_ROUTING_RULES = 50;
export const MAX_RULE_OWNERS = 50;

const RESERVED_IDS: readonly string[] = [DEFAULT_POOL_ID, FALLBACK_ASSIGNMENT];
const text = z.string().trim().min(1).max(1000);

/** Several conditions may be given; a rule matches when all hold (gte with lte is a range). */
const conditionSchema = z
  .strictObject({
    attribute: z.string().trim().min(1).max(64).regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." and "-" only, starting with a letter or "_"'),
    equals: z.union([text, z.number().finite(), z.boolean()]).optional(),
    oneOf: z.array(z.union([text, z.number().finite()])).min(1).max(1000).optional(),
    gte: z.number().finite().optional(),
    lte: z.number().finite().optional(),
  })
  .refine((c) => [c.equals, c.oneOf, c.gte, c.lte].some((v) => v !== undefined), { message: 'needs at least one of equals, oneOf, gte, lte' })
  .refine((c) => c.gte === undefined || c.lte === undefined || c.gte <= c.lte, { path: ['lte'], message: 'must be at least gte' });

const ownersSchema = z
  .array(email)
  .min(1)
  .max(MAX_RULE_OWNERS)
  .refine((owners) => new Set(owners.map(normalizeEmail)).size === owners.length, 'owners must not repeat (case and spaces ignored)');

export const routingRuleSchema = z.strictObject({ id, when: conditionSchema, owners: ownersSchema });

export const routingSchema = z.strictObject({
  rules: z
    .array(routingRuleSchema)
    .max(MAX_ROUTING_RULES)
    .superRefine((rules, ctx) => {
      const seen = new Set<string>();
      for (const [i, rule] of rules.entries()) {
        // Reserved: the pool id and the assignedBy of the policy's own owners (src/domain/routing.ts).
        if (RESERVED_IDS.includes(rule.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `'${rule.id}' is reserved for the policy's own owners; choose another id` });
        else if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `rule id '${rule.id}' is used twice` });
        seen.add(rule.id);
      }
    }),
});
export type Routing = z.output<typeof routingSchema>;

/** The rules as the workflow's poolFor takes them (the compiler checks that the shapes agree). */
export const routingRules = (routing: Routing): RoutingRule[] => routing.rules;
