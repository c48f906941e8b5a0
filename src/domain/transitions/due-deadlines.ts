// What time alone does to a lead: each deadline deadlines.ts reports (a nurture step, the SLA, the
// qualification window, a re-contact attempt, the end of the recycle period) hands over to the module that handles it.
import { nextWakeup, type Wakeup } from '../deadlines';
import { attemptOverdue } from './contact-attempts';
import { sendDueStep } from './nurture';
import { backToNurture, qualificationExpired } from './recycle';
import { slaBreached } from './sla';
import type { StepContext } from './step-context';

/** Settles every deadline that is due by now, earliest first. */
export function runDueDeadlines(ctx: StepContext): void {
  // Several deadlines can be due at once (zero delays, or a worker that was down): settle them all.
  // The bound only guards against a deadline that would never move on.
  for (let guard = 0; guard < 1000; guard++) {
    const wake = nextWakeup(ctx.lead, ctx.config);
    if (!wake || wake.at > ctx.now) return;
    onDeadline(ctx, wake.kind);
  }
}

function onDeadline(ctx: StepContext, kind: Wakeup['kind']): void {
  switch (kind) {
    case 'nurture':
      return sendDueStep(ctx);
    case 'sla':
      return slaBreached(ctx);
    case 'qualification':
      return qualificationExpired(ctx);
    case 'attempt':
      return attemptOverdue(ctx);
    case 'recycle':
      return backToNurture(ctx);
  }
}
