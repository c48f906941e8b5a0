// Routing at handoff and at reassignment (runs of revision 3 on): the core names the pools, the
// chooseOwner activity takes the next available owner in PostgreSQL, and its answer comes back as
// ownerChosen, which gives the lead its owner and tells them.
import type { LeadInput } from '../lead-state';
import { DEFAULT_POOL_ID, FALLBACK_ASSIGNMENT, poolFor, type RoutingPool } from '../routing';
import { notifyOwner } from './owner-notice';
import { scoreNow } from './scores';
import type { StepContext } from './step-context';

/** Asks for an owner for the current assignment; `exclude`: who must not get it unless nobody else can. */
export function requestOwner(ctx: StepContext, reason: 'handoff' | 'reassigned', exclude: string[]): void {
  const { lead, config } = ctx;
  const { policy } = config;
  const pool = poolFor(policy.routing?.rules ?? [], lead.attributes, policy.owners);
  const campaignPool: RoutingPool = { poolId: DEFAULT_POOL_ID, owners: [...policy.owners], assignedBy: FALLBACK_ASSIGNMENT };
  const pools = pool.poolId === DEFAULT_POOL_ID ? [pool] : [pool, campaignPool];
  ctx.emit({ type: 'chooseOwner', reason, cycle: lead.cycle, assignment: lead.assignments, campaignId: config.campaign.id, pools, exclude, manager: policy.manager, at: ctx.now, transitionSeq: lead.transitionSeq });
}

type OwnerChosen = Extract<LeadInput, { type: 'ownerChosen' }>;

/** The owner routing chose; an answer for an assignment that is over (contacted, reassigned, recycled) changes nothing. */
export function ownerChosen(ctx: StepContext, chosen: OwnerChosen): void {
  const lead = ctx.lead;
  if (chosen.assignment !== lead.assignments || lead.owner !== null || (lead.stage !== 'mql' && lead.stage !== 'working')) return;
  lead.owner = chosen.owner;
  const skipped = chosen.skipped.map((s) => `${s.owner} (${s.reason})`).join(', ');
  ctx.recordTransition(lead.stage, 'assigned', { details: { assignment: lead.assignments, assignedBy: chosen.assignedBy, pool: chosen.poolId, ...(skipped ? { skipped } : {}) } });
  if (lead.stage === 'mql') notifyOwner(ctx, lead.assignments === 1 ? 'handoff' : 'reassigned', scoreNow(ctx));
}
