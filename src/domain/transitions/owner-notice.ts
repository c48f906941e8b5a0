// The email that tells an owner a lead is theirs, with the deadline of this assignment (in the team's
// time zone when the policy has business hours).
import type { Score } from '../scoring';
import type { StepContext } from './step-context';

/** Tells the current owner the lead is theirs, with the SLA deadline of this assignment. */
export function notifyOwner(ctx: StepContext, reason: 'handoff' | 'reassigned', current: Score): void {
  const lead = ctx.lead;
  if (!lead.owner || lead.slaDeadline === null) return;
  ctx.emit({
    type: 'notifyOwner',
    owner: lead.owner,
    reason,
    cycle: lead.cycle,
    assignment: lead.assignments,
    slaDeadline: lead.slaDeadline,
    score: current,
    transitionSeq: lead.transitionSeq,
    ...teamTimeZone(ctx),
  });
}

/** With business hours, emails give deadlines in the team's time zone too. */
export function teamTimeZone(ctx: StepContext): { timeZone?: string } {
  const zone = ctx.config.policy.businessHours?.timeZone;
  return zone ? { timeZone: zone } : {};
}
