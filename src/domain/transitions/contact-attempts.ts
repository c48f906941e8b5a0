// Re-contact attempts: a rep who cannot reach the lead logs each try; after policy.maxContactAttempts
// tries without reaching it the lead goes back to marketing (recycled, unreachable), and a rep who
// lets attemptInterval pass without the next try gets one reminder.
import { deadlineAfter } from '../business-time/durations';
import type { ContactAction, HandoffPolicy } from '../types';
import { teamTimeZone } from './owner-notice';
import { recycle } from './recycle';
import type { StepContext } from './step-context';

export const DEFAULT_MAX_CONTACT_ATTEMPTS = 3;

/** The policy's attempt rules with their defaults. */
export function attemptRules(policy: HandoffPolicy): { maxAttempts: number; interval: string } {
  return {
    maxAttempts: policy.maxContactAttempts ?? DEFAULT_MAX_CONTACT_ATTEMPTS,
    interval: policy.attemptInterval ?? (policy.businessHours ? '1bd' : '24h'),
  };
}

/** An attempt that did not reach the lead: the next one is due, or the attempts are used up. */
export function unansweredAttempt(ctx: StepContext, attempt: number): void {
  const lead = ctx.lead;
  const { maxAttempts, interval } = attemptRules(ctx.config.policy);
  if (attempt >= maxAttempts) {
    recycle(ctx, 'unreachable', {}, true);
    return;
  }
  lead.nextAttemptDueAt = deadlineAfter(ctx.now, interval, ctx.config.policy.businessHours);
  lead.attemptReminded = false;
}

/** The next attempt was not logged in time: one reminder to the owner. */
export function attemptOverdue(ctx: StepContext): void {
  const lead = ctx.lead;
  lead.attemptReminded = true;
  if (!lead.owner || lead.nextAttemptDueAt == null) return;
  const { maxAttempts } = attemptRules(ctx.config.policy);
  ctx.emit({ type: 'remindOwner', owner: lead.owner, cycle: lead.cycle, attempts: lead.contactAttempts ?? 0, maxAttempts, dueAt: lead.nextAttemptDueAt, ...teamTimeZone(ctx) });
}

/** Transition details of an attempt; absent outcome (a plain first contact) adds nothing, as before attempts. */
export function attemptDetails(action: ContactAction, attempt: number): Record<string, string | number> {
  return action.outcome === undefined ? {} : { outcome: action.outcome, attempt };
}
