// Recycling: a lead sales did not take (rejected, SLA or qualification window expired) goes back to
// marketing for the recycle period, then returns to nurture in a new cycle and must re-earn MQL.
import { iso, startNurture } from '../deadlines';
import { durationMs } from '../duration';
import type { LeadState } from '../lead-state';
import type { RejectionReason, SystemRecycleReason } from '../types';
import { rescore } from './scores';
import { withoutUndefined, type StepContext } from './step-context';

/** Who recycled the lead, when a rep did. */
export interface RecycledBy {
  rep?: string;
  note?: string;
  actor?: string;
}

/**
 * Ends the handoff and starts the recycle period; the workflow continues as new from here.
 * `system`: no rep recycled it (an expired SLA or window, attempts that never reached the lead).
 */
export function recycle(ctx: StepContext, reason: RejectionReason | SystemRecycleReason, by: RecycledBy = {}, system = reason === 'sla_expired' || reason === 'qualification_expired'): void {
  const lead = ctx.lead;
  lead.slaDeadline = null;
  lead.qualificationDeadline = null;
  if (lead.nextAttemptDueAt !== undefined) lead.nextAttemptDueAt = null;
  lead.recycleAt = ctx.now + durationMs(ctx.config.policy.recyclePeriod);
  lead.lastRejection = { reason, ...withoutUndefined({ rep: by.rep, note: by.note }), at: ctx.now };
  ctx.recordTransition('recycled', system ? (reason as SystemRecycleReason) : 'rejected', {
    ...withoutUndefined(by),
    ...(system ? {} : { rejectionReason: reason as RejectionReason }),
    details: { recycleAt: iso(lead.recycleAt) },
  });
  // After the transition, so that it still names the owner who had the lead.
  lead.owner = null;
  ctx.emit({ type: 'continueAsNew' });
}

/** The rep contacted the lead but neither accepted nor rejected it within the qualification window. */
export function qualificationExpired(ctx: StepContext): void {
  ctx.lead.qualificationDeadline = null;
  recycle(ctx, 'qualification_expired');
}

/** The recycle period is over: a new cycle, with no owner, no events and the recycle steps. */
export function backToNurture(ctx: StepContext): void {
  const lead = ctx.lead;
  lead.cycle += 1;
  lead.recycleAt = null;
  // Behaviour from before the new cycle never counts again.
  lead.behaviorSince = ctx.now;
  lead.events = [];
  lead.owner = null;
  lead.ownerIndex = -1;
  lead.assignments = 0;
  lead.mqlAt = null;
  lead.contactedAt = null;
  lead.contactedWithinSla = null;
  resetAttempts(lead);
  if (lead.shadowMqlAt !== undefined) lead.shadowMqlAt = null;
  lead.nurture = startNurture(ctx.config.campaign, 'recycleSteps', ctx.now);
  if (lead.unsubscribed || lead.emailBounced) lead.nurture.dueAt = null;
  rescore(ctx);
  ctx.recordTransition('nurturing', 'recycle_period_over');
}

/** A new handoff (or cycle) starts with no attempts. */
export function resetAttempts(lead: LeadState): void {
  if (lead.contactAttempts === undefined) return;
  lead.contactAttempts = 0;
  lead.reached = undefined;
  lead.nextAttemptDueAt = null;
  lead.attemptReminded = false;
}
