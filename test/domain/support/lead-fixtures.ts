// Shared fixtures for the reducer's tests: one campaign, policy and model, input builders, and a
// `Lead` driver that feeds inputs like the workflow does (and checks every step leaves its input alone).
import { enroll, step } from '../../../src/domain/lifecycle';
import type { LeadCommand, LeadConfig, LeadInput, LeadState, StepResult, Transition } from '../../../src/domain/lead-state';
import type { Bant, Campaign, HandoffPolicy, LeadAttributes, ScoringModel, Stage } from '../../../src/domain/types';

export const S = 1_000;
export const H = 3_600 * S;
export const D = 24 * H;
export const T0 = Date.parse('2025-04-01T00:00:00Z');

export const POLICY: HandoffPolicy = {
  sla: '24h',
  maxReassignments: 2,
  qualificationWindow: '14d',
  recyclePeriod: '30d',
  bantRequired: 3,
  owners: ['a@x', 'b@x', 'c@x'],
  manager: 'm@x',
};

export const CAMPAIGN: Campaign = {
  id: 'camp-1',
  version: 3,
  name: 'Test nurture',
  steps: [
    { id: 's1', delay: '0s', subject: 'ようこそ {{name}}', body: 'Welcome' },
    { id: 's2', delay: '3d', subject: 'Case study', body: 'Case study body' },
    { id: 's3', delay: '7d', subject: 'Pricing', body: 'Pricing body' },
  ],
  recycleSteps: [
    { id: 'r1', delay: '2d', subject: 'Welcome back', body: 'Back' },
    { id: 'r2', delay: '5d', subject: 'What is new', body: 'New' },
  ],
};

export const CAMPAIGN_NO_RECYCLE: Campaign = { id: CAMPAIGN.id, version: CAMPAIGN.version, name: CAMPAIGN.name, steps: CAMPAIGN.steps };

export const MODEL: ScoringModel = {
  id: 'model-1',
  version: 2,
  fit: [
    { id: 'decision-maker', attribute: 'title', pattern: '\\b(cto|ceo|vp)\\b|部長', points: 20 },
    { id: 'size', attribute: 'employees', gte: 100, points: 10 },
  ],
  behavior: [
    { id: 'open', event: 'email_open', points: 2, maxPoints: 10 },
    { id: 'case-study', event: 'page_view', where: { page: 'case-study' }, points: 5, maxPoints: 15 },
    { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 15, maxPoints: 45 },
    { id: 'demo', event: 'demo_request', points: 40 },
  ],
  behaviorWindow: '90d',
  mql: { threshold: 50, requireAnyOf: ['pricing', 'demo'] },
};

export const CONFIG: LeadConfig = { campaign: CAMPAIGN, policy: POLICY, model: MODEL };
export const CONFIG_NO_RECYCLE: LeadConfig = { ...CONFIG, campaign: CAMPAIGN_NO_RECYCLE };

/** decision-maker 20 + size 10 = 30 fit points. */
export const FIT: LeadAttributes = { title: 'CTO', employees: 200 };

export const BANT3: Bant = { budget: true, authority: true, need: true, timeline: false };
export const BANT2: Bant = { budget: true, authority: false, need: true, timeline: false };

export const iso = (ms: number) => new Date(ms).toISOString();

export function engagement(eventId: string, type: string, at: number, properties?: Record<string, string | number | boolean>): LeadInput {
  return { type: 'engagement', event: { eventId, type, occurredAt: iso(at), ...(properties ? { properties } : {}) } };
}
export const pricing = (eventId: string, at: number) => engagement(eventId, 'page_view', at, { page: 'pricing' });
export const open = (eventId: string, at: number) => engagement(eventId, 'email_open', at);
export const tick: LeadInput = { type: 'tick' };

export type Cmd<T extends LeadCommand['type']> = Extract<LeadCommand, { type: T }>;
export function only<T extends LeadCommand['type']>(commands: readonly LeadCommand[], type: T): Cmd<T>[] {
  return commands.filter((c): c is Cmd<T> => c.type === type);
}
export const types = (commands: readonly LeadCommand[]) => commands.map((c) => c.type);
export const transitionsIn = (commands: readonly LeadCommand[]): Transition[] => only(commands, 'recordTransition').map((c) => c.transition);
export const reasons = (commands: readonly LeadCommand[]) => transitionsIn(commands).map((t) => t.reason);
export const has = (commands: readonly LeadCommand[], type: LeadCommand['type']) => commands.some((c) => c.type === type);

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Drives one lead through the reducer like the workflow does: a useConfig command switches the
 * config for what follows. Every step deep-freezes the input state and checks afterwards that it is
 * unchanged, so the whole suite also checks immutability.
 */
export class Lead {
  state: LeadState;
  config: LeadConfig;
  /** Commands of the last call. */
  last: LeadCommand[];
  /** Every command so far. */
  readonly log: LeadCommand[] = [];

  constructor(
    config: LeadConfig = CONFIG,
    readonly leadId = 'lead-1',
    attributes: LeadAttributes = FIT,
    at = T0,
  ) {
    this.config = config;
    const result = enroll(leadId, attributes, at, config);
    this.state = result.state;
    this.last = result.commands;
    this.log.push(...result.commands);
  }

  apply(input: LeadInput, at: number): StepResult {
    const before = this.state;
    const json = JSON.stringify(before);
    deepFreeze(before);
    const result = step(before, input, at, this.config);
    expect(JSON.stringify(before)).toBe(json);
    this.state = result.state;
    this.last = result.commands;
    this.log.push(...result.commands);
    for (const command of result.commands) if (command.type === 'useConfig') this.config = command.config;
    return result;
  }

  tick(at: number): StepResult {
    return this.apply(tick, at);
  }
}

/** MQL at T0 + 2h: fit 30 + pricing 15 (T0 + 1h) + pricing 15 (T0 + 2h) = 60 >= 50 with the pricing rule. */
export const MQL_AT = T0 + 2 * H;
export function mqlLead(config: LeadConfig = CONFIG, leadId = 'lead-1'): Lead {
  const lead = new Lead(config, leadId);
  lead.apply(pricing('p1', T0 + H), T0 + H);
  expect(lead.state.stage).toBe('nurturing');
  lead.apply(pricing('p2', MQL_AT), MQL_AT);
  expect(lead.state.stage).toBe('mql');
  return lead;
}

/** Contacted at CONTACTED_AT = MQL_AT + 1h, within the SLA. */
export const CONTACTED_AT = MQL_AT + H;
export function workingLead(config: LeadConfig = CONFIG): Lead {
  const lead = mqlLead(config);
  lead.apply({ type: 'contact', action: { rep: 'a@x', channel: 'call' } }, CONTACTED_AT);
  expect(lead.state.stage).toBe('working');
  return lead;
}

/** A lead in `stage`, and a time at which no deadline is due yet. */
export function leadInStage(stage: Stage): { lead: Lead; at: number } {
  switch (stage) {
    case 'nurturing':
      return { lead: new Lead(), at: T0 + H };
    case 'mql':
      return { lead: mqlLead(), at: MQL_AT + H };
    case 'working':
      return { lead: workingLead(), at: CONTACTED_AT + H };
    case 'sql': {
      const lead = workingLead();
      lead.apply({ type: 'accept', action: { rep: 'a@x', bant: BANT3 } }, CONTACTED_AT + H);
      return { lead, at: CONTACTED_AT + 2 * H };
    }
    case 'recycled': {
      const lead = workingLead();
      lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'bad_timing' } }, CONTACTED_AT + H);
      return { lead, at: CONTACTED_AT + 2 * H };
    }
    case 'disqualified': {
      const lead = workingLead();
      lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'bad_fit', disqualify: true } }, CONTACTED_AT + H);
      return { lead, at: CONTACTED_AT + 2 * H };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Version pinning and shadow scoring: a second campaign and model family, with v2 more generous
// ---------------------------------------------------------------------------------------------

export const PINNED_T0 = Date.parse('2026-02-02T00:00:00Z');
export const PINNED_CAMPAIGN: Campaign = {
  id: 'camp',
  version: 1,
  name: 'v1',
  steps: [
    { id: 'welcome', delay: '0s', subject: 'Welcome', body: 'Hi' },
    { id: 'case', delay: '3d', subject: 'Case', body: 'Case' },
    { id: 'pricing', delay: '3d', subject: 'Pricing', body: 'Pricing' },
  ],
};
export const V1: ScoringModel = {
  id: 'model',
  version: 1,
  fit: [{ id: 'director', attribute: 'title', pattern: 'director', points: 20 }],
  behavior: [
    { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 30 },
    { id: 'open', event: 'email_open', points: 10 },
  ],
  behaviorWindow: '90d',
  mql: { threshold: 80, requireAnyOf: ['pricing'] },
};
/** v2: pricing is worth more and the threshold is lower. */
export const V2: ScoringModel = { ...V1, version: 2, behavior: [{ ...V1.behavior[0]!, points: 40 }, V1.behavior[1]!], mql: { threshold: 60, requireAnyOf: ['pricing'] } };
export const SHADOW: ScoringModel = { ...V2, id: 'shadow', version: 1 };
export const PINNED_CONFIG: LeadConfig = { campaign: PINNED_CAMPAIGN, policy: { ...POLICY, maxReassignments: 0, owners: ['a@x', 'b@x'] }, model: V1 };
export const WITH_SHADOW: LeadConfig = { ...PINNED_CONFIG, shadowModel: SHADOW };

/** An 'IT Director' (fit 20 under V1 and V2) enrolled at PINNED_T0. */
export function pinnedLead(config: LeadConfig): Lead {
  return new Lead(config, 'lead-v', { title: 'IT Director' }, PINNED_T0);
}
