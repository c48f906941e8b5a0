// What the outside world sees of a lead's workflow state (query, update results, API).
import { sendTime } from './deadlines';
import type { LeadConfig, LeadState, Transition } from './lead-state';
import { currentScore, currentShadowScore } from './lifecycle';
import type { Score } from './scoring';
import type { Stage } from './types';

export interface LeadView {
  leadId: string;
  stage: Stage;
  cycle: number;
  unsubscribed: boolean;
  emailBounced: boolean;
  score: Score;
  owner: string | null;
  campaign: { id: string; version: number };
  scoringModel: { id: string; version: number };
  /** The shadow model's score: shown for comparison, never acted on. Null without a shadow model. */
  shadowScore: (Score & { model: { id: string; version: number } }) | null;
  /** When the shadow model first said MQL in this cycle. */
  shadowMqlAt: string | null;
  mqlAt: string | null;
  slaDeadline: string | null;
  contactedAt: string | null;
  contactedWithinSla: boolean | null;
  /** Contact attempts logged in this handoff, and whether one reached the lead (null before the first). */
  contactAttempts: number;
  reached: boolean | null;
  nextAttemptDueAt: string | null;
  qualificationDeadline: string | null;
  recycleAt: string | null;
  lastRejection: { reason: string; rep?: string; note?: string; at: string } | null;
  /** dueAt: when the next step falls due; sendAt: when it goes, after the campaign's send window. */
  nurture: { nextStep: number; dueAt: string | null; sendAt: string | null };
  transitions: (Omit<Transition, 'at'> & { at: string })[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function viewOf(state: LeadState, config: LeadConfig, now: number): LeadView {
  return {
    leadId: state.leadId,
    stage: state.stage,
    cycle: state.cycle,
    unsubscribed: state.unsubscribed,
    emailBounced: state.emailBounced,
    score: currentScore(state, now, config),
    owner: state.owner,
    campaign: { id: config.campaign.id, version: config.campaign.version },
    scoringModel: { id: config.model.id, version: config.model.version },
    shadowScore: shadowView(state, config, now),
    shadowMqlAt: iso(state.shadowMqlAt ?? null),
    mqlAt: iso(state.mqlAt),
    slaDeadline: iso(state.slaDeadline),
    contactedAt: iso(state.contactedAt),
    contactedWithinSla: state.contactedWithinSla,
    // States from before attempts: a contact was one attempt that reached the lead.
    contactAttempts: state.contactAttempts ?? (state.contactedAt === null ? 0 : 1),
    reached: state.reached ?? (state.contactedAt === null ? null : true),
    nextAttemptDueAt: iso(state.nextAttemptDueAt ?? null),
    qualificationDeadline: iso(state.qualificationDeadline),
    recycleAt: iso(state.recycleAt),
    lastRejection: state.lastRejection ? { ...state.lastRejection, at: new Date(state.lastRejection.at).toISOString() } : null,
    nurture: { nextStep: state.nurture.nextStep, dueAt: iso(state.nurture.dueAt), sendAt: state.nurture.dueAt === null ? null : iso(sendTime(state, config, state.nurture.dueAt)) },
    transitions: state.transitions.map((t) => ({ ...t, at: new Date(t.at).toISOString() })),
  };
}

function shadowView(state: LeadState, config: LeadConfig, now: number): LeadView['shadowScore'] {
  const shadow = currentShadowScore(state, now, config);
  return shadow && config.shadowModel ? { ...shadow, model: { id: config.shadowModel.id, version: config.shadowModel.version } } : null;
}

/** Markdown for the Temporal Web UI's "current details". No personal data. */
export function detailsMarkdown(state: LeadState): string {
  const lines = [`**Stage:** ${state.stage}${state.unsubscribed ? ' (unsubscribed)' : ''}${state.emailBounced ? ' (email bounced)' : ''}`];
  lines.push(`**Score:** ${state.score.total} (fit ${state.score.fit}, behaviour ${state.score.behavior})`);
  if (state.shadowScore) lines.push(`**Shadow score:** ${state.shadowScore.total} (not acted on)`);
  if (state.owner) lines.push(`**Owner:** ${state.owner}`);
  if (state.slaDeadline) lines.push(`**SLA deadline:** ${new Date(state.slaDeadline).toISOString()}`);
  if (state.qualificationDeadline) lines.push(`**Qualify by:** ${new Date(state.qualificationDeadline).toISOString()}`);
  if (state.recycleAt) lines.push(`**Back to nurture:** ${new Date(state.recycleAt).toISOString()}`);
  lines.push(`**Cycle:** ${state.cycle}`);
  return lines.join('  \n');
}
