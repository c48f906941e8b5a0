import { firstOwnerIndex, nextWakeup } from '../../src/domain/deadlines';
import { isTerminal, RECENT_EVENT_IDS_KEPT, RECENT_TRANSITIONS_KEPT, SCORABLE_EVENTS_KEPT, type LeadCommand, type LeadConfig, type LeadInput, type LeadState, type StepResult, type Transition } from '../../src/domain/lead-state';
import { check, currentScore, enroll, step } from '../../src/domain/lifecycle';
import type { Bant, Campaign, HandoffPolicy, LeadAttributes, ScoringModel, Stage } from '../../src/domain/types';
import { STAGES } from '../../src/domain/types';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const S = 1_000;
const H = 3_600 * S;
const D = 24 * H;
const T0 = Date.parse('2025-04-01T00:00:00Z');

const POLICY: HandoffPolicy = {
  sla: '24h',
  maxReassignments: 2,
  qualificationWindow: '14d',
  recyclePeriod: '30d',
  bantRequired: 3,
  owners: ['a@x', 'b@x', 'c@x'],
  manager: 'm@x',
};

const CAMPAIGN: Campaign = {
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

const CAMPAIGN_NO_RECYCLE: Campaign = { id: CAMPAIGN.id, version: CAMPAIGN.version, name: CAMPAIGN.name, steps: CAMPAIGN.steps };

const MODEL: ScoringModel = {
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

const CONFIG: LeadConfig = { campaign: CAMPAIGN, policy: POLICY, model: MODEL };
const CONFIG_NO_RECYCLE: LeadConfig = { ...CONFIG, campaign: CAMPAIGN_NO_RECYCLE };

/** decision-maker 20 + size 10 = 30 fit points. */
const FIT: LeadAttributes = { title: 'CTO', employees: 200 };

const BANT3: Bant = { budget: true, authority: true, need: true, timeline: false };
const BANT2: Bant = { budget: true, authority: false, need: true, timeline: false };

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const iso = (ms: number) => new Date(ms).toISOString();

function engagement(eventId: string, type: string, at: number, properties?: Record<string, string | number | boolean>): LeadInput {
  return { type: 'engagement', event: { eventId, type, occurredAt: iso(at), ...(properties ? { properties } : {}) } };
}
const pricing = (eventId: string, at: number) => engagement(eventId, 'page_view', at, { page: 'pricing' });
const open = (eventId: string, at: number) => engagement(eventId, 'email_open', at);
const tick: LeadInput = { type: 'tick' };

type Cmd<T extends LeadCommand['type']> = Extract<LeadCommand, { type: T }>;
function only<T extends LeadCommand['type']>(commands: readonly LeadCommand[], type: T): Cmd<T>[] {
  return commands.filter((c): c is Cmd<T> => c.type === type);
}
const types = (commands: readonly LeadCommand[]) => commands.map((c) => c.type);
const transitionsIn = (commands: readonly LeadCommand[]): Transition[] => only(commands, 'recordTransition').map((c) => c.transition);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Drives one lead through the reducer like the workflow does. Every step deep-freezes the input
 * state and checks afterwards that it is unchanged, so the whole suite also checks immutability.
 */
class Lead {
  state: LeadState;
  /** Commands of the last call. */
  last: LeadCommand[];
  /** Every command so far. */
  readonly log: LeadCommand[] = [];

  constructor(
    readonly config: LeadConfig = CONFIG,
    readonly leadId = 'lead-1',
    attributes: LeadAttributes = FIT,
    at = T0,
  ) {
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
    return result;
  }

  tick(at: number): StepResult {
    return this.apply(tick, at);
  }
}

/** MQL at T0 + 2h: fit 30 + pricing 15 (T0 + 1h) + pricing 15 (T0 + 2h) = 60 >= 50 with the pricing rule. */
const M = T0 + 2 * H;
function mqlLead(config: LeadConfig = CONFIG, leadId = 'lead-1'): Lead {
  const lead = new Lead(config, leadId);
  lead.apply(pricing('p1', T0 + H), T0 + H);
  expect(lead.state.stage).toBe('nurturing');
  lead.apply(pricing('p2', M), M);
  expect(lead.state.stage).toBe('mql');
  return lead;
}

/** Contacted at C = M + 1h, within the SLA. */
const C = M + H;
function workingLead(config: LeadConfig = CONFIG): Lead {
  const lead = mqlLead(config);
  lead.apply({ type: 'contact', action: { rep: 'a@x', channel: 'call' } }, C);
  expect(lead.state.stage).toBe('working');
  return lead;
}

/** A lead in `stage`, and a time at which no deadline is due yet. */
function leadInStage(stage: Stage): { lead: Lead; at: number } {
  switch (stage) {
    case 'nurturing':
      return { lead: new Lead(), at: T0 + H };
    case 'mql':
      return { lead: mqlLead(), at: M + H };
    case 'working':
      return { lead: workingLead(), at: C + H };
    case 'sql': {
      const lead = workingLead();
      lead.apply({ type: 'accept', action: { rep: 'a@x', bant: BANT3 } }, C + H);
      return { lead, at: C + 2 * H };
    }
    case 'recycled': {
      const lead = workingLead();
      lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'bad_timing' } }, C + H);
      return { lead, at: C + 2 * H };
    }
    case 'disqualified': {
      const lead = workingLead();
      lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'bad_fit', disqualify: true } }, C + H);
      return { lead, at: C + 2 * H };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Stage × input table
// ---------------------------------------------------------------------------------------------

const INPUT_TYPES = ['engagement', 'attributes', 'unsubscribe', 'emailBounced', 'tick', 'contact', 'accept', 'reject'] as const;
type InputType = (typeof INPUT_TYPES)[number];

function inputOf(type: InputType, at: number): LeadInput {
  switch (type) {
    case 'engagement':
      return open('x-open', at);
    case 'attributes':
      return { type: 'attributes', attributes: { country: 'JP' } };
    case 'unsubscribe':
      return { type: 'unsubscribe' };
    case 'emailBounced':
      return { type: 'emailBounced', stepId: 's1' };
    case 'tick':
      return tick;
    case 'contact':
      return { type: 'contact', action: { rep: 'a@x', channel: 'call' } };
    case 'accept':
      return { type: 'accept', action: { rep: 'a@x', bant: BANT3 } };
    case 'reject':
      return { type: 'reject', action: { rep: 'a@x', reason: 'bad_timing' } };
  }
}

const ALWAYS: InputType[] = ['engagement', 'attributes', 'unsubscribe', 'emailBounced', 'tick'];
const LEGAL: Record<Stage, InputType[]> = {
  nurturing: ALWAYS,
  mql: [...ALWAYS, 'contact', 'reject'],
  working: [...ALWAYS, 'accept', 'reject'],
  recycled: ALWAYS,
  sql: [],
  disqualified: [],
};
const SALES_ACTIONS: InputType[] = ['contact', 'accept', 'reject'];

/** What a legal input does to a lead in `stage` (with nothing due at `at`). */
function expectLegalEffect(type: InputType, stage: Stage, before: LeadState, result: StepResult, at: number): void {
  const { state: after, commands } = result;
  const newTransition = (to: Stage, reason: Transition['reason']) => {
    const [t] = transitionsIn(commands);
    expect(t).toMatchObject({ seq: before.transitionSeq + 1, from: stage, to, at, reason, cycle: before.cycle });
    expect(after.transitionSeq).toBe(before.transitionSeq + 1);
    expect(after.transitions[after.transitions.length - 1]).toEqual(t);
    return t!;
  };
  switch (type) {
    case 'engagement':
      expect(commands).toEqual([]);
      expect(after.stage).toBe(stage);
      expect(after.recentEventIds).toEqual([...before.recentEventIds, 'x-open']);
      if (stage === 'recycled') {
        // Logged elsewhere, but cannot count while recycled.
        expect(after.events).toEqual(before.events);
        expect(after.score).toEqual(before.score);
      } else {
        expect(after.events.map((e) => e.eventId)).toEqual([...before.events.map((e) => e.eventId), 'x-open']);
        expect(after.score.total).toBe(before.score.total + 2);
        expect(after.score.behavior).toBe(before.score.behavior + 2);
      }
      return;
    case 'attributes':
      expect(commands).toEqual([]);
      expect(after).toEqual({ ...before, attributes: { ...before.attributes, country: 'JP' } });
      return;
    case 'unsubscribe': {
      const t = newTransition(stage, 'unsubscribed');
      expect(types(commands)).toEqual(['recordTransition']);
      expect(after).toEqual({
        ...before,
        unsubscribed: true,
        nurture: { ...before.nurture, dueAt: null },
        transitionSeq: before.transitionSeq + 1,
        transitions: [...before.transitions, t],
      });
      return;
    }
    case 'emailBounced': {
      const t = newTransition(stage, 'email_bounced');
      expect(t.details).toEqual({ stepId: 's1' });
      expect(types(commands)).toEqual(['recordTransition']);
      expect(after).toEqual({
        ...before,
        emailBounced: true,
        nurture: { ...before.nurture, dueAt: null },
        transitionSeq: before.transitionSeq + 1,
        transitions: [...before.transitions, t],
      });
      return;
    }
    case 'tick':
      expect(commands).toEqual([]);
      expect(after).toEqual(before);
      return;
    case 'contact':
      expect(after.stage).toBe('working');
      newTransition('working', 'contacted');
      expect(types(commands)).toEqual(['recordTransition']);
      return;
    case 'accept':
      expect(after.stage).toBe('sql');
      newTransition('sql', 'accepted');
      expect(types(commands)).toEqual(['recordTransition']);
      return;
    case 'reject':
      expect(after.stage).toBe('recycled');
      newTransition('recycled', 'rejected');
      expect(types(commands)).toEqual(['recordTransition', 'continueAsNew']);
      return;
  }
}

describe('stage × input table', () => {
  it('covers every stage', () => {
    expect(Object.keys(LEGAL).sort()).toEqual([...STAGES].sort());
  });

  describe.each([...STAGES])('in stage %s', (stage) => {
    it.each([...INPUT_TYPES])('%s', (type) => {
      const { lead, at } = leadInStage(stage);
      const before = lead.state;
      expect(before.stage).toBe(stage);
      const snapshot = JSON.parse(JSON.stringify(before)) as LeadState;
      const input = inputOf(type, at);
      const refusal = check(before, input, lead.config);

      if (LEGAL[stage].includes(type)) {
        expect(refusal).toBeNull();
        const result = lead.apply(input, at);
        expectLegalEffect(type, stage, snapshot, result, at);
        return;
      }

      if (SALES_ACTIONS.includes(type)) {
        expect(refusal).not.toBeNull();
        expect(refusal!.code).toBe('illegal_stage');
        expect(refusal!.message).toContain(`'${stage}'`);
        expect(refusal!.message).toContain(type);
      } else {
        // Only terminal stages get here: everything is ignored there.
        expect(isTerminal(stage)).toBe(true);
      }
      const result = lead.apply(input, at);
      expect(result.commands).toEqual([]);
      expect(result.state).toEqual(snapshot);
    });
  });

  it.each(['sql', 'disqualified'] as const)('terminal stage %s ignores everything, even long after, and has no wakeup', (stage) => {
    const { lead } = leadInStage(stage);
    expect(isTerminal(stage)).toBe(true);
    const snapshot = JSON.parse(JSON.stringify(lead.state)) as LeadState;
    for (const type of INPUT_TYPES) {
      const result = lead.apply(inputOf(type, T0 + 400 * D), T0 + 400 * D);
      expect(result.commands).toEqual([]);
      expect(result.state).toEqual(snapshot);
    }
    // Even an event that would be an MQL on its own.
    lead.apply(engagement('demo-late', 'demo_request', T0 + 401 * D), T0 + 401 * D);
    expect(lead.state).toEqual(snapshot);
    expect(nextWakeup(lead.state, CONFIG)).toBeNull();
  });

  it('non-terminal stages are not terminal', () => {
    for (const stage of ['nurturing', 'mql', 'working', 'recycled'] as const) expect(isTerminal(stage)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Enrolment and nurture
// ---------------------------------------------------------------------------------------------

describe('enroll and nurture', () => {
  it('enrolls as nurturing, records the first transition and sends step 0 at once when its delay is 0s', () => {
    const lead = new Lead();
    const { state } = lead;
    expect(state).toMatchObject({
      leadId: 'lead-1',
      stage: 'nurturing',
      cycle: 0,
      attributes: FIT,
      unsubscribed: false,
      emailBounced: false,
      enrolledAt: T0,
      behaviorSince: 0,
      events: [],
      owner: null,
      slaDeadline: null,
      score: { total: 30, fit: 30, behavior: 0 },
      transitionSeq: 1,
      nurture: { track: 'steps', nextStep: 1, dueAt: T0 + 3 * D },
    });
    expect(lead.last).toEqual([
      {
        type: 'recordTransition',
        transition: { seq: 1, from: null, to: 'nurturing', at: T0, reason: 'enrolled', cycle: 0, score: 30 },
      },
      { type: 'sendNurtureEmail', campaignId: 'camp-1', campaignVersion: 3, cycle: 0, stepIndex: 0, step: CAMPAIGN.steps[0] },
    ]);
    expect(state.transitions).toEqual([transitionsIn(lead.last)[0]]);
  });

  it('copies the attributes instead of keeping the caller object', () => {
    const attributes: LeadAttributes = { title: 'CTO' };
    const { state } = enroll('lead-x', attributes, T0, CONFIG);
    attributes.title = 'student';
    expect(state.attributes).toEqual({ title: 'CTO' });
  });

  it('sends each following step after its delay; ticks before the due time do nothing', () => {
    const lead = new Lead();
    expect(nextWakeup(lead.state, CONFIG)).toEqual({ at: T0 + 3 * D, kind: 'nurture', summary: expect.stringContaining('Case study') });
    expect(nextWakeup(lead.state, CONFIG)!.summary).toContain('s2');

    for (const at of [T0 + H, T0 + D, T0 + 3 * D - 1]) {
      const before = lead.state;
      lead.tick(at);
      expect(lead.last).toEqual([]);
      expect(lead.state).toEqual(before);
    }

    lead.tick(T0 + 3 * D);
    expect(lead.last).toEqual([
      { type: 'sendNurtureEmail', campaignId: 'camp-1', campaignVersion: 3, cycle: 0, stepIndex: 1, step: CAMPAIGN.steps[1] },
    ]);
    expect(lead.state.nurture).toEqual({ track: 'steps', nextStep: 2, dueAt: T0 + 10 * D });
    expect(lead.state.transitionSeq).toBe(1); // emails are not transitions

    lead.tick(T0 + 10 * D - 1);
    expect(lead.last).toEqual([]);

    lead.tick(T0 + 10 * D);
    expect(types(lead.last)).toEqual(['sendNurtureEmail']);
    expect(only(lead.last, 'sendNurtureEmail')[0]).toMatchObject({ stepIndex: 2, step: { id: 's3' } });

    // Steps ran out: nothing more is due, the lead simply stays in nurture.
    expect(lead.state.nurture).toEqual({ track: 'steps', nextStep: 3, dueAt: null });
    expect(nextWakeup(lead.state, CONFIG)).toBeNull();
    lead.tick(T0 + 365 * D);
    expect(lead.last).toEqual([]);
    expect(lead.state.stage).toBe('nurturing');
    expect(only(lead.log, 'sendNurtureEmail').map((c) => c.step.id)).toEqual(['s1', 's2', 's3']);
  });

  it('counts a delay from the moment the previous step was actually sent (a late tick sends one step)', () => {
    const lead = new Lead();
    lead.tick(T0 + 20 * D); // s2 was due at 3d: sent now, s3 due 7d later
    expect(only(lead.last, 'sendNurtureEmail').map((c) => c.step.id)).toEqual(['s2']);
    expect(lead.state.nurture.dueAt).toBe(T0 + 27 * D);
  });

  it('sends nothing at enrolment when the first delay is not zero', () => {
    const campaign: Campaign = { ...CAMPAIGN, steps: [{ ...CAMPAIGN.steps[0]!, delay: '1d' }, ...CAMPAIGN.steps.slice(1)] };
    const lead = new Lead({ ...CONFIG, campaign });
    expect(types(lead.last)).toEqual(['recordTransition']);
    expect(lead.state.nurture).toEqual({ track: 'steps', nextStep: 0, dueAt: T0 + D });
    lead.tick(T0 + D);
    expect(only(lead.last, 'sendNurtureEmail').map((c) => [c.stepIndex, c.step.id])).toEqual([[0, 's1']]);
  });

  it('sends every zero-delay step at once', () => {
    const campaign: Campaign = { ...CAMPAIGN, steps: CAMPAIGN.steps.map((s) => ({ ...s, delay: '0s' })) };
    const lead = new Lead({ ...CONFIG, campaign });
    expect(only(lead.last, 'sendNurtureEmail').map((c) => c.stepIndex)).toEqual([0, 1, 2]);
    expect(lead.state.nurture.dueAt).toBeNull();
  });

  it('a campaign without steps schedules nothing', () => {
    const lead = new Lead({ ...CONFIG, campaign: { ...CAMPAIGN, steps: [] } });
    expect(types(lead.last)).toEqual(['recordTransition']);
    expect(lead.state.nurture.dueAt).toBeNull();
    expect(nextWakeup(lead.state, CONFIG)).toBeNull();
  });

  it('fit alone never makes an MQL when the model requires a high-intent rule', () => {
    const model: ScoringModel = { ...MODEL, mql: { threshold: 30, requireAnyOf: ['pricing'] } };
    const lead = new Lead({ ...CONFIG, model });
    expect(lead.state.score.total).toBe(30);
    expect(lead.state.stage).toBe('nurturing');
  });

  it('fit alone makes an MQL at enrolment when the model has no intent requirement', () => {
    const model: ScoringModel = { ...MODEL, mql: { threshold: 30 } };
    const lead = new Lead({ ...CONFIG, model });
    expect(lead.state.stage).toBe('mql');
    expect(types(lead.last)).toEqual(['recordTransition', 'recordTransition', 'notifyOwner']);
    expect(transitionsIn(lead.last).map((t) => [t.from, t.to, t.reason])).toEqual([
      [null, 'nurturing', 'enrolled'],
      ['nurturing', 'mql', 'mql'],
    ]);
    // Handed off before the first email: no nurture while sales owns the lead.
    expect(lead.state.nurture.dueAt).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Engagement, scoring and MQL handoff
// ---------------------------------------------------------------------------------------------

describe('engagement and MQL handoff', () => {
  it('scores each new event', () => {
    const lead = new Lead();
    lead.apply(open('o1', T0 + H), T0 + H);
    lead.apply(pricing('p1', T0 + 2 * H), T0 + 2 * H);
    // fit 30 + open 2 + pricing 15 = 47
    expect(lead.state.score).toEqual({ total: 47, fit: 30, behavior: 17 });
    expect(lead.state.stage).toBe('nurturing');
    expect(lead.last).toEqual([]);
  });

  it('ignores a repeated eventId: score unchanged, no commands', () => {
    const lead = new Lead();
    lead.apply(pricing('p1', T0 + H), T0 + H);
    const before = lead.state;
    // Same id, same content; then same id with another type: both ignored (else 30 + 15 + 15 = 60 would be an MQL).
    lead.apply(pricing('p1', T0 + H), T0 + 2 * H);
    expect(lead.last).toEqual([]);
    expect(lead.state).toEqual(before);
    lead.apply(engagement('p1', 'demo_request', T0 + 2 * H), T0 + 3 * H);
    expect(lead.last).toEqual([]);
    expect(lead.state).toEqual(before);
    expect(lead.state.score.total).toBe(45);
  });

  it('remembers the id of an event that did not score (unparseable time) and ignores it again', () => {
    const lead = new Lead();
    lead.apply({ type: 'engagement', event: { eventId: 'bad', type: 'demo_request', occurredAt: 'not a date' } }, T0 + H);
    expect(lead.last).toEqual([]);
    expect(lead.state.events).toEqual([]);
    expect(lead.state.score.total).toBe(30);
    expect(lead.state.recentEventIds).toEqual(['bad']);
    const before = lead.state;
    lead.apply(engagement('bad', 'demo_request', T0 + H), T0 + 2 * H);
    expect(lead.state).toEqual(before);
  });

  it('keeps only events that can still score in the state', () => {
    const lead = new Lead();
    lead.apply(open('o1', T0 + H), T0 + H);
    lead.apply(open('o2', T0 + 100 * D), T0 + 100 * D); // o1 is older than the 90d window now
    expect(lead.state.events.map((e) => e.eventId)).toEqual(['o2']);
    expect(lead.state.score).toEqual({ total: 32, fit: 30, behavior: 2 });
  });

  it('threshold reached without the high-intent rule stays nurturing; the high-intent event then hands off', () => {
    const lead = new Lead();
    let t = T0;
    for (let i = 1; i <= 5; i++) lead.apply(open(`o${i}`, (t += H)), t);
    for (let i = 1; i <= 3; i++) lead.apply(engagement(`cs${i}`, 'page_view', (t += H), { page: 'case-study' }), t);
    // fit 30 + opens 5 × 2 = 10 + case studies 3 × 5 = 15 → 55 >= 50, but no pricing/demo
    expect(lead.state.score.total).toBe(55);
    expect(lead.state.stage).toBe('nurturing');
    lead.apply(pricing('p1', (t += H)), t);
    // 55 + 15 = 70 with pricing
    expect(lead.state.score.total).toBe(70);
    expect(lead.state.stage).toBe('mql');
  });

  it('hands off at MQL: owner from the policy, SLA deadline now + 24h, transition and notification, nurture paused', () => {
    const lead = mqlLead();
    const owner = POLICY.owners[firstOwnerIndex('lead-1', 0, POLICY.owners.length)]!;
    expect(owner).toBe('a@x');
    expect(lead.state).toMatchObject({
      stage: 'mql',
      owner,
      ownerIndex: 0,
      assignments: 1,
      mqlAt: M,
      slaDeadline: M + 24 * H,
      score: { total: 60, fit: 30, behavior: 30 },
    });
    expect(lead.state.nurture.dueAt).toBeNull();
    expect(types(lead.last)).toEqual(['recordTransition', 'notifyOwner']);
    expect(transitionsIn(lead.last)[0]).toEqual({
      seq: 2,
      from: 'nurturing',
      to: 'mql',
      at: M,
      reason: 'mql',
      cycle: 0,
      score: 60,
      owner,
      details: { firedRules: 'pricing' },
    });
    const notify = only(lead.last, 'notifyOwner')[0]!;
    // The mql transition above made this assignment: the workflow may let the email record it.
    expect(notify).toMatchObject({ owner, reason: 'handoff', cycle: 0, assignment: 1, slaDeadline: M + 24 * H, transitionSeq: 2 });
    expect(notify.score).toMatchObject({ total: 60, isMql: true, firedRules: ['pricing'] });
    expect(notify.score.breakdown.filter((l) => l.kind === 'behavior').map((l) => [l.ruleId, l.eventId, l.points])).toEqual([
      ['pricing', 'p1', 15],
      ['pricing', 'p2', 15],
    ]);
    expect(nextWakeup(lead.state, CONFIG)).toEqual({ at: M + 24 * H, kind: 'sla', summary: expect.stringContaining('a@x') });

    // Nurture is paused: no email while sales owns the lead (the s2 email was due at T0 + 3d).
    lead.tick(M + 23 * H);
    expect(lead.last).toEqual([]);
    lead.apply({ type: 'contact', action: { rep: 'a@x', channel: 'email' } }, M + 23 * H);
    lead.tick(T0 + 3 * D);
    lead.tick(T0 + 10 * D);
    expect(only(lead.log, 'sendNurtureEmail').map((c) => c.step.id)).toEqual(['s1']);
  });

  it('more activity in mql does not hand off again', () => {
    const lead = mqlLead();
    lead.apply(engagement('d1', 'demo_request', M + H), M + H);
    expect(lead.last).toEqual([]);
    expect(lead.state.score.total).toBe(100);
    expect(lead.state.assignments).toBe(1);
    expect(lead.state.transitionSeq).toBe(2);
  });

  it('an attribute change can make an MQL', () => {
    const lead = new Lead(CONFIG, 'lead-1', { title: 'Engineer', employees: 20 });
    for (let i = 1; i <= 4; i++) lead.apply(pricing(`p${i}`, T0 + i * H), T0 + i * H);
    // fit 0 + pricing capped at 45 = 45 < 50
    expect(lead.state.score.total).toBe(45);
    expect(lead.state.stage).toBe('nurturing');
    lead.apply({ type: 'attributes', attributes: { title: '営業部長' } }, T0 + 5 * H);
    // decision-maker 20 + 45 = 65
    expect(lead.state.attributes).toEqual({ title: '営業部長', employees: 20 });
    expect(lead.state.score.total).toBe(65);
    expect(lead.state.stage).toBe('mql');
    expect(types(lead.last)).toEqual(['recordTransition', 'notifyOwner']);
  });

  it('currentScore explains the score of the state', () => {
    const lead = mqlLead();
    const result = currentScore(lead.state, M, CONFIG);
    expect(result.total).toBe(60);
    expect(result.isMql).toBe(true);
    expect(result.breakdown.map((l) => [l.kind, l.ruleId, l.points])).toEqual([
      ['fit', 'decision-maker', 20],
      ['fit', 'size', 10],
      ['behavior', 'pricing', 15],
      ['behavior', 'pricing', 15],
    ]);
    // Later, the events age out of the 90d window: fit only.
    expect(currentScore(lead.state, T0 + H + 90 * D + 1, CONFIG).breakdown.map((l) => l.eventId ?? l.ruleId)).toEqual([
      'decision-maker',
      'size',
      'p2',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// SLA
// ---------------------------------------------------------------------------------------------

describe('SLA', () => {
  it('nothing happens before the deadline', () => {
    const lead = mqlLead();
    const before = lead.state;
    lead.tick(M + 23 * H);
    expect(lead.last).toEqual([]);
    expect(lead.state).toEqual(before);
    lead.tick(M + 24 * H - 1);
    expect(lead.last).toEqual([]);
  });

  it('breaches at the deadline: reassigns to the next owner twice, then recycles on the third breach', () => {
    const lead = mqlLead();

    // Breach 1 at M + 24h: a@x missed it, b@x gets the lead.
    lead.tick(M + 24 * H);
    expect(types(lead.last)).toEqual(['recordTransition', 'escalateSla', 'notifyOwner']);
    expect(transitionsIn(lead.last)[0]).toMatchObject({
      seq: 3,
      from: 'mql',
      to: 'mql',
      at: M + 24 * H,
      reason: 'sla_breached',
      owner: 'b@x',
      details: { missedBy: 'a@x', breach: 1, reassignedTo: 'b@x' },
    });
    expect(only(lead.last, 'escalateSla')[0]).toEqual({
      type: 'escalateSla',
      manager: 'm@x',
      missedBy: 'a@x',
      cycle: 0,
      breach: 1,
      deadline: M + 24 * H,
      outcome: 'reassigned',
      nextOwner: 'b@x',
      // the sla_breached transition above
      transitionSeq: 3,
    });
    expect(only(lead.last, 'notifyOwner')[0]).toMatchObject({ owner: 'b@x', reason: 'reassigned', assignment: 2, slaDeadline: M + 48 * H, transitionSeq: 3 });
    expect(lead.state).toMatchObject({ stage: 'mql', owner: 'b@x', ownerIndex: 1, assignments: 2, slaDeadline: M + 48 * H });

    lead.tick(M + 47 * H);
    expect(lead.last).toEqual([]);

    // Breach 2 at M + 48h: b@x missed it, c@x gets the lead.
    lead.tick(M + 48 * H);
    expect(only(lead.last, 'escalateSla')[0]).toMatchObject({ missedBy: 'b@x', breach: 2, outcome: 'reassigned', nextOwner: 'c@x', deadline: M + 48 * H });
    expect(only(lead.last, 'notifyOwner')[0]).toMatchObject({ owner: 'c@x', assignment: 3, slaDeadline: M + 72 * H });
    expect(lead.state).toMatchObject({ owner: 'c@x', assignments: 3, slaDeadline: M + 72 * H });

    // Breach 3 at M + 72h: maxReassignments (2) used up → back to marketing.
    const R = M + 72 * H;
    lead.tick(R);
    expect(types(lead.last)).toEqual(['escalateSla', 'recordTransition', 'continueAsNew']);
    expect(only(lead.last, 'escalateSla')[0]).toEqual({
      type: 'escalateSla',
      manager: 'm@x',
      missedBy: 'c@x',
      cycle: 0,
      breach: 3,
      deadline: R,
      outcome: 'recycled',
      nextOwner: null,
      // the sla_expired transition recorded next
      transitionSeq: 5,
    });
    expect(transitionsIn(lead.last)[0]).toMatchObject({ seq: 5, from: 'mql', to: 'recycled', reason: 'sla_expired', at: R, owner: 'c@x' });
    expect(transitionsIn(lead.last)[0]!.rejectionReason).toBeUndefined();
    expect(lead.state).toMatchObject({
      stage: 'recycled',
      owner: null,
      slaDeadline: null,
      recycleAt: R + 30 * D,
      lastRejection: { reason: 'sla_expired', at: R },
    });
    expect(nextWakeup(lead.state, CONFIG)).toMatchObject({ at: R + 30 * D, kind: 'recycle' });
    expect(only(lead.log, 'escalateSla')).toHaveLength(3);
    expect(only(lead.log, 'notifyOwner').map((n) => [n.owner, n.reason])).toEqual([
      ['a@x', 'handoff'],
      ['b@x', 'reassigned'],
      ['c@x', 'reassigned'],
    ]);
  });

  it('reassignment wraps around the owner list', () => {
    expect(firstOwnerIndex('lead-2', 0, 3)).toBe(2);
    const lead = mqlLead(CONFIG, 'lead-2');
    expect(lead.state.owner).toBe('c@x');
    lead.tick(M + 24 * H);
    expect(lead.state.owner).toBe('a@x');
    expect(lead.state.ownerIndex).toBe(0);
  });

  it('with maxReassignments 0 the first breach recycles', () => {
    const lead = mqlLead({ ...CONFIG, policy: { ...POLICY, maxReassignments: 0 } });
    lead.tick(M + 24 * H);
    expect(only(lead.last, 'escalateSla')[0]).toMatchObject({ breach: 1, outcome: 'recycled', missedBy: 'a@x' });
    expect(lead.state.stage).toBe('recycled');
  });

  it('a contact stops the SLA clock', () => {
    const lead = workingLead();
    lead.tick(M + 24 * H);
    lead.tick(M + 72 * H);
    expect(lead.log.filter((c) => c.type === 'escalateSla')).toEqual([]);
    expect(lead.state.stage).toBe('working');
  });
});

// ---------------------------------------------------------------------------------------------
// Working, qualification, accept, reject
// ---------------------------------------------------------------------------------------------

describe('contact and qualification', () => {
  it('contact within the SLA: working, contactedWithinSla true, qualification window starts', () => {
    const lead = mqlLead();
    lead.apply({ type: 'contact', action: { rep: 'a@x', channel: 'call', note: '電話しました' } }, C);
    expect(lead.state).toMatchObject({
      stage: 'working',
      contactedAt: C,
      contactedWithinSla: true,
      slaDeadline: null,
      qualificationDeadline: C + 14 * D,
      owner: 'a@x',
    });
    expect(types(lead.last)).toEqual(['recordTransition']);
    expect(transitionsIn(lead.last)[0]).toEqual({
      seq: 3,
      from: 'mql',
      to: 'working',
      at: C,
      reason: 'contacted',
      cycle: 0,
      score: 60,
      owner: 'a@x',
      rep: 'a@x',
      note: '電話しました',
      details: { channel: 'call', withinSla: true },
    });
    expect(nextWakeup(lead.state, CONFIG)).toEqual({ at: C + 14 * D, kind: 'qualification', summary: expect.stringContaining('a@x') });
  });

  it('contact 1 ms before the deadline is within the SLA; the deadline instant itself is the breach', () => {
    const inTime = mqlLead();
    inTime.apply({ type: 'contact', action: { rep: 'a@x', channel: 'email' } }, M + 24 * H - 1);
    expect(inTime.state.contactedWithinSla).toBe(true);
    const atDeadline = mqlLead();
    atDeadline.apply({ type: 'contact', action: { rep: 'a@x', channel: 'email' } }, M + 24 * H);
    expect(atDeadline.state.contactedWithinSla).toBe(false);
  });

  it('contact after the SLA deadline (before the breach was processed) sets contactedWithinSla false', () => {
    const lead = mqlLead();
    lead.apply({ type: 'contact', action: { rep: 'a@x', channel: 'meeting' } }, M + 24 * H + 1);
    expect(lead.state.stage).toBe('working');
    expect(lead.state.contactedWithinSla).toBe(false);
    // The overdue breach is settled first (reassignment), then the contact is recorded against it.
    expect(transitionsIn(lead.last).map((t) => t.reason)).toEqual(['sla_breached', 'contacted']);
    expect(transitionsIn(lead.last)[1]!.details).toEqual({ channel: 'meeting', withinSla: false });
  });

  it('qualification window expiry recycles the lead', () => {
    const lead = workingLead();
    lead.tick(C + 14 * D - 1);
    expect(lead.last).toEqual([]);
    const Q = C + 14 * D;
    lead.tick(Q);
    expect(types(lead.last)).toEqual(['recordTransition', 'continueAsNew']);
    expect(transitionsIn(lead.last)[0]).toMatchObject({ from: 'working', to: 'recycled', reason: 'qualification_expired', at: Q, owner: 'a@x' });
    expect(lead.state).toMatchObject({
      stage: 'recycled',
      qualificationDeadline: null,
      owner: null,
      recycleAt: Q + 30 * D,
      lastRejection: { reason: 'qualification_expired', at: Q },
    });
  });
});

describe('accept', () => {
  it('refuses with bant_insufficient when fewer than bantRequired items are confirmed', () => {
    const lead = workingLead();
    const input: LeadInput = { type: 'accept', action: { rep: 'a@x', bant: BANT2 } };
    const refusal = check(lead.state, input, CONFIG);
    expect(refusal).toEqual({ code: 'bant_insufficient', message: expect.stringContaining('at least 3 of 4') });
    expect(refusal!.message).toContain('got 2');
    const before = lead.state;
    lead.apply(input, C + H);
    expect(lead.last).toEqual([]);
    expect(lead.state).toEqual(before);
  });

  it('accepts with 3 of 4 BANT items: sql, terminal, no wakeup', () => {
    const lead = workingLead();
    expect(check(lead.state, { type: 'accept', action: { rep: 'a@x', bant: BANT3 } }, CONFIG)).toBeNull();
    lead.apply({ type: 'accept', action: { rep: 'a@x', bant: BANT3, note: 'budget OK' } }, C + H);
    expect(lead.state.stage).toBe('sql');
    expect(lead.state.qualificationDeadline).toBeNull();
    expect(types(lead.last)).toEqual(['recordTransition']);
    expect(transitionsIn(lead.last)[0]).toMatchObject({
      from: 'working',
      to: 'sql',
      reason: 'accepted',
      rep: 'a@x',
      note: 'budget OK',
      details: { budget: true, authority: true, need: true, timeline: false },
    });
    expect(nextWakeup(lead.state, CONFIG)).toBeNull();
    lead.tick(C + 15 * D);
    expect(lead.last).toEqual([]);
  });

  it('bantRequired is configurable', () => {
    const config = { ...CONFIG, policy: { ...POLICY, bantRequired: 4 } };
    const lead = workingLead(config);
    expect(check(lead.state, { type: 'accept', action: { rep: 'a@x', bant: BANT3 } }, config)?.code).toBe('bant_insufficient');
    const all: Bant = { budget: true, authority: true, need: true, timeline: true };
    expect(check(lead.state, { type: 'accept', action: { rep: 'a@x', bant: all } }, config)).toBeNull();
  });

  it('a stage refusal wins over a BANT refusal', () => {
    const lead = mqlLead();
    expect(check(lead.state, { type: 'accept', action: { rep: 'a@x', bant: BANT2 } }, CONFIG)?.code).toBe('illegal_stage');
  });
});

describe('reject', () => {
  it('recycles with recycleAt = now + 30d and continues as new', () => {
    const lead = workingLead();
    const W = C + H;
    lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'no_budget', note: 'next FY' } }, W);
    expect(types(lead.last)).toEqual(['recordTransition', 'continueAsNew']);
    expect(transitionsIn(lead.last)[0]).toEqual({
      seq: 4,
      from: 'working',
      to: 'recycled',
      at: W,
      reason: 'rejected',
      cycle: 0,
      score: 60,
      owner: 'a@x',
      rep: 'a@x',
      note: 'next FY',
      rejectionReason: 'no_budget',
      details: { recycleAt: iso(W + 30 * D) },
    });
    expect(lead.state).toMatchObject({
      stage: 'recycled',
      recycleAt: W + 30 * D,
      owner: null,
      qualificationDeadline: null,
      lastRejection: { reason: 'no_budget', rep: 'a@x', note: 'next FY', at: W },
    });
    expect(nextWakeup(lead.state, CONFIG)).toEqual({ at: W + 30 * D, kind: 'recycle', summary: expect.stringContaining(iso(W + 30 * D)) });
  });

  it('reject straight from mql also recycles', () => {
    const lead = mqlLead();
    lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'unreachable' } }, M + H);
    expect(lead.state.stage).toBe('recycled');
    expect(lead.state.slaDeadline).toBeNull();
    expect(lead.state.recycleAt).toBe(M + H + 30 * D);
    lead.tick(M + 24 * H);
    expect(lead.log.filter((c) => c.type === 'escalateSla')).toEqual([]);
  });

  it('reject with disqualify ends the lead as disqualified', () => {
    const lead = workingLead();
    const W = C + H;
    lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'bad_fit', note: 'competitor', disqualify: true } }, W);
    expect(lead.state.stage).toBe('disqualified');
    expect(lead.state).toMatchObject({ qualificationDeadline: null, lastRejection: { reason: 'bad_fit', rep: 'a@x', note: 'competitor', at: W } });
    expect(types(lead.last)).toEqual(['recordTransition']);
    expect(transitionsIn(lead.last)[0]).toMatchObject({ from: 'working', to: 'disqualified', reason: 'disqualified', rejectionReason: 'bad_fit' });
    expect(nextWakeup(lead.state, CONFIG)).toBeNull();
    lead.tick(W + 31 * D);
    expect(lead.last).toEqual([]);
    expect(lead.state.stage).toBe('disqualified');
  });
});

// ---------------------------------------------------------------------------------------------
// Recycling
// ---------------------------------------------------------------------------------------------

describe('recycling', () => {
  /** Rejected from mql at R = M + 1h; back to nurture at B = R + 30d. */
  const R = M + H;
  const B = R + 30 * D;
  function recycledLead(config: LeadConfig = CONFIG): Lead {
    const lead = mqlLead(config);
    lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'bad_timing', note: 'call in Q3' } }, R);
    expect(lead.state.recycleAt).toBe(B);
    return lead;
  }

  it('activity while recycled is remembered but does not count', () => {
    const lead = recycledLead();
    lead.apply(engagement('d-r', 'demo_request', R + D), R + D);
    expect(lead.last).toEqual([]);
    expect(lead.state.stage).toBe('recycled');
    expect(lead.state.score.total).toBe(60);
    expect(lead.state.events.map((e) => e.eventId)).toEqual(['p1', 'p2']);
    expect(lead.state.recentEventIds).toContain('d-r');
  });

  it('returns to nurture when the recycle period is over: new cycle, events cleared, recycleSteps track', () => {
    const lead = recycledLead();
    lead.tick(B - 1);
    expect(lead.last).toEqual([]);
    expect(lead.state.stage).toBe('recycled');

    lead.tick(B);
    expect(lead.state).toMatchObject({
      stage: 'nurturing',
      cycle: 1,
      events: [],
      behaviorSince: B,
      score: { total: 30, fit: 30, behavior: 0 },
      owner: null,
      ownerIndex: -1,
      assignments: 0,
      mqlAt: null,
      recycleAt: null,
      slaDeadline: null,
      contactedAt: null,
      contactedWithinSla: null,
      nurture: { track: 'recycleSteps', nextStep: 0, dueAt: B + 2 * D },
    });
    expect(types(lead.last)).toEqual(['recordTransition']);
    expect(transitionsIn(lead.last)[0]).toEqual({ seq: 4, from: 'recycled', to: 'nurturing', at: B, reason: 'recycle_period_over', cycle: 1, score: 30 });
    expect(currentScore(lead.state, B, CONFIG).breakdown.every((l) => l.kind === 'fit')).toBe(true);
    expect(nextWakeup(lead.state, CONFIG)).toMatchObject({ at: B + 2 * D, kind: 'nurture', summary: expect.stringContaining('Welcome back') });

    lead.tick(B + 2 * D);
    expect(lead.last).toEqual([
      { type: 'sendNurtureEmail', campaignId: 'camp-1', campaignVersion: 3, cycle: 1, stepIndex: 0, step: CAMPAIGN.recycleSteps![0] },
    ]);
    expect(lead.state.nurture).toEqual({ track: 'recycleSteps', nextStep: 1, dueAt: B + 7 * D });
    lead.tick(B + 7 * D);
    expect(only(lead.last, 'sendNurtureEmail').map((c) => c.step.id)).toEqual(['r2']);
    expect(lead.state.nurture.dueAt).toBeNull();
  });

  it('uses the regular steps again when the campaign has no recycleSteps', () => {
    for (const campaign of [CAMPAIGN_NO_RECYCLE, { ...CAMPAIGN, recycleSteps: [] }]) {
      const lead = recycledLead({ ...CONFIG, campaign });
      lead.tick(B);
      expect(lead.state.stage).toBe('nurturing');
      expect(types(lead.last)).toEqual(['recordTransition', 'sendNurtureEmail']);
      expect(only(lead.last, 'sendNurtureEmail')[0]).toMatchObject({ cycle: 1, stepIndex: 0, step: { id: 's1' } });
      expect(lead.state.nurture.dueAt).toBe(B + 3 * D);
    }
  });

  it('old events re-sent after the recycle do not count; the lead must re-earn MQL', () => {
    const lead = recycledLead();
    lead.apply(engagement('d-r', 'demo_request', R + D), R + D); // while recycled
    lead.tick(B);
    const back = lead.state;

    // Re-delivered with their original ids: ignored.
    lead.apply(pricing('p1', T0 + H), B + H);
    lead.apply(engagement('d-r', 'demo_request', R + D), B + H);
    expect(lead.last).toEqual([]);
    expect(lead.state).toEqual(back);

    // New ids but timestamps from before the new cycle (inside the 90d window): not counted, not kept.
    lead.apply(engagement('late-demo', 'demo_request', B - D), B + 2 * H);
    lead.apply(pricing('late-pricing', B - 1), B + 2 * H);
    expect(lead.state.score).toEqual({ total: 30, fit: 30, behavior: 0 });
    expect(lead.state.events).toEqual([]);
    expect(lead.state.stage).toBe('nurturing');

    // New activity: fit 30 + 15 = 45, not yet; + 15 = 60 → MQL in cycle 1.
    lead.apply(pricing('n1', B + 3 * H), B + 3 * H);
    expect(lead.state.score.total).toBe(45);
    expect(lead.state.stage).toBe('nurturing');
    lead.apply(pricing('n2', B + 4 * H), B + 4 * H);
    expect(lead.state.score.total).toBe(60);
    expect(lead.state.stage).toBe('mql');
    const owner = POLICY.owners[firstOwnerIndex('lead-1', 1, 3)]!;
    expect(owner).toBe('c@x');
    expect(lead.state).toMatchObject({ owner, assignments: 1, mqlAt: B + 4 * H, slaDeadline: B + 28 * H });
    expect(only(lead.last, 'notifyOwner')[0]).toMatchObject({ owner, reason: 'handoff', cycle: 1, assignment: 1 });
    expect(transitionsIn(lead.last)[0]).toMatchObject({ from: 'nurturing', to: 'mql', cycle: 1, score: 60 });
  });

  it('an SLA-expired lead comes back too', () => {
    const lead = mqlLead();
    for (const h of [24, 48, 72]) lead.tick(M + h * H);
    expect(lead.state.stage).toBe('recycled');
    lead.tick(M + 72 * H + 30 * D);
    expect(lead.state.stage).toBe('nurturing');
    expect(lead.state.cycle).toBe(1);
    expect(lead.state.assignments).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Unsubscribe and bounce
// ---------------------------------------------------------------------------------------------

describe('unsubscribe', () => {
  it('stops every nurture email for good, also after recycling, but scoring and handoff still work', () => {
    // No recycleSteps: the regular s1 (delay 0s) would be sent at once on return if nothing stopped it.
    const lead = new Lead(CONFIG_NO_RECYCLE);
    lead.apply({ type: 'unsubscribe' }, T0 + H);
    const mark = lead.log.length;
    expect(lead.state.unsubscribed).toBe(true);
    expect(lead.state.nurture.dueAt).toBeNull();
    expect(nextWakeup(lead.state, CONFIG_NO_RECYCLE)).toBeNull();
    expect(transitionsIn(lead.last)).toMatchObject([{ from: 'nurturing', to: 'nurturing', reason: 'unsubscribed', at: T0 + H }]);

    // A second unsubscribe is a no-op.
    const before = lead.state;
    lead.apply({ type: 'unsubscribe' }, T0 + 2 * H);
    expect(lead.last).toEqual([]);
    expect(lead.state).toEqual(before);

    lead.tick(T0 + 3 * D);
    lead.tick(T0 + 10 * D);
    expect(lead.log.length).toBe(mark);

    // Web activity still scores and hands off: fit 30 + 15 + 15 = 60.
    const t = T0 + 11 * D;
    lead.apply(pricing('p1', t), t);
    lead.apply(pricing('p2', t + H), t + H);
    expect(lead.state.stage).toBe('mql');
    expect(types(lead.last)).toEqual(['recordTransition', 'notifyOwner']);

    lead.apply({ type: 'reject', action: { rep: lead.state.owner!, reason: 'bad_timing' } }, t + 2 * H);
    const back = t + 2 * H + 30 * D;
    lead.tick(back);
    expect(lead.state.stage).toBe('nurturing');
    expect(lead.state.cycle).toBe(1);
    expect(lead.state.unsubscribed).toBe(true);
    expect(lead.state.nurture.dueAt).toBeNull();
    expect(types(lead.last)).toEqual(['recordTransition']);
    for (const later of [back + 2 * D, back + 3 * D, back + 10 * D, back + 100 * D]) lead.tick(later);

    // Re-earn MQL in the new cycle.
    lead.apply(pricing('q1', back + 101 * D), back + 101 * D);
    lead.apply(pricing('q2', back + 101 * D + H), back + 101 * D + H);
    expect(lead.state.stage).toBe('mql');

    expect(only(lead.log.slice(mark), 'sendNurtureEmail')).toEqual([]);
    expect(only(lead.log, 'sendNurtureEmail').map((c) => c.step.id)).toEqual(['s1']); // the one sent at enrolment
  });

  it('can be recorded in any non-terminal stage without changing the stage', () => {
    const lead = workingLead();
    lead.apply({ type: 'unsubscribe' }, C + H);
    expect(lead.state.stage).toBe('working');
    expect(lead.state.unsubscribed).toBe(true);
    expect(transitionsIn(lead.last)[0]).toMatchObject({ from: 'working', to: 'working', reason: 'unsubscribed' });
  });
});

describe('emailBounced', () => {
  it('sets the flag and stops nurture, also after recycling', () => {
    const lead = new Lead(CONFIG_NO_RECYCLE);
    lead.apply({ type: 'emailBounced', stepId: 's1' }, T0 + H);
    const mark = lead.log.length;
    expect(lead.state.emailBounced).toBe(true);
    expect(lead.state.unsubscribed).toBe(false);
    expect(lead.state.nurture.dueAt).toBeNull();
    expect(transitionsIn(lead.last)).toMatchObject([{ reason: 'email_bounced', details: { stepId: 's1' } }]);

    const before = lead.state;
    lead.apply({ type: 'emailBounced', stepId: 's2' }, T0 + 2 * H);
    expect(lead.last).toEqual([]);
    expect(lead.state).toEqual(before);

    lead.tick(T0 + 3 * D);
    lead.tick(T0 + 10 * D);
    expect(lead.log.length).toBe(mark);

    const t = T0 + 11 * D;
    lead.apply(pricing('p1', t), t);
    lead.apply(pricing('p2', t + H), t + H);
    expect(lead.state.stage).toBe('mql');
    lead.apply({ type: 'reject', action: { rep: 'x@x', reason: 'unreachable' } }, t + 2 * H);
    lead.tick(t + 2 * H + 30 * D);
    expect(lead.state.stage).toBe('nurturing');
    lead.tick(t + 2 * H + 40 * D);
    expect(only(lead.log.slice(mark), 'sendNurtureEmail')).toEqual([]);
  });
});

describe('bounceCleared', () => {
  it('clears the flag and resumes nurture with the pending step, its delay counted from the clear', () => {
    const lead = new Lead(CONFIG_NO_RECYCLE);
    lead.apply({ type: 'emailBounced', stepId: 's1' }, T0 + H);
    expect(lead.state.nurture).toMatchObject({ nextStep: 1, dueAt: null });

    lead.apply({ type: 'bounceCleared' }, T0 + 2 * D);
    expect(lead.state.emailBounced).toBe(false);
    expect(transitionsIn(lead.last)).toMatchObject([{ from: 'nurturing', to: 'nurturing', reason: 'bounce_cleared', at: T0 + 2 * D }]);
    expect(lead.state.nurture).toMatchObject({ nextStep: 1, dueAt: T0 + 2 * D + 3 * D });
    expect(nextWakeup(lead.state, CONFIG_NO_RECYCLE)?.kind).toBe('nurture');

    lead.tick(T0 + 5 * D);
    expect(only(lead.last, 'sendNurtureEmail').map((c) => c.step.id)).toEqual(['s2']);
  });

  it('is a no-op for a lead that is not flagged, and resumes nothing for an unsubscribed lead or one with sales', () => {
    const fresh = new Lead(CONFIG_NO_RECYCLE);
    const before = fresh.state;
    fresh.apply({ type: 'bounceCleared' }, T0 + H);
    expect(fresh.last).toEqual([]);
    expect(fresh.state).toEqual(before);

    const unsubscribed = new Lead(CONFIG_NO_RECYCLE);
    unsubscribed.apply({ type: 'emailBounced', stepId: 's1' }, T0 + H);
    unsubscribed.apply({ type: 'unsubscribe' }, T0 + 2 * H);
    unsubscribed.apply({ type: 'bounceCleared' }, T0 + 3 * H);
    expect(unsubscribed.state.emailBounced).toBe(false);
    expect(unsubscribed.state.nurture.dueAt).toBeNull();

    const working = workingLead();
    working.apply({ type: 'emailBounced', stepId: 's2' }, C + H);
    working.apply({ type: 'bounceCleared' }, C + 2 * H);
    expect(working.state.stage).toBe('working');
    expect(working.state.emailBounced).toBe(false);
    expect(working.state.nurture.dueAt).toBeNull();
    expect(transitionsIn(working.last)).toMatchObject([{ from: 'working', to: 'working', reason: 'bounce_cleared' }]);
  });
});

// ---------------------------------------------------------------------------------------------
// Transitions
// ---------------------------------------------------------------------------------------------

describe('transitions', () => {
  it('have increasing seq, chained from/to, first from null; the recent list is capped', () => {
    expect(RECENT_TRANSITIONS_KEPT).toBe(20);
    const lead = new Lead();
    let t = T0;
    // Each cycle: mql, rejected, recycle_period_over = 3 transitions; 1 + 8 × 3 = 25.
    for (let cycle = 0; cycle < 8; cycle++) {
      lead.apply(pricing(`a${cycle}`, (t += H)), t);
      lead.apply(pricing(`b${cycle}`, (t += H)), t);
      expect(lead.state.stage).toBe('mql');
      lead.apply({ type: 'reject', action: { rep: lead.state.owner!, reason: 'other' } }, (t += H));
      lead.tick((t += 30 * D));
      expect(lead.state.stage).toBe('nurturing');
      expect(lead.state.cycle).toBe(cycle + 1);
    }
    const all = transitionsIn(lead.log);
    expect(all).toHaveLength(25);
    expect(all.map((tr) => tr.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(all[0]).toMatchObject({ from: null, to: 'nurturing', reason: 'enrolled' });
    for (let i = 1; i < all.length; i++) {
      expect(all[i]!.from).toBe(all[i - 1]!.to);
      expect(all[i]!.at).toBeGreaterThanOrEqual(all[i - 1]!.at);
      expect(all[i]!.from).not.toBeNull();
    }
    expect(all.slice(1, 4).map((tr) => tr.reason)).toEqual(['mql', 'rejected', 'recycle_period_over']);
    expect(lead.state.transitionSeq).toBe(25);
    expect(lead.state.transitions).toHaveLength(RECENT_TRANSITIONS_KEPT);
    expect(lead.state.transitions).toEqual(all.slice(-RECENT_TRANSITIONS_KEPT));
    expect(lead.state.transitions[0]!.seq).toBe(6);
    expect(all[all.length - 1]).toMatchObject({ cycle: 8, reason: 'recycle_period_over' });
  });
});

// ---------------------------------------------------------------------------------------------
// Immutability
// ---------------------------------------------------------------------------------------------

describe('step never mutates its input state', () => {
  const cases: [string, () => { state: LeadState; input: LeadInput; at: number; config?: LeadConfig }][] = [
    ['nurture step due', () => ({ state: new Lead().state, input: tick, at: T0 + 3 * D })],
    ['engagement to MQL', () => {
      const lead = new Lead();
      lead.apply(pricing('p1', T0 + H), T0 + H);
      return { state: lead.state, input: pricing('p2', M), at: M };
    }],
    ['SLA breach', () => ({ state: mqlLead().state, input: tick, at: M + 24 * H })],
    ['contact', () => ({ state: mqlLead().state, input: { type: 'contact', action: { rep: 'a@x', channel: 'call' } }, at: C })],
    ['qualification expiry', () => ({ state: workingLead().state, input: tick, at: C + 14 * D })],
    ['reject', () => ({ state: workingLead().state, input: { type: 'reject', action: { rep: 'a@x', reason: 'other' } }, at: C + H })],
    ['back to nurture', () => {
      const lead = mqlLead();
      lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'other' } }, M + H);
      return { state: lead.state, input: tick, at: M + H + 30 * D };
    }],
    ['attributes', () => ({ state: mqlLead().state, input: { type: 'attributes', attributes: { title: 'student' } }, at: M + H })],
  ];

  it.each(cases)('%s', (_name, make) => {
    const { state, input, at } = make();
    const json = JSON.stringify(state);
    const copy = JSON.parse(json) as LeadState;
    deepFreeze(state);
    const result = step(state, input, at, CONFIG);
    expect(result.state).not.toBe(state);
    expect(result.state).not.toEqual(copy); // the step did change something...
    expect(JSON.stringify(state)).toBe(json); // ...but not in the input
    expect(state).toEqual(copy);
  });

  it('shares only unchanged parts with the input (structural sharing; both stay immutable)', () => {
    const state = mqlLead().state;
    const result = step(state, open('x', M + H), M + H, CONFIG);
    expect(result.state.events).not.toBe(state.events); // changed: a new array
    expect(result.state.nurture).not.toBe(state.nurture); // the one object the reducer may edit in place
    expect(result.state.attributes).toBe(state.attributes); // unchanged: shared, not copied
    // A state that went through many steps is still never mutated by the next one.
    const frozen = deepFreeze(result.state);
    expect(() => step(frozen, open('y', M + 2 * H), M + 2 * H, CONFIG)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// nextWakeup and firstOwnerIndex
// ---------------------------------------------------------------------------------------------

describe('nextWakeup', () => {
  it('reports the one deadline that matters in each stage', () => {
    expect(nextWakeup(new Lead().state, CONFIG)).toMatchObject({ kind: 'nurture', at: T0 + 3 * D });
    expect(nextWakeup(mqlLead().state, CONFIG)).toMatchObject({ kind: 'sla', at: M + 24 * H });
    expect(nextWakeup(workingLead().state, CONFIG)).toMatchObject({ kind: 'qualification', at: C + 14 * D });
    expect(nextWakeup(leadInStage('recycled').lead.state, CONFIG)).toMatchObject({ kind: 'recycle', at: C + H + 30 * D });
    expect(nextWakeup(leadInStage('sql').lead.state, CONFIG)).toBeNull();
    expect(nextWakeup(leadInStage('disqualified').lead.state, CONFIG)).toBeNull();
  });

  it('a tick before nextWakeup().at never changes anything, a tick at it always does', () => {
    for (const stage of ['nurturing', 'mql', 'working', 'recycled'] as const) {
      const { lead } = leadInStage(stage);
      const wake = nextWakeup(lead.state, CONFIG)!;
      const early = step(lead.state, tick, wake.at - 1, CONFIG);
      expect(early.commands).toEqual([]);
      expect(early.state).toEqual(lead.state);
      const due = step(lead.state, tick, wake.at, CONFIG);
      expect(due.commands.length).toBeGreaterThan(0);
      expect(nextWakeup(due.state, CONFIG)?.at ?? Infinity).toBeGreaterThan(wake.at);
    }
  });
});

describe('firstOwnerIndex', () => {
  it('is the FNV-1a hash of "leadId#cycle" modulo the number of owners', () => {
    // Computed independently (Python FNV-1a 32-bit): fnv1a("lead-1#0") = 0x51127ad6, fnv1a("a#0") = 0xf0ac1657.
    expect(firstOwnerIndex('lead-1', 0, 2 ** 32)).toBe(0x51127ad6);
    expect(firstOwnerIndex('a', 0, 2 ** 32)).toBe(0xf0ac1657);
    expect(firstOwnerIndex('lead-1', 0, 3)).toBe(0x51127ad6 % 3);
    expect(firstOwnerIndex('lead-1', 1, 3)).toBe(2);
  });

  it('is deterministic and in range; -1 without owners', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const index = firstOwnerIndex(`lead-${i}`, 0, 3);
      expect(index).toBe(firstOwnerIndex(`lead-${i}`, 0, 3));
      expect(Number.isInteger(index)).toBe(true);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(3);
      seen.add(index);
    }
    // Spreads leads over all owners.
    expect([...seen].sort()).toEqual([0, 1, 2]);
    expect(firstOwnerIndex('lead-1', 0, 1)).toBe(0);
    expect(firstOwnerIndex('lead-1', 0, 0)).toBe(-1);
  });

  it('a lead without owners in the policy gets no owner and no notification, and recycles at the SLA', () => {
    const config = { ...CONFIG, policy: { ...POLICY, owners: [] } };
    const lead = mqlLead(config);
    expect(lead.state.owner).toBeNull();
    expect(types(lead.last)).toEqual(['recordTransition']);
    lead.tick(M + 24 * H);
    expect(only(lead.last, 'escalateSla')[0]).toMatchObject({ missedBy: '(unassigned)', outcome: 'recycled' });
    expect(lead.state.stage).toBe('recycled');
  });
});

describe('state stays bounded for a very busy lead', () => {
  it(`keeps at most SCORABLE_EVENTS_KEPT events and RECENT_EVENT_IDS_KEPT ids, dropping the oldest`, () => {
    const [enrollLead, stepLead, maxEvents, maxIds] = [enroll, step, SCORABLE_EVENTS_KEPT, RECENT_EVENT_IDS_KEPT];
    const config: LeadConfig = {
      campaign: { id: 'c', version: 1, name: 'c', steps: [] },
      policy: { sla: '24h', maxReassignments: 2, qualificationWindow: '14d', recyclePeriod: '30d', bantRequired: 3, owners: ['a@x'], manager: 'm@x' },
      model: { id: 'm', version: 1, fit: [], behavior: [{ id: 'open', event: 'email_open', points: 1 }], behaviorWindow: '90d', mql: { threshold: 1_000_000 } },
    };
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    let state = enrollLead('busy', {}, t0, config).state;
    const total = maxEvents + 50;
    for (let i = 0; i < total; i++) {
      state = stepLead(state, { type: 'engagement', event: { eventId: `e${i}`, type: 'email_open', occurredAt: new Date(t0 + i * 1000).toISOString() } }, t0 + total * 1000, config).state;
    }
    expect(state.events).toHaveLength(maxEvents);
    expect(state.events[0]!.eventId).toBe(`e${total - maxEvents}`);
    expect(state.recentEventIds).toHaveLength(maxIds);
    expect(state.score.behavior).toBe(maxEvents);
  });
});
