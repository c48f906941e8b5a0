// Nurture emails: the campaign's steps one after another, and what stops or resumes them (an
// unsubscribe, a bounce, ops clearing a bounce). The flags stay on the lead across cycles.
import { stepsOf } from '../deadlines';
import { durationMs } from '../duration';
import type { StepContext } from './step-context';

/** Sends the step that is due and schedules the following one, its delay counted from now. */
export function sendDueStep(ctx: StepContext): void {
  const { lead, config, now } = ctx;
  const { track, nextStep } = lead.nurture;
  const steps = stepsOf(config.campaign, track);
  const current = steps[nextStep];
  if (!current) {
    lead.nurture.dueAt = null;
    return;
  }
  ctx.emit({
    type: 'sendNurtureEmail',
    campaignId: config.campaign.id,
    campaignVersion: config.campaign.version,
    cycle: lead.cycle,
    stepIndex: nextStep,
    step: current,
  });
  const following = steps[nextStep + 1];
  lead.nurture = { track, nextStep: nextStep + 1, dueAt: following ? now + durationMs(following.delay) : null };
}

/** A nurturing lead that may be emailed again gets its pending step, its delay counted from now. */
export function resumeNurture(ctx: StepContext): void {
  const { lead, config, now } = ctx;
  if (lead.stage !== 'nurturing' || lead.unsubscribed || lead.emailBounced || lead.nurture.dueAt !== null) return;
  const pending = stepsOf(config.campaign, lead.nurture.track)[lead.nurture.nextStep];
  if (pending) lead.nurture.dueAt = now + durationMs(pending.delay);
}

export function unsubscribe(ctx: StepContext, actor?: string): void {
  const lead = ctx.lead;
  if (lead.unsubscribed) return;
  lead.unsubscribed = true;
  lead.nurture.dueAt = null;
  ctx.recordTransition(lead.stage, 'unsubscribed', { actor });
}

export function emailBounced(ctx: StepContext, stepId: string): void {
  const lead = ctx.lead;
  if (lead.emailBounced) return;
  lead.emailBounced = true;
  lead.nurture.dueAt = null;
  ctx.recordTransition(lead.stage, 'email_bounced', { details: { stepId } });
}

/** Ops cleared the bounce: email may go to the lead again. */
export function bounceCleared(ctx: StepContext, actor?: string): void {
  const lead = ctx.lead;
  if (!lead.emailBounced) return;
  lead.emailBounced = false;
  ctx.recordTransition(lead.stage, 'bounce_cleared', { actor });
  resumeNurture(ctx);
}
