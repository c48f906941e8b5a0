// When time alone changes a lead: the next deadline with its summary for the Web UI, the send
// window's hold on nurture emails, and the campaign's steps.
import { durationMs } from './duration';
import type { LeadConfig, LeadState } from './lead-state';
import { leadTimeZone, nextSendTime } from './send-window';
import type { Campaign, CampaignStep } from './types';

export interface Wakeup {
  at: number;
  kind: 'nurture' | 'sla' | 'qualification' | 'attempt' | 'recycle';
  summary: string;
}

/** The next instant at which time alone changes something, with a summary for the Web UI. */
export function nextWakeup(state: LeadState, config: LeadConfig): Wakeup | null {
  switch (state.stage) {
    case 'nurturing': {
      const { dueAt, nextStep, track } = state.nurture;
      const step = stepsOf(config.campaign, track)[nextStep];
      if (dueAt === null || !step) return null;
      const at = sendTime(state, config, dueAt);
      const held = at === dueAt ? '' : ` (due ${iso(dueAt)}, held for the send window)`;
      return { at, kind: 'nurture', summary: `Nurture: '${step.subject}' (step ${step.id}) in ${step.delay}${held}` };
    }
    case 'mql':
      // While routing chooses the owner the SLA runs but its timer waits, to be armed with the owner's name.
      if (state.slaDeadline === null || (state.owner === null && state.ownerChoice === 'directory')) return null;
      return { at: state.slaDeadline, kind: 'sla', summary: `SLA: first contact by ${state.owner} due ${iso(state.slaDeadline)}` };
    case 'working':
      if (state.nextAttemptDueAt != null && !state.attemptReminded) {
        return { at: state.nextAttemptDueAt, kind: 'attempt', summary: `Next contact attempt by ${state.owner} due ${iso(state.nextAttemptDueAt)}` };
      }
      if (state.qualificationDeadline === null) return null;
      return {
        at: state.qualificationDeadline,
        kind: 'qualification',
        summary: `Qualification: accept or reject by ${state.owner} due ${iso(state.qualificationDeadline)}`,
      };
    case 'recycled':
      if (state.recycleAt === null) return null;
      return { at: state.recycleAt, kind: 'recycle', summary: `Recycle: back to nurturing at ${iso(state.recycleAt)}` };
    default:
      return null;
  }
}

/** When the next nurture email due at `dueAt` may go: the campaign's send window in the lead's time zone. */
export function sendTime(state: LeadState, config: LeadConfig, dueAt: number): number {
  const window = config.campaign.sendWindow;
  if (!window) return dueAt;
  return nextSendTime(dueAt, window, leadTimeZone(state.attributes.timezone, window));
}

/** Deterministic owner choice: a stable hash of the lead picks the first owner, reassignment takes the next. */
export function firstOwnerIndex(leadId: string, cycle: number, owners: number): number {
  let hash = 0x811c9dc5;
  const key = `${leadId}#${cycle}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return owners === 0 ? -1 : hash % owners;
}

export function stepsOf(campaign: Campaign, track: 'steps' | 'recycleSteps'): CampaignStep[] {
  return track === 'recycleSteps' && campaign.recycleSteps?.length ? campaign.recycleSteps : campaign.steps;
}

export function startNurture(campaign: Campaign, track: 'steps' | 'recycleSteps', now: number): LeadState['nurture'] {
  const first = stepsOf(campaign, track)[0];
  return { track, nextStep: 0, dueAt: first ? now + durationMs(first.delay) : null };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
