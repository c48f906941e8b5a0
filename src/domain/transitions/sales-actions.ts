// What a sales rep does with a lead handed to them: contact it (mql → working), then accept it
// (→ sql) or reject it (→ recycled, or disqualified for good). legality.ts says when each is allowed.
import { deadlineAfter } from '../business-time/durations';
import { businessMsBetween } from '../business-time/open-time';
import { attemptDetails, unansweredAttempt } from './contact-attempts';
import type { AcceptAction, ContactAction, RejectAction } from '../types';
import { recycle } from './recycle';
import type { StepContext } from './step-context';

/**
 * A contact attempt. The first one, reached or not, stops the SLA clock (speed to lead counts the
 * first touch); reaching the lead starts the qualification window.
 */
export function contact(ctx: StepContext, action: ContactAction): void {
  const lead = ctx.lead;
  const attempt = (lead.contactAttempts ?? 0) + 1;
  const reached = (action.outcome ?? 'reached') === 'reached';
  lead.contactAttempts = attempt;
  lead.reached = reached;
  if (lead.stage === 'mql') firstTouch(ctx, action, attempt);
  else ctx.recordTransition('working', 'contact_attempt', { rep: action.rep, actor: action.actor, note: action.note, details: { channel: action.channel, ...attemptDetails(action, attempt) } });
  if (!reached) return unansweredAttempt(ctx, attempt);
  lead.nextAttemptDueAt = null;
  lead.qualificationDeadline = deadlineAfter(ctx.now, ctx.config.policy.qualificationWindow, ctx.config.policy.businessHours);
}

function firstTouch(ctx: StepContext, action: ContactAction, attempt: number): void {
  const lead = ctx.lead;
  lead.contactedAt = ctx.now;
  // Within SLA means the handoff's first owner made contact in time: a breach on the way counts against it.
  lead.contactedWithinSla = lead.assignments === 1 && lead.slaDeadline !== null && ctx.now <= lead.slaDeadline;
  lead.slaDeadline = null;
  ctx.recordTransition('working', 'contacted', {
    rep: action.rep,
    actor: action.actor,
    note: action.note,
    details: { channel: action.channel, withinSla: lead.contactedWithinSla, ...businessTimeToContact(ctx), ...attemptDetails(action, attempt) },
  });
}

/** With business hours, the reports measure speed to lead in open time, from the MQL (the handoff, not a reassignment). */
function businessTimeToContact(ctx: StepContext): { businessSeconds?: number } {
  const hours = ctx.config.policy.businessHours;
  const from = ctx.lead.mqlAt;
  if (!hours || from == null) return {};
  try {
    return { businessSeconds: Math.round(businessMsBetween(from, ctx.now, hours) / 1000) };
  } catch {
    // More than the calendar scans (years): the reports fall back to wall-clock time for this one.
    return {};
  }
}

/** Sales accepted the lead (enough BANT confirmed): it is an SQL, and the lead's workflow ends. */
export function accept(ctx: StepContext, action: AcceptAction): void {
  ctx.lead.qualificationDeadline = null;
  if (ctx.lead.nextAttemptDueAt != null) ctx.lead.nextAttemptDueAt = null;
  ctx.recordTransition('sql', 'accepted', {
    rep: action.rep,
    actor: action.actor,
    note: action.note,
    details: { ...action.bant },
  });
}

/** Not now (recycled), or never (disqualified). */
export function reject(ctx: StepContext, action: RejectAction): void {
  if (!action.disqualify) {
    recycle(ctx, action.reason, { rep: action.rep, note: action.note, actor: action.actor });
    return;
  }
  const lead = ctx.lead;
  lead.slaDeadline = null;
  lead.qualificationDeadline = null;
  if (lead.nextAttemptDueAt != null) lead.nextAttemptDueAt = null;
  lead.lastRejection = { reason: action.reason, rep: action.rep, note: action.note, at: ctx.now };
  ctx.recordTransition('disqualified', 'disqualified', { rep: action.rep, actor: action.actor, rejectionReason: action.reason, note: action.note });
}
