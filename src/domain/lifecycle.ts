// The lead's state machine as a pure reducer: (state, input, now, config) → { state, commands }.
// The workflow only feeds inputs in and executes the commands that come out; tests, what-if
// tooling and the workflow therefore share exactly one implementation of the rules.
import { durationMs } from './duration';
import { eventsStillScorable, score, type Score, type ScorableEvent } from './scoring';
import { leadTimeZone, nextSendTime } from './send-window';
import type {
  AcceptAction,
  Campaign,
  CampaignStep,
  ContactAction,
  EngagementEvent,
  HandoffPolicy,
  LeadAttributes,
  RejectAction,
  RejectionReason,
  ScoringModel,
  Stage,
  SystemRecycleReason,
} from './types';

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
  /** The most recent transitions (all of them are in PostgreSQL). */
  transitions: Transition[];
}

export type LeadInput =
  | { type: 'engagement'; event: EngagementEvent }
  | { type: 'attributes'; attributes: LeadAttributes }
  | { type: 'unsubscribe' }
  | { type: 'emailBounced'; stepId: string }
  | { type: 'bounceCleared' }
  | { type: 'tick' }
  | { type: 'contact'; action: ContactAction }
  | { type: 'accept'; action: AcceptAction }
  | { type: 'reject'; action: RejectAction }
  /** Move to newer versions of the lead's campaign, policy and models (on request, or at recycle). */
  | { type: 'migrate'; config: LeadConfig; trigger: MigrationTrigger };

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

/** A new lead: nurturing, first step scheduled. */
export function enroll(leadId: string, attributes: LeadAttributes, now: number, config: LeadConfig): StepResult {
  const state: LeadState = {
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
    ...(config.shadowModel ? { shadowScore: { total: 0, fit: 0, behavior: 0 }, shadowMqlAt: null } : {}),
    transitionSeq: 0,
    transitions: [],
  };
  const out = new Builder(state, now, config);
  out.rescore();
  out.transition('nurturing', 'enrolled');
  // Fit alone can qualify a lead only together with the intent rule; check anyway so the rule holds.
  out.handOffIfMql();
  out.runDueDeadlines();
  return out.result();
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
  if (now !== undefined) state = settle(state, now, config).state;
  switch (input.type) {
    case 'contact':
      if (state.stage !== 'mql') return illegal(state, 'contact', ['mql']);
      return null;
    case 'accept': {
      if (state.stage !== 'working') return illegal(state, 'accept', ['working']);
      const confirmed = Object.values(input.action.bant).filter(Boolean).length;
      if (confirmed < config.policy.bantRequired) {
        return {
          code: 'bant_insufficient',
          message: `accept needs at least ${config.policy.bantRequired} of 4 BANT items confirmed (budget, authority, need, timeline); got ${confirmed}`,
        };
      }
      return null;
    }
    case 'reject':
      if (state.stage !== 'mql' && state.stage !== 'working') return illegal(state, 'reject', ['mql', 'working']);
      return null;
    default:
      return null;
  }
}

/** Apply one input at time `now`. Illegal inputs (see `check`) change nothing. */
export function step(state: LeadState, input: LeadInput, now: number, config: LeadConfig): StepResult {
  if (isTerminal(state.stage)) return { state, commands: [] };
  const out = new Builder(structuredCloneState(state), now, config);
  // Overdue deadlines first, so an input arriving just after one sees the lead as it is by now.
  // Except the move to the newest versions at the end of a recycle period: it belongs before the
  // lead's return to nurture (which is then due), so the next cycle runs on the new versions.
  if (!(input.type === 'migrate' && input.trigger === 'recycle')) out.runDueDeadlines();
  if (isTerminal(out.s.stage) || check(out.s, input, config)) return { state, commands: [] };
  switch (input.type) {
    case 'engagement':
      out.engagement(input.event);
      break;
    case 'attributes':
      out.s.attributes = { ...out.s.attributes, ...input.attributes };
      out.rescore();
      out.handOffIfMql();
      break;
    case 'unsubscribe':
      if (!out.s.unsubscribed) {
        out.s.unsubscribed = true;
        out.s.nurture.dueAt = null;
        out.transition(out.s.stage, 'unsubscribed');
      }
      break;
    case 'emailBounced':
      if (!out.s.emailBounced) {
        out.s.emailBounced = true;
        out.s.nurture.dueAt = null;
        out.transition(out.s.stage, 'email_bounced', { details: { stepId: input.stepId } });
      }
      break;
    case 'bounceCleared':
      if (out.s.emailBounced) {
        out.s.emailBounced = false;
        out.transition(out.s.stage, 'bounce_cleared');
        out.resumeNurture();
      }
      break;
    case 'tick':
      out.runDueDeadlines();
      break;
    case 'contact':
      out.contact(input.action);
      break;
    case 'accept':
      out.s.qualificationDeadline = null;
      out.transition('sql', 'accepted', {
        rep: input.action.rep,
        note: input.action.note,
        details: { ...input.action.bant },
      });
      break;
    case 'reject':
      out.reject(input.action);
      break;
    case 'migrate':
      out.migrate(input.config, input.trigger);
      break;
  }
  return out.result();
}

/** "campaign@v3 model@v2 shadow@v1": what a lead is pinned to. */
type Versioned = { id: string; version: number };

export function versionsOf(config: { campaign: Versioned; model: Versioned; shadowModel?: Versioned | null }): string {
  const shadow = config.shadowModel ? ` shadow ${config.shadowModel.id}@v${config.shadowModel.version}` : '';
  return `campaign ${config.campaign.id}@v${config.campaign.version} model ${config.model.id}@v${config.model.version}${shadow}`;
}

/** Current shadow score (breakdown included), or null without a shadow model. */
export function currentShadowScore(state: LeadState, now: number, config: LeadConfig): Score | null {
  if (!config.shadowModel) return null;
  return score(config.shadowModel, state.attributes, state.events, now, { since: state.behaviorSince });
}

/** Only the deadlines that are due by `now`. */
export function settle(state: LeadState, now: number, config: LeadConfig): StepResult {
  const out = new Builder(structuredCloneState(state), now, config);
  out.runDueDeadlines();
  return out.result();
}

/** Current score of the lead (breakdown included): "why is this lead an MQL?". */
export function currentScore(state: LeadState, now: number, config: LeadConfig): Score {
  return score(config.model, state.attributes, state.events, now, { since: state.behaviorSince });
}

export interface Wakeup {
  at: number;
  kind: 'nurture' | 'sla' | 'qualification' | 'recycle';
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
      if (state.slaDeadline === null) return null;
      return { at: state.slaDeadline, kind: 'sla', summary: `SLA: first contact by ${state.owner} due ${iso(state.slaDeadline)}` };
    case 'working':
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

function startNurture(campaign: Campaign, track: 'steps' | 'recycleSteps', now: number): LeadState['nurture'] {
  const first = stepsOf(campaign, track)[0];
  return { track, nextStep: 0, dueAt: first ? now + durationMs(first.delay) : null };
}

function illegal(state: LeadState, action: string, allowed: Stage[]): Refusal {
  return {
    code: 'illegal_stage',
    message: `cannot ${action} a lead in stage '${state.stage}'; ${action} is allowed only in stage ${allowed.map((s) => `'${s}'`).join(' or ')}`,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function structuredCloneState(state: LeadState): LeadState {
  // The builder replaces arrays and objects instead of mutating them, except `nurture`: a shallow copy
  // keeps each step O(1) however many events the lead has (the deep-freeze tests hold us to this).
  return { ...state, nurture: { ...state.nurture } };
}

/** Accumulates the new state and the commands of one step. */
class Builder {
  private readonly commands: LeadCommand[] = [];
  private lastScore: Score | null = null;
  private lastShadow: Score | null = null;

  constructor(
    readonly s: LeadState,
    private readonly now: number,
    private config: LeadConfig,
  ) {}

  result(): StepResult {
    return { state: this.s, commands: this.commands };
  }

  rescore(): Score {
    // Keep what either model can still score: the shadow model may look further back.
    const shadow = this.config.shadowModel;
    const widest = shadow && durationMs(shadow.behaviorWindow) > durationMs(this.config.model.behaviorWindow) ? shadow : this.config.model;
    this.s.events = eventsStillScorable(widest, this.s.events, this.now, this.s.behaviorSince);
    const result = currentScore(this.s, this.now, this.config);
    this.s.score = { total: result.total, fit: result.fit, behavior: result.behavior };
    this.lastScore = result;
    this.lastShadow = currentShadowScore(this.s, this.now, this.config);
    if (this.lastShadow) this.s.shadowScore = { total: this.lastShadow.total, fit: this.lastShadow.fit, behavior: this.lastShadow.behavior };
    else if (this.s.shadowScore !== undefined) this.s.shadowScore = null;
    return result;
  }

  /** Records, once per cycle, that the shadow model would have made the lead an MQL. Never hands off. */
  noteShadowMql(): void {
    const shadow = this.lastShadow;
    // While recycled the old cycle is over (sales said no): a crossing then would count against nothing.
    if (!shadow?.isMql || (this.s.shadowMqlAt ?? null) !== null || isTerminal(this.s.stage) || this.s.stage === 'recycled') return;
    this.s.shadowMqlAt = this.now;
    const model = this.config.shadowModel as ScoringModel;
    this.transition(this.s.stage, 'shadow_mql', {
      details: { shadowModel: `${model.id}@v${model.version}`, shadowScore: shadow.total, primaryScore: this.s.score.total, firedRules: shadow.firedRules.join(',') },
    });
  }

  /**
   * Moves the lead to `next` (same campaign, newer versions). Stage and deadlines already running stay;
   * the score is recomputed under the new model. A nurturing lead the new model calls an MQL is handed
   * off now; a lead already handed off stays with sales even if the new score is lower.
   */
  migrate(next: LeadConfig, trigger: MigrationTrigger): void {
    const from = this.config;
    // A hand-made signal that is not a whole configuration is ignored rather than failing the workflow.
    if (!isUsableConfig(next) || next.campaign.id !== from.campaign.id || versionsOf(next) === versionsOf(from)) return;
    // Continue at the same step (by id) in the new version's steps when it still exists.
    const { track, nextStep } = this.s.nurture;
    const pendingId = stepsOf(from.campaign, track)[nextStep]?.id;
    const moved = pendingId === undefined ? -1 : stepsOf(next.campaign, track).findIndex((st) => st.id === pendingId);
    if (moved >= 0) this.s.nurture.nextStep = moved;
    this.config = next;
    this.commands.push({ type: 'useConfig', config: next });
    if (!next.shadowModel) this.s.shadowMqlAt = null;
    this.rescore();
    const shadowOf = (c: LeadConfig) => (c.shadowModel ? `${c.shadowModel.id}@v${c.shadowModel.version}` : null);
    this.transition(this.s.stage, 'migrated', {
      details: {
        trigger,
        fromCampaignVersion: from.campaign.version,
        toCampaignVersion: next.campaign.version,
        fromModel: `${from.model.id}@v${from.model.version}`,
        toModel: `${next.model.id}@v${next.model.version}`,
        fromShadowModel: shadowOf(from),
        toShadowModel: shadowOf(next),
        toModelId: next.model.id,
        toModelVersion: next.model.version,
        toShadowModelId: next.shadowModel?.id ?? null,
        toShadowModelVersion: next.shadowModel?.version ?? null,
      },
    });
    this.handOffIfMql();
  }

  transition(to: Stage, reason: TransitionReason, extra: Partial<Omit<Transition, 'seq' | 'from' | 'to' | 'at' | 'reason'>> = {}): void {
    const transition: Transition = {
      seq: this.s.transitionSeq + 1,
      from: this.s.transitionSeq === 0 ? null : this.s.stage,
      to,
      at: this.now,
      reason,
      cycle: this.s.cycle,
      score: this.s.score.total,
      ...(this.s.owner ? { owner: this.s.owner } : {}),
      ...withoutUndefined(extra),
    };
    this.s.transitionSeq = transition.seq;
    this.s.stage = to;
    this.s.transitions = [...this.s.transitions, transition].slice(-RECENT_TRANSITIONS_KEPT);
    this.commands.push({ type: 'recordTransition', transition });
  }

  engagement(event: EngagementEvent): void {
    if (this.s.recentEventIds.includes(event.eventId) || this.s.events.some((e) => e.eventId === event.eventId)) return;
    this.s.recentEventIds = [...this.s.recentEventIds, event.eventId].slice(-RECENT_EVENT_IDS_KEPT);
    const at = Date.parse(event.occurredAt);
    if (Number.isNaN(at)) return;
    // While recycled, activity is logged (PostgreSQL) but cannot count: the lead re-earns MQL after the wait.
    if (this.s.stage === 'recycled') return;
    const scorable: ScorableEvent = { eventId: event.eventId, type: event.type, at, ...(event.properties ? { properties: event.properties } : {}) };
    this.s.events = [...this.s.events, scorable].slice(-SCORABLE_EVENTS_KEPT);
    this.rescore();
    this.handOffIfMql();
  }

  handOffIfMql(): void {
    const current = this.lastScore ?? this.rescore();
    this.handOffPrimary(current);
    this.noteShadowMql();
  }

  private handOffPrimary(current: Score): void {
    if (this.s.stage !== 'nurturing' || !current.isMql) return;
    const { owners, sla } = this.config.policy;
    this.s.ownerIndex = firstOwnerIndex(this.s.leadId, this.s.cycle, owners.length);
    this.s.owner = owners[this.s.ownerIndex] ?? null;
    this.s.assignments = 1;
    this.s.mqlAt = this.now;
    this.s.slaDeadline = this.now + durationMs(sla);
    this.s.nurture.dueAt = null;
    this.transition('mql', 'mql', { details: { firedRules: current.firedRules.join(',') } });
    this.notifyOwner('handoff', current);
  }

  contact(action: ContactAction): void {
    this.s.contactedAt = this.now;
    // Within SLA means the handoff's first owner made contact in time: a breach on the way counts against it.
    this.s.contactedWithinSla = this.s.assignments === 1 && this.s.slaDeadline !== null && this.now <= this.s.slaDeadline;
    this.s.slaDeadline = null;
    this.s.qualificationDeadline = this.now + durationMs(this.config.policy.qualificationWindow);
    this.transition('working', 'contacted', {
      rep: action.rep,
      note: action.note,
      details: { channel: action.channel, withinSla: this.s.contactedWithinSla },
    });
  }

  reject(action: RejectAction): void {
    if (action.disqualify) {
      this.s.slaDeadline = null;
      this.s.qualificationDeadline = null;
      this.s.lastRejection = { reason: action.reason, rep: action.rep, note: action.note, at: this.now };
      this.transition('disqualified', 'disqualified', { rep: action.rep, rejectionReason: action.reason, note: action.note });
      return;
    }
    this.recycle(action.reason, { rep: action.rep, note: action.note });
  }

  recycle(reason: RejectionReason | SystemRecycleReason, by: { rep?: string; note?: string } = {}): void {
    this.s.slaDeadline = null;
    this.s.qualificationDeadline = null;
    this.s.recycleAt = this.now + durationMs(this.config.policy.recyclePeriod);
    this.s.lastRejection = { reason, ...withoutUndefined(by), at: this.now };
    const system = reason === 'sla_expired' || reason === 'qualification_expired';
    this.transition('recycled', system ? (reason as SystemRecycleReason) : 'rejected', {
      ...withoutUndefined(by),
      ...(system ? {} : { rejectionReason: reason as RejectionReason }),
      details: { recycleAt: iso(this.s.recycleAt) },
    });
    this.s.owner = null;
    this.commands.push({ type: 'continueAsNew' });
  }

  runDueDeadlines(): void {
    // Several deadlines can be due at once (zero delays, or a worker that was down): settle them all.
    for (let guard = 0; guard < 1000; guard++) {
      const wake = nextWakeup(this.s, this.config);
      if (!wake || wake.at > this.now) return;
      this.onDeadline(wake.kind);
    }
  }

  private onDeadline(kind: Wakeup['kind']): void {
    switch (kind) {
      case 'nurture':
        return this.sendDueStep();
      case 'sla':
        return this.slaBreached();
      case 'qualification':
        this.s.qualificationDeadline = null;
        return this.recycle('qualification_expired');
      case 'recycle':
        return this.backToNurture();
    }
  }

  private sendDueStep(): void {
    const { track, nextStep } = this.s.nurture;
    const steps = stepsOf(this.config.campaign, track);
    const current = steps[nextStep];
    if (!current) {
      this.s.nurture.dueAt = null;
      return;
    }
    this.commands.push({
      type: 'sendNurtureEmail',
      campaignId: this.config.campaign.id,
      campaignVersion: this.config.campaign.version,
      cycle: this.s.cycle,
      stepIndex: nextStep,
      step: current,
    });
    const following = steps[nextStep + 1];
    this.s.nurture = { track, nextStep: nextStep + 1, dueAt: following ? this.now + durationMs(following.delay) : null };
  }

  private slaBreached(): void {
    const { owners, manager, maxReassignments, sla } = this.config.policy;
    const deadline = this.s.slaDeadline as number;
    const missedBy = this.s.owner ?? '(unassigned)';
    const breach = this.s.assignments;
    if (breach <= maxReassignments && owners.length > 0) {
      this.s.ownerIndex = (this.s.ownerIndex + 1) % owners.length;
      this.s.owner = owners[this.s.ownerIndex] ?? null;
      this.s.assignments += 1;
      this.s.slaDeadline = this.now + durationMs(sla);
      this.transition('mql', 'sla_breached', { details: { missedBy, breach, reassignedTo: this.s.owner } });
      this.commands.push({ type: 'escalateSla', manager, missedBy, cycle: this.s.cycle, breach, deadline, outcome: 'reassigned', nextOwner: this.s.owner, transitionSeq: this.s.transitionSeq });
      this.notifyOwner('reassigned', this.lastScore ?? this.rescore());
      return;
    }
    this.s.slaDeadline = null;
    // The recycle's transition, recorded next.
    this.commands.push({ type: 'escalateSla', manager, missedBy, cycle: this.s.cycle, breach, deadline, outcome: 'recycled', nextOwner: null, transitionSeq: this.s.transitionSeq + 1 });
    this.recycle('sla_expired');
  }

  private backToNurture(): void {
    this.s.cycle += 1;
    this.s.recycleAt = null;
    this.s.behaviorSince = this.now;
    this.s.events = [];
    this.s.owner = null;
    this.s.ownerIndex = -1;
    this.s.assignments = 0;
    this.s.mqlAt = null;
    this.s.contactedAt = null;
    this.s.contactedWithinSla = null;
    if (this.s.shadowMqlAt !== undefined) this.s.shadowMqlAt = null;
    this.s.nurture = startNurture(this.config.campaign, 'recycleSteps', this.now);
    if (this.s.unsubscribed || this.s.emailBounced) this.s.nurture.dueAt = null;
    this.rescore();
    this.transition('nurturing', 'recycle_period_over');
  }

  /** A nurturing lead that may be emailed again gets its pending step, its delay counted from now. */
  resumeNurture(): void {
    if (this.s.stage !== 'nurturing' || this.s.unsubscribed || this.s.emailBounced || this.s.nurture.dueAt !== null) return;
    const pending = stepsOf(this.config.campaign, this.s.nurture.track)[this.s.nurture.nextStep];
    if (pending) this.s.nurture.dueAt = this.now + durationMs(pending.delay);
  }

  private notifyOwner(reason: 'handoff' | 'reassigned', current: Score): void {
    if (!this.s.owner || this.s.slaDeadline === null) return;
    this.commands.push({
      type: 'notifyOwner',
      owner: this.s.owner,
      reason,
      cycle: this.s.cycle,
      assignment: this.s.assignments,
      slaDeadline: this.s.slaDeadline,
      score: current,
      transitionSeq: this.s.transitionSeq,
    });
  }
}

/** Structural check of a configuration that arrived in a signal (the API sends validated ones). */
export function isUsableConfig(value: unknown): value is LeadConfig {
  const c = value as Partial<LeadConfig> | null;
  const model = (m: unknown): boolean => {
    const x = m as Partial<ScoringModel> | null;
    return !!x && typeof x.id === 'string' && typeof x.version === 'number' && Array.isArray(x.fit) && Array.isArray(x.behavior) && isDurationLike(x.behaviorWindow) && typeof x.mql?.threshold === 'number';
  };
  return (
    !!c &&
    typeof c.campaign?.id === 'string' &&
    typeof c.campaign.version === 'number' &&
    Array.isArray(c.campaign.steps) &&
    c.campaign.steps.every((st) => typeof st?.id === 'string' && isDurationLike(st.delay)) &&
    (c.campaign.recycleSteps === undefined || (Array.isArray(c.campaign.recycleSteps) && c.campaign.recycleSteps.every((st) => typeof st?.id === 'string' && isDurationLike(st.delay)))) &&
    !!c.policy &&
    Array.isArray(c.policy.owners) &&
    [c.policy.sla, c.policy.qualificationWindow, c.policy.recyclePeriod].every(isDurationLike) &&
    model(c.model) &&
    (c.shadowModel === undefined || model(c.shadowModel))
  );
}

function isDurationLike(value: unknown): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  try {
    durationMs(value);
    return true;
  } catch {
    return false;
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
