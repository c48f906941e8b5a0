// What one reducer call works on: the lead's new state, the clock, the configuration in force, and
// the commands given so far. Every transition module writes through it, so a transition's seq, stage
// and owner are stamped in one place and the commands keep the order in which things happened.
import { RECENT_TRANSITIONS_KEPT, type LeadCommand, type LeadConfig, type LeadState, type StepResult, type Transition, type TransitionReason } from '../lead-state';
import type { Score } from '../scoring';
import type { Stage } from '../types';

/** What a module may add to a transition; the rest is stamped from the lead. */
export type TransitionFields = Partial<Omit<Transition, 'seq' | 'from' | 'to' | 'at' | 'reason'>>;

export class StepContext {
  private readonly commands: LeadCommand[] = [];
  /** The primary model's score as last computed in this step (null until a rescore). */
  latestScore: Score | null = null;
  /** The shadow model's score as last computed in this step (null without a shadow model). */
  latestShadowScore: Score | null = null;

  constructor(
    /** The lead's state being built; a copy, never the caller's (see copyForStep). */
    readonly lead: LeadState,
    readonly now: number,
    private currentConfig: LeadConfig,
  ) {}

  get config(): LeadConfig {
    return this.currentConfig;
  }

  /** From here on the lead runs under `next`; the workflow learns it from the useConfig command. */
  useConfig(next: LeadConfig): void {
    this.currentConfig = next;
    this.emit({ type: 'useConfig', config: next });
  }

  emit(command: LeadCommand): void {
    this.commands.push(command);
  }

  /** Moves the lead to `to` (possibly its own stage) and records why, as the next transition. */
  recordTransition(to: Stage, reason: TransitionReason, fields: TransitionFields = {}): void {
    const lead = this.lead;
    const transition: Transition = {
      seq: lead.transitionSeq + 1,
      from: lead.transitionSeq === 0 ? null : lead.stage,
      to,
      at: this.now,
      reason,
      cycle: lead.cycle,
      score: lead.score.total,
      ...(lead.owner ? { owner: lead.owner } : {}),
      ...withoutUndefined(fields),
    };
    lead.transitionSeq = transition.seq;
    lead.stage = to;
    lead.transitions = [...lead.transitions, transition].slice(-RECENT_TRANSITIONS_KEPT);
    this.emit({ type: 'recordTransition', transition });
  }

  result(): StepResult {
    return { state: this.lead, commands: this.commands };
  }
}

/**
 * The copy a step works on. Transitions replace arrays and objects instead of mutating them, except
 * `nurture`: a shallow copy keeps each step O(1) however many events the lead has (the deep-freeze
 * tests hold us to this).
 */
export function copyForStep(state: LeadState): LeadState {
  return { ...state, nurture: { ...state.nurture } };
}

/** Optional fields left out rather than stored as undefined, so recorded transitions keep their shape. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
