// The MQL handoff: a nurturing lead whose primary score qualifies goes to a sales owner with an SLA
// for first contact. The shadow model is only noted beside it: it never hands a lead off.
import { firstOwnerIndex } from '../deadlines';
import { deadlineAfter } from '../business-time/durations';
import { isTerminal } from '../lead-state';
import type { Score } from '../scoring';
import type { ScoringModel } from '../types';
import { requestOwner } from './assignment';
import { notifyOwner } from './owner-notice';
import { scoreNow } from './scores';
import type { StepContext } from './step-context';

/** Hands the lead off if the primary model says MQL, then notes a shadow MQL. */
export function handOffIfMql(ctx: StepContext): void {
  handOffToSales(ctx, scoreNow(ctx));
  noteShadowMql(ctx);
}

function handOffToSales(ctx: StepContext, current: Score): void {
  const lead = ctx.lead;
  if (lead.stage !== 'nurturing' || !current.isMql) return;
  const { owners, sla } = ctx.config.policy;
  const routed = lead.ownerChoice === 'directory';
  // Older runs keep the stable hash over the owners; routed runs learn their owner from chooseOwner.
  lead.ownerIndex = routed ? -1 : firstOwnerIndex(lead.leadId, lead.cycle, owners.length);
  lead.owner = routed ? null : (owners[lead.ownerIndex] ?? null);
  lead.assignments = 1;
  lead.mqlAt = ctx.now;
  lead.slaDeadline = deadlineAfter(ctx.now, sla, ctx.config.policy.businessHours);
  // No nurture email while sales owns the lead.
  lead.nurture.dueAt = null;
  ctx.recordTransition('mql', 'mql', { details: { firedRules: current.firedRules.join(',') } });
  if (routed) requestOwner(ctx, 'handoff', []);
  else notifyOwner(ctx, 'handoff', current);
}

/** Records, once per cycle, that the shadow model would have made the lead an MQL. Never hands off. */
function noteShadowMql(ctx: StepContext): void {
  const { lead, latestShadowScore: shadow } = ctx;
  // While recycled the old cycle is over (sales said no): a crossing then would count against nothing.
  if (!shadow?.isMql || (lead.shadowMqlAt ?? null) !== null || isTerminal(lead.stage) || lead.stage === 'recycled') return;
  lead.shadowMqlAt = ctx.now;
  const model = ctx.config.shadowModel as ScoringModel;
  ctx.recordTransition(lead.stage, 'shadow_mql', {
    details: { shadowModel: `${model.id}@v${model.version}`, shadowScore: shadow.total, primaryScore: lead.score.total, firedRules: shadow.firedRules.join(',') },
  });
}
