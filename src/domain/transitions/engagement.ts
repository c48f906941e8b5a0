// What the lead does and who it is: an engagement event or new attributes change its score, and a
// score that qualifies hands it off (handoff.ts).
import { RECENT_EVENT_IDS_KEPT, SCORABLE_EVENTS_KEPT } from '../lead-state';
import type { ScorableEvent } from '../scoring';
import type { EngagementEvent, LeadAttributes } from '../types';
import { handOffIfMql } from './handoff';
import { rescore } from './scores';
import type { StepContext } from './step-context';

/** Scores a new event; a repeated one (same id) is ignored even if it never scored. */
export function recordEngagement(ctx: StepContext, event: EngagementEvent): void {
  const lead = ctx.lead;
  if (lead.recentEventIds.includes(event.eventId) || lead.events.some((e) => e.eventId === event.eventId)) return;
  lead.recentEventIds = [...lead.recentEventIds, event.eventId].slice(-RECENT_EVENT_IDS_KEPT);
  const at = Date.parse(event.occurredAt);
  if (Number.isNaN(at)) return;
  // While recycled, activity is logged (PostgreSQL) but cannot count: the lead re-earns MQL after the wait.
  if (lead.stage === 'recycled') return;
  const scorable: ScorableEvent = { eventId: event.eventId, type: event.type, at, ...(event.properties ? { properties: event.properties } : {}) };
  lead.events = [...lead.events, scorable].slice(-SCORABLE_EVENTS_KEPT);
  rescore(ctx);
  handOffIfMql(ctx);
}

/** Merges changed fit attributes (e.g. a new title) and rescores. */
export function updateAttributes(ctx: StepContext, attributes: LeadAttributes): void {
  ctx.lead.attributes = { ...ctx.lead.attributes, ...attributes };
  rescore(ctx);
  handOffIfMql(ctx);
}
