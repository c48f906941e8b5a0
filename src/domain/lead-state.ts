// What a lead is in the pure core: its pinned configuration, its state, the inputs it takes and
// the commands it gives. Shared by the reducer, the workflow (as types) and the tests.
import type { Score, ScorableEvent } from './scoring';
import type { RoutingPool } from './routing';
import type { AcceptAction, Campaign, ContactAction, EngagementEvent, HandoffPolicy, LeadAttributes, RejectAction, RejectionReason, ScoringModel, Stage, SystemRecycleReason, CampaignStep } from './types';

export interface LeadConfig {
  campaign: Campaign;
  policy: HandoffPolicy;
  model: ScoringModel;
  /** Scored beside `model` for comparison only: it never hands a lead off (shadow scoring, A/B). */
  shadowModel?: ScoringModel;
}

export type TransitionReason =
  | 'enrolled'
  | 'mql'
  | 'sla_breached'
  | 'contacted'
  | 'accepted'
  | 'rejected'
  | 'disqualified'
  | 'recycle_period_over'
  | 'unsubscribed'
  | 'email_bounced'
  /** Ops cleared the bounce flag (DELETE /v1/leads/:id/bounce): email may go to the lead again. */
  | 'bounce_cleared'
  /** The lead moved to newer campaign/model versions (stage unchanged). */
  | 'migrated'
  /** The shadow model would have made the lead an MQL now (stage unchanged; nothing is handed off). */
  | 'shadow_mql'
  /** Routing gave the lead an owner (details: assignedBy = rule id | fallback | manager, pool, skipped). */
  | 'assigned'
  /** A contact attempt after the first (stage working; details say whether it reached the lead). */
  | 'contact_attempt'
  | SystemRecycleReason;

export interface Transition {
  /** Per-lead sequence number: the idempotency key of the row in lead_transitions. */
  seq: number;
  from: Stage | null;
  to: Stage;
  at: number;
  reason: TransitionReason;
  cycle: number;
  score: number;
  owner?: string;
  rep?: string;
  /** Who caused it (a user's email or service:<role>); absent for the workflow's own transitions. */
  actor?: string;
  rejectionReason?: RejectionReason;
  note?: string;
  details?: Record<string, string | number | boolean | null>;
}

export interface LeadState {
  leadId: string;
  stage: Stage;
  /** 0 for the first nurture; +1 each time the lead comes back from recycling. */
  cycle: number;
  attributes: LeadAttributes;
  unsubscribed: boolean;
  emailBounced: boolean;
  enrolledAt: number;
  /** Behaviour before this instant never counts (start of the current cycle). */
  behaviorSince: number;
  /** Only events that can still score: the full log lives in PostgreSQL. */
  events: ScorableEvent[];
  /** Recently seen event ids, so that a repeated signal is ignored even if its event did not score. */
  recentEventIds: string[];
  nurture: { track: 'steps' | 'recycleSteps'; nextStep: number; dueAt: number | null };
  owner: string | null;
  ownerIndex: number;
  /** Owners assigned in the current handoff; the first owner counts as 1. */
  assignments: number;
  mqlAt: number | null;
  slaDeadline: number | null;
  contactedAt: number | null;
  contactedWithinSla: boolean | null;
  qualificationDeadline: number | null;
  recycleAt: number | null;
  lastRejection: { reason: RejectionReason | SystemRecycleReason; rep?: string; note?: string; at: number } | null;
  score: { total: number; fit: number; behavior: number };
  /** Score under config.shadowModel (absent in states from before shadow scoring). */
  shadowScore?: { total: number; fit: number; behavior: number } | null;
  /** When the shadow model first said MQL in this cycle. */
  shadowMqlAt?: number | null;
  transitionSeq: number;
  /** 'directory': owners come from routing (runs of revision 3 on); absent: the stable hash of older runs. */
  ownerChoice?: 'directory';
  /** Contact attempts logged in this handoff (absent in states from before attempts). */
  contactAttempts?: number;
  /** False while only attempts that did not reach the lead were logged. */
  reached?: boolean;
  /** When the owner's next attempt is due (an unreached lead), and whether they were reminded of it. */
  nextAttemptDueAt?: number | null;
  attemptReminded?: boolean;
  /** The most recent transitions (all of them are in PostgreSQL). */
  transitions: Transition[];
}

export type LeadInput =
  | { type: 'engagement'; event: EngagementEvent }
  | { type: 'attributes'; attributes: LeadAttributes }
  | { type: 'unsubscribe'; actor?: string }
  | { type: 'emailBounced'; stepId: string }
  | { type: 'bounceCleared'; actor?: string }
  | { type: 'tick' }
  | { type: 'contact'; action: ContactAction }
  | { type: 'accept'; action: AcceptAction }
  | { type: 'reject'; action: RejectAction }
  /** The answer to a chooseOwner command. */
  | { type: 'ownerChosen'; assignment: number; owner: string; assignedBy: string; poolId: string; skipped: { owner: string; reason: string }[] }
  /** Move to newer versions of the lead's campaign, policy and models (on request, or at recycle). */
  | { type: 'migrate'; config: LeadConfig; trigger: MigrationTrigger; actor?: string };

export type MigrationTrigger = 'request' | 'recycle';

export type LeadCommand =
  | { type: 'sendNurtureEmail'; campaignId: string; campaignVersion: number; cycle: number; stepIndex: number; step: CampaignStep }
  | {
      type: 'notifyOwner';
      owner: string;
      reason: 'handoff' | 'reassigned';
      cycle: number;
      assignment: number;
      slaDeadline: number;
      score: Score;
      /** Seq of the transition that made this assignment (`mql` at a handoff, `sla_breached` at a reassignment). */
      transitionSeq: number;
      /** The team's time zone, when the policy has business hours. */
      timeZone?: string;
    }
  | {
      type: 'escalateSla';
      manager: string;
      missedBy: string;
      cycle: number;
      breach: number;
      deadline: number;
      outcome: 'reassigned' | 'recycled';
      nextOwner: string | null;
      /** Seq of the transition this breach records (`sla_breached` or `sla_expired`). */
      transitionSeq: number;
    }
  | {
      type: 'remindOwner';
      owner: string;
      cycle: number;
      /** The attempts logged so far, and the policy's limit. */
      attempts: number;
      maxAttempts: number;
      dueAt: number;
      timeZone?: string;
    }
  | {
      /** Routing: the next available owner of the lead's pool, taken in PostgreSQL (round-robin across the campaign's leads). */
      type: 'chooseOwner';
      reason: 'handoff' | 'reassigned';
      cycle: number;
      assignment: number;
      campaignId: string;
      /** In order: the matching rule's pool, then the campaign's owners; the manager when nobody is available. */
      pools: RoutingPool[];
      /** Who must not get it (the owner who just missed the SLA) unless nobody else can. */
      exclude: string[];
      manager: string;
      at: number;
      /** Seq of the transition that made this assignment (`mql` at a handoff, `sla_breached` at a reassignment). */
      transitionSeq: number;
    }
  | { type: 'recordTransition'; transition: Transition }
  /** From now on the lead runs under `config` (after a migration); no side effect of its own. */
  | { type: 'useConfig'; config: LeadConfig }
  | { type: 'continueAsNew' };

export interface StepResult {
  state: LeadState;
  commands: LeadCommand[];
}

export interface Refusal {
  code: 'illegal_stage' | 'bant_insufficient';
  message: string;
}

export const RECENT_TRANSITIONS_KEPT = 20;
export const RECENT_EVENT_IDS_KEPT = 1000;
/** Bounds workflow state (and continue-as-new payloads) for a very busy lead; the oldest go first. */
export const SCORABLE_EVENTS_KEPT = 2000;
export const TERMINAL_STAGES: readonly Stage[] = ['sql', 'disqualified'];

export function isTerminal(stage: Stage): boolean {
  return TERMINAL_STAGES.includes(stage);
}
