// What happens when an owner misses the SLA for first contact: the manager is told, and the lead
// goes to the next owner with a fresh SLA, until policy.maxReassignments is used up; the breach
// after that sends the lead back to marketing (recycled, reason sla_expired).
import { deadlineAfter } from '../business-time/durations';
import { requestOwner } from './assignment';
import { notifyOwner } from './owner-notice';
import { recycle } from './recycle';
import { scoreNow } from './scores';
import type { StepContext } from './step-context';

/** The SLA deadline passed without a contact. */
export function slaBreached(ctx: StepContext): void {
  const { owners, maxReassignments } = ctx.config.policy;
  const breach = ctx.lead.assignments;
  if (breach <= maxReassignments && owners.length > 0) reassign(ctx, breach);
  else recycleAfterLastBreach(ctx, breach);
}

function reassign(ctx: StepContext, breach: number): void {
  if (ctx.lead.ownerChoice === 'directory') return reassignByRouting(ctx, breach);
  const lead = ctx.lead;
  const { owners, manager, sla } = ctx.config.policy;
  const deadline = lead.slaDeadline as number;
  const missedBy = missedByOf(ctx);
  lead.ownerIndex = (lead.ownerIndex + 1) % owners.length;
  lead.owner = owners[lead.ownerIndex] ?? null;
  lead.assignments += 1;
  lead.slaDeadline = deadlineAfter(ctx.now, sla, ctx.config.policy.businessHours);
  ctx.recordTransition('mql', 'sla_breached', { details: { missedBy, breach, reassignedTo: lead.owner } });
  // The sla_breached transition just recorded is the one this escalation and notification belong to.
  ctx.emit({ type: 'escalateSla', manager, missedBy, cycle: lead.cycle, breach, deadline, outcome: 'reassigned', nextOwner: lead.owner, transitionSeq: lead.transitionSeq });
  notifyOwner(ctx, 'reassigned', scoreNow(ctx));
}

/** The breach is recorded and escalated at once; the next owner of the pool (not the one who missed it) follows from chooseOwner. */
function reassignByRouting(ctx: StepContext, breach: number): void {
  const lead = ctx.lead;
  const { manager, sla } = ctx.config.policy;
  const deadline = lead.slaDeadline as number;
  const missedBy = missedByOf(ctx);
  lead.assignments += 1;
  lead.slaDeadline = deadlineAfter(ctx.now, sla, ctx.config.policy.businessHours);
  ctx.recordTransition('mql', 'sla_breached', { details: { missedBy, breach } });
  lead.owner = null;
  ctx.emit({ type: 'escalateSla', manager, missedBy, cycle: lead.cycle, breach, deadline, outcome: 'reassigned', nextOwner: null, transitionSeq: lead.transitionSeq });
  requestOwner(ctx, 'reassigned', missedBy === UNASSIGNED ? [] : [missedBy]);
}

function recycleAfterLastBreach(ctx: StepContext, breach: number): void {
  const lead = ctx.lead;
  const deadline = lead.slaDeadline as number;
  const missedBy = missedByOf(ctx);
  lead.slaDeadline = null;
  // The escalation names the recycle's transition, recorded next.
  ctx.emit({ type: 'escalateSla', manager: ctx.config.policy.manager, missedBy, cycle: lead.cycle, breach, deadline, outcome: 'recycled', nextOwner: null, transitionSeq: lead.transitionSeq + 1 });
  recycle(ctx, 'sla_expired');
}

const UNASSIGNED = '(unassigned)';

function missedByOf(ctx: StepContext): string {
  return ctx.lead.owner ?? UNASSIGNED;
}
