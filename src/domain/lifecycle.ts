// The lead's state machine as a pure reducer: (state, input, now, config) → { state, commands }.
// The workflow only feeds inputs in and executes the commands that come out; tests, what-if
// tooling and the workflow therefore share exactly one implementation of the rules.
import { isUsableConfig } from './config-shape';
import { firstOwnerIndex, iso, nextWakeup, startNurture, stepsOf, type Wakeup } from './deadlines';
import { durationMs } from './duration';
import {
  isTerminal,
  RECENT_EVENT_IDS_KEPT,
  RECENT_TRANSITIONS_KEPT,
  SCORABLE_EVENTS_KEPT,
  type LeadCommand,
  type LeadConfig,
  type LeadInput,
  type LeadState,
  type MigrationTrigger,
  type Refusal,
  type StepResult,
  type Transition,
  type TransitionReason,
} from './lead-state';
import { legality } from './legality';
import { eventsStillScorable, score, type Score, type ScorableEvent } from './scoring';
import type { ContactAction, EngagementEvent, LeadAttributes, RejectAction, RejectionReason, ScoringModel, Stage, SystemRecycleReason } from './types';

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
  return legality(now === undefined ? state : settle(state, now, config).state, input, config);
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

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
