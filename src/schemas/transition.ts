// A recorded transition as the API and the CLI show it (a row of lead_transitions).
import { z } from 'zod';
import { STAGES } from '../domain/types';

const stage = z.enum(STAGES);

export const transitionSchema = z.object({
  seq: z.number(),
  from: stage.nullable(),
  to: stage,
  reason: z.string(),
  at: z.string(),
  cycle: z.number(),
  score: z.number(),
  owner: z.string().nullable(),
  rep: z.string().nullable(),
  actor: z.string().nullable().describe('who caused it: a user\'s email, or service:<role> for a role key of API_KEYS; null for the workflow\'s own transitions'),
  rejectionReason: z.string().nullable(),
  note: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).describe("what else the transition recorded, e.g. a migration's from/to versions"),
});

/** A stored transition, read back. (The activity argument that records one is TransitionToRecord, activities/index.ts.) */
export type TransitionRecord = z.infer<typeof transitionSchema>;
