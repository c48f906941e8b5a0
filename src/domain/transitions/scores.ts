// The lead's score under its primary model and, when there is one, its shadow model. A step rescores
// after anything that can change a score (an event, new attributes, a new model, a new cycle).
import { durationMs } from '../duration';
import type { LeadConfig, LeadState } from '../lead-state';
import { eventsStillScorable, score, type Score } from '../scoring';
import type { StepContext } from './step-context';

/** Current score of the lead (breakdown included): "why is this lead an MQL?". */
export function currentScore(state: LeadState, now: number, config: LeadConfig): Score {
  return score(config.model, state.attributes, state.events, now, { since: state.behaviorSince });
}

/** Current shadow score (breakdown included), or null without a shadow model. */
export function currentShadowScore(state: LeadState, now: number, config: LeadConfig): Score | null {
  if (!config.shadowModel) return null;
  return score(config.shadowModel, state.attributes, state.events, now, { since: state.behaviorSince });
}

/** Drops events neither model can score any more, then stores both scores on the lead. */
export function rescore(ctx: StepContext): Score {
  const { lead, now, config } = ctx;
  // Keep what either model can still score: the shadow model may look further back.
  const shadow = config.shadowModel;
  const widest = shadow && durationMs(shadow.behaviorWindow) > durationMs(config.model.behaviorWindow) ? shadow : config.model;
  lead.events = eventsStillScorable(widest, lead.events, now, lead.behaviorSince);
  const primary = currentScore(lead, now, config);
  lead.score = totals(primary);
  ctx.latestScore = primary;
  ctx.latestShadowScore = currentShadowScore(lead, now, config);
  if (ctx.latestShadowScore) lead.shadowScore = totals(ctx.latestShadowScore);
  // States from before shadow scoring have no field at all, and keep it that way.
  else if (lead.shadowScore !== undefined) lead.shadowScore = null;
  return primary;
}

/** The score as of this step, computing it only when the step has not yet. */
export function scoreNow(ctx: StepContext): Score {
  return ctx.latestScore ?? rescore(ctx);
}

function totals(result: Score): LeadState['score'] {
  return { total: result.total, fit: result.fit, behavior: result.behavior };
}
