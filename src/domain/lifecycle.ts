// The lead's state machine as a pure reducer: (state, input, now, config) → { state, commands }.
// The workflow only feeds inputs in and executes the commands that come out; tests, what-if
// tooling and the workflow therefore share exactly one implementation of the rules.
// This file is the entry: it hands each input to the module of transitions/ that owns it.
import { isTerminal, type LeadConfig, type LeadInput, type LeadState, type Refusal, type StepResult, type Transition } from './lead-state';
import { legality } from './legality';
import { ownerChosen } from './transitions/assignment';
import { runDueDeadlines } from './transitions/due-deadlines';
import { recordEngagement, updateAttributes } from './transitions/engagement';
import { newLeadState } from './transitions/enrolment';
import { handOffIfMql } from './transitions/handoff';
import { migrate } from './transitions/migration';
import { bounceCleared, emailBounced, unsubscribe } from './transitions/nurture';
import { accept, contact, reject } from './transitions/sales-actions';
import { rescore } from './transitions/scores';
import { copyForStep, StepContext } from './transitions/step-context';
import type { LeadAttributes } from './types';

export { versionsOf } from './transitions/migration';
export { currentScore, currentShadowScore } from './transitions/scores';

/** A new lead: nurturing, first step scheduled. `ownerChoice: 'directory'`: its owners come from routing. */
export function enroll(leadId: string, attributes: LeadAttributes, now: number, config: LeadConfig, options: { ownerChoice?: 'directory' } = {}): StepResult {
  const ctx = new StepContext({ ...newLeadState(leadId, attributes, now, config), ...options }, now, config);
  rescore(ctx);
  ctx.recordTransition('nurturing', 'enrolled');
  // Fit alone can qualify a lead only together with the intent rule; check anyway so the rule holds.
  handOffIfMql(ctx);
  runDueDeadlines(ctx);
  return ctx.result();
}

/**
 * The transition enroll() records first ('enrolled', seq 1). The intake stores it in the statement
 * that stores the lead row, so a lead is never without it; the workflow is then told not to record it.
 */
export function enrolledTransition(leadId: string, attributes: LeadAttributes, now: number, config: LeadConfig): Transition {
  const first = enroll(leadId, attributes, now, config).commands[0];
  if (first?.type !== 'recordTransition' || first.transition.seq !== 1) throw new Error('enroll() must record the enrolled transition first');
  return first.transition;
}

/** Whether `input` is legal now. Sales actions are refused here before they touch history. */
export function check(state: LeadState, input: LeadInput, config: LeadConfig, now?: number): Refusal | null {
  // Judge against the lead as it is by `now`: a deadline that has passed but whose timer has not
  // fired yet (same workflow task) still counts.
  return legality(now === undefined ? state : settle(state, now, config).state, input, config);
}

/** Apply one input at time `now`. Illegal inputs (see `check`) change nothing. */
export function step(state: LeadState, input: LeadInput, now: number, config: LeadConfig): StepResult {
  if (isTerminal(state.stage)) return { state, commands: [] };
  const ctx = new StepContext(copyForStep(state), now, config);
  // Overdue deadlines first, so an input arriving just after one sees the lead as it is by now.
  // Except the move to the newest versions at the end of a recycle period: it belongs before the
  // lead's return to nurture (which is then due), so the next cycle runs on the new versions.
  if (!(input.type === 'migrate' && input.trigger === 'recycle')) runDueDeadlines(ctx);
  if (isTerminal(ctx.lead.stage) || check(ctx.lead, input, config)) return { state, commands: [] };
  applyInput(ctx, input);
  return ctx.result();
}

/** Only the deadlines that are due by `now`. */
export function settle(state: LeadState, now: number, config: LeadConfig): StepResult {
  const ctx = new StepContext(copyForStep(state), now, config);
  runDueDeadlines(ctx);
  return ctx.result();
}

function applyInput(ctx: StepContext, input: LeadInput): void {
  switch (input.type) {
    case 'engagement':
      return recordEngagement(ctx, input.event);
    case 'attributes':
      return updateAttributes(ctx, input.attributes);
    case 'unsubscribe':
      return unsubscribe(ctx, input.actor);
    case 'emailBounced':
      return emailBounced(ctx, input.stepId);
    case 'bounceCleared':
      return bounceCleared(ctx, input.actor);
    case 'tick':
      return runDueDeadlines(ctx);
    case 'contact':
      return contact(ctx, input.action);
    case 'accept':
      return accept(ctx, input.action);
    case 'reject':
      return reject(ctx, input.action);
    case 'migrate':
      return migrate(ctx, input.config, input.trigger, input.actor);
    case 'ownerChosen':
      return ownerChosen(ctx, input);
  }
}
