// Which webhook event a recorded transition is, and what its body says (pure: no I/O, no zod).
import type { Transition } from '../domain/lead-state';

export const WEBHOOK_EVENTS = ['lead.mql', 'lead.contacted', 'lead.sql', 'lead.recycled', 'lead.disqualified', 'lead.sla_breached', 'lead.erased'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const BY_REASON: Partial<Record<Transition['reason'], WebhookEvent>> = {
  contacted: 'lead.contacted',
  accepted: 'lead.sql',
  sla_breached: 'lead.sla_breached',
};

/**
 * The event a transition emits, or null; its reason decides first, then the stage it enters. The
 * handoff (lead.mql) names its owner: the `mql` transition when it has one (owners by hash), else
 * routing's first assignment of the cycle that follows it.
 */
export function eventOfTransition(t: Pick<Transition, 'reason' | 'to' | 'owner' | 'details'>): WebhookEvent | null {
  if (t.reason === 'mql') return t.owner ? 'lead.mql' : null;
  if (t.reason === 'assigned') return t.details?.assignment === 1 ? 'lead.mql' : null;
  const byReason = BY_REASON[t.reason];
  if (byReason) return byReason;
  if (t.to === 'recycled') return 'lead.recycled';
  if (t.to === 'disqualified') return 'lead.disqualified';
  return null;
}

/** What `data` carries besides the lead's own fields (those come from its row when the event is stored). */
export interface TransitionData {
  stage: string;
  owner: string | null;
  score: number;
  bant?: Record<string, string | number | boolean | null>;
  reason?: string;
  actor?: string;
}

/** `owner`: the lead's owner after the transition, for transitions that do not name one. */
export function transitionData(t: Transition, owner: string | null): TransitionData {
  const actor = t.actor;
  const withdrawn = t.to === 'recycled' || t.to === 'disqualified';
  return {
    stage: t.to,
    owner: t.owner ?? owner,
    score: t.score,
    ...(t.reason === 'accepted' && t.details ? { bant: t.details } : {}),
    ...(withdrawn ? { reason: t.rejectionReason ?? t.reason } : {}),
    ...(actor ? { actor } : {}),
  };
}
