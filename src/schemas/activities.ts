// Activity inputs, checked at the activity boundary: a payload from an older or corrupted history
// fails once, non-retryably, with the field named, instead of sending a broken email or row.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { STAGES } from '../domain/types';
import { campaignStepSchema } from './campaign';

const leadId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a lead id (UUID)');
const count = z.number().int().min(0);
const epochMs = z.number().int().min(0);
const address = z.string().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address');

export const sendNurtureEmailInput = z.object({ leadId, campaignId: z.string().min(1), campaignVersion: count, cycle: count, stepIndex: count, step: campaignStepSchema });

const transitionRecord = {
  transition: z.object({ seq: z.number().int().min(1), from: z.enum(STAGES).nullable(), to: z.enum(STAGES), at: epochMs, reason: z.string().min(1), cycle: count, score: z.number().int() }).passthrough(),
  snapshot: z.object({ stage: z.enum(STAGES), owner: z.string().nullable(), score: z.number().int(), unsubscribed: z.boolean(), emailBounced: z.boolean() }),
};

export const notifyOwnerInput = z.object({
  leadId,
  owner: address,
  reason: z.enum(['handoff', 'reassigned']),
  cycle: count,
  assignment: count,
  slaDeadline: epochMs,
  score: z.object({ total: z.number(), fit: z.number(), behavior: z.number(), breakdown: z.array(z.object({ ruleId: z.string(), points: z.number() }).passthrough()) }).passthrough(),
  /** Absent in commands of runs before the field existed. */
  transitionSeq: count.optional(),
  /** An email that records its step's transition (workflows/lead-commands.ts). */
  record: z.object(transitionRecord).optional(),
  timeZone: z.string().max(64).optional(),
});

export const remindOwnerInput = z.object({
  leadId,
  owner: address,
  cycle: count,
  attempts: count,
  maxAttempts: count,
  dueAt: epochMs,
  timeZone: z.string().max(64).optional(),
});

export const recordTransitionInput = z.object({ leadId, ...transitionRecord });

export const chooseOwnerInput = z.object({
  leadId,
  reason: z.enum(['handoff', 'reassigned']),
  cycle: count,
  assignment: count,
  campaignId: z.string().min(1).max(64),
  pools: z.array(z.object({ poolId: z.string().min(1).max(64), owners: z.array(address).max(500), assignedBy: z.string().min(1).max(64) })).min(1).max(2),
  exclude: z.array(z.string().max(320)).max(10),
  manager: address,
  at: epochMs,
  transitionSeq: count,
  /** Routing's pick records its step's transition first (workflows/lead-commands.ts). */
  record: z.object(transitionRecord).optional(),
});

export const escalateSlaInput = z.object({
  leadId,
  manager: address,
  missedBy: z.string().min(1),
  cycle: count,
  breach: count,
  deadline: epochMs,
  outcome: z.enum(['reassigned', 'recycled']),
  nextOwner: z.string().nullable(),
  /** An email that records its step's transition (workflows/lead-commands.ts). */
  record: z.object(transitionRecord).optional(),
});

const catalogRef = z.object({ id: z.string().min(1).max(64), version: z.number().int().min(1) });
export const catalogVersionsInput = z.object({ campaign: catalogRef, model: catalogRef, shadowModel: catalogRef.nullable() });

/** Parses `value` or fails the activity for good, naming the fields. */
export function activityInput<S extends z.ZodType>(activity: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
  throw ApplicationFailure.nonRetryable(`${activity}: invalid input: ${problems}`, 'InvalidActivityInput');
}
