// Which assignment of a lead is current, and whether a rep's lead link still opens it. Pure: the
// transitions come from PostgreSQL (all of them) merged with the workflow's recent ones, so that an
// assignment made a moment ago, whose row is still being written, is already known.
import type { Stage } from '../domain/types';
import type { Assignment, LeadLinkToken } from './link-tokens';

/** Transitions that give a lead an owner: the handoff, a reassignment after a missed SLA, routing's pick. */
const ASSIGNING: ReadonlySet<string> = new Set(['mql', 'sla_breached', 'assigned']);

export interface TransitionLike {
  seq: number;
  reason: string;
  cycle: number;
}

/** The newest assigning transition; null before the first handoff. */
export function assignmentOf(transitions: readonly TransitionLike[]): Assignment | null {
  let found: Assignment | null = null;
  for (const t of transitions) if (ASSIGNING.has(t.reason) && (found === null || t.seq > found.seq)) found = { cycle: t.cycle, seq: t.seq };
  return found;
}

export interface CurrentLead {
  stage: Stage;
  owner: string | null;
  cycle: number;
  assignment: Assignment | null;
}

export type GoneReason = 'reassigned' | 'closed' | 'expired';

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
export const isOpenStage = (stage: Stage): boolean => stage === 'mql' || stage === 'working';

/** Null when the link opens the lead; otherwise why it does not any more. `lead` null: erased. */
export function goneReason(token: LeadLinkToken, lead: CurrentLead | null, now: number): GoneReason | null {
  if (token.expiresAt <= now) return 'expired';
  if (!lead || lead.cycle !== token.cycle || !isOpenStage(lead.stage)) return 'closed';
  if (!lead.owner || !same(lead.owner, token.rep)) return 'reassigned';
  if (!lead.assignment || lead.assignment.cycle !== token.cycle || lead.assignment.seq !== token.seq) return 'reassigned';
  return null;
}
