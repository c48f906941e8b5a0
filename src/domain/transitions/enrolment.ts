// A new lead's state: nurturing from the first step of its campaign, with no owner and no deadline.
import { startNurture } from '../deadlines';
import type { LeadConfig, LeadState } from '../lead-state';
import type { LeadAttributes } from '../types';

export function newLeadState(leadId: string, attributes: LeadAttributes, now: number, config: LeadConfig): LeadState {
  return {
    leadId,
    stage: 'nurturing',
    cycle: 0,
    attributes: { ...attributes },
    unsubscribed: false,
    emailBounced: false,
    enrolledAt: now,
    // The first cycle counts everything inside the window, e.g. the form fill that created the lead.
    behaviorSince: 0,
    events: [],
    recentEventIds: [],
    nurture: startNurture(config.campaign, 'steps', now),
    owner: null,
    ownerIndex: -1,
    assignments: 0,
    mqlAt: null,
    slaDeadline: null,
    contactedAt: null,
    contactedWithinSla: null,
    qualificationDeadline: null,
    recycleAt: null,
    lastRejection: null,
    score: { total: 0, fit: 0, behavior: 0 },
    // Shadow fields only with a shadow model, as before shadow scoring existed.
    ...(config.shadowModel ? { shadowScore: { total: 0, fit: 0, behavior: 0 }, shadowMqlAt: null } : {}),
    transitionSeq: 0,
    transitions: [],
  };
}
