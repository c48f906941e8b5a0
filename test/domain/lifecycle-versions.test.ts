// Version pinning and shadow scoring in the reducer: a running lead keeps its versions until a
// `migrate` input; a shadow model is scored beside the primary one and never hands a lead off.
import type { LeadCommand, LeadConfig, LeadInput, LeadState, StepResult, Transition } from '../../src/domain/lead-state';
import { enroll, step } from '../../src/domain/lifecycle';
import type { Campaign, HandoffPolicy, ScoringModel } from '../../src/domain/types';
import { viewOf } from '../../src/domain/view';

const T0 = Date.parse('2026-02-02T00:00:00Z');
const H = 3_600_000;
const D = 24 * H;

const POLICY: HandoffPolicy = { sla: '24h', maxReassignments: 0, qualificationWindow: '14d', recyclePeriod: '30d', bantRequired: 3, owners: ['a@x', 'b@x'], manager: 'm@x' };
const CAMPAIGN: Campaign = {
  id: 'camp',
  version: 1,
  name: 'v1',
  steps: [
    { id: 'welcome', delay: '0s', subject: 'Welcome', body: 'Hi' },
    { id: 'case', delay: '3d', subject: 'Case', body: 'Case' },
    { id: 'pricing', delay: '3d', subject: 'Pricing', body: 'Pricing' },
  ],
};
const V1: ScoringModel = {
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
const V2: ScoringModel = { ...V1, version: 2, behavior: [{ ...V1.behavior[0]!, points: 40 }, V1.behavior[1]!], mql: { threshold: 60, requireAnyOf: ['pricing'] } };
const SHADOW: ScoringModel = { ...V2, id: 'shadow', version: 1 };
const CONFIG: LeadConfig = { campaign: CAMPAIGN, policy: POLICY, model: V1 };
const WITH_SHADOW: LeadConfig = { ...CONFIG, shadowModel: SHADOW };

const pricing = (id: string, at: number): LeadInput => ({ type: 'engagement', event: { eventId: id, type: 'page_view', occurredAt: new Date(at).toISOString(), properties: { page: 'pricing' } } });
const open = (id: string, at: number): LeadInput => ({ type: 'engagement', event: { eventId: id, type: 'email_open', occurredAt: new Date(at).toISOString() } });
const transitions = (c: readonly LeadCommand[]): Transition[] => c.flatMap((x) => (x.type === 'recordTransition' ? [x.transition] : []));
const reasons = (c: readonly LeadCommand[]) => transitions(c).map((t) => t.reason);
const has = (c: readonly LeadCommand[], type: LeadCommand['type']) => c.some((x) => x.type === type);

/** Feeds inputs like the workflow: a useConfig command switches the config for what follows. */
class Lead {
  state: LeadState;
  config: LeadConfig;
  last: StepResult;
  constructor(config: LeadConfig, attributes = { title: 'IT Director' }) {
    this.config = config;
    this.last = enroll('lead-v', attributes, T0, config);
    this.state = this.last.state;
  }
  apply(input: LeadInput, at: number): StepResult {
    const frozen = Object.freeze(this.state);
    this.last = step(frozen, input, at, this.config);
    this.state = this.last.state;
    for (const c of this.last.commands) if (c.type === 'useConfig') this.config = c.config;
    return this.last;
  }
}

describe('migrate', () => {
  it('a migration at the end of a recycle period comes before the return to nurture, which then runs on the new versions', () => {
    const lead = new Lead(CONFIG);
    lead.apply(pricing('p1', T0 + H), T0 + H);
    lead.apply(open('o1', T0 + 2 * H), T0 + 2 * H);
    lead.apply(open('o2', T0 + 3 * H), T0 + 3 * H);
    lead.apply(open('o3', T0 + 3 * H), T0 + 3 * H);
    expect(lead.state.stage).toBe('mql');
    lead.apply({ type: 'reject', action: { rep: lead.state.owner!, reason: 'bad_timing' } }, T0 + 4 * H);
    const over = T0 + 4 * H + 30 * D;
    const v2: LeadConfig = { ...CONFIG, model: V2, campaign: { ...CAMPAIGN, version: 2 } };
    // The recycle period is over (the workflow's timer fired) but the lead has not gone back yet.
    const migrated = lead.apply({ type: 'migrate', config: v2, trigger: 'recycle' }, over);
    expect(reasons(migrated.commands)).toEqual(['migrated']);
    expect(lead.state).toMatchObject({ stage: 'recycled', cycle: 0 });
    const back = lead.apply({ type: 'tick' }, over);
    expect(reasons(back.commands)).toEqual(['recycle_period_over']);
    // The new cycle's first step goes out from campaign v2.
    expect(back.commands.find((c) => c.type === 'sendNurtureEmail')).toMatchObject({ campaignVersion: 2, cycle: 1, stepIndex: 0 });
    expect(lead.state).toMatchObject({ stage: 'nurturing', cycle: 1 });
    // Any other input at that moment catches up first: a requested migration lands in the new cycle.
    const other = new Lead(CONFIG);
    other.apply(pricing('p1', T0 + H), T0 + H);
    other.apply(open('o1', T0 + 2 * H), T0 + 2 * H);
    other.apply(open('o2', T0 + 3 * H), T0 + 3 * H);
    other.apply(open('o3', T0 + 3 * H), T0 + 3 * H);
    other.apply({ type: 'reject', action: { rep: other.state.owner!, reason: 'bad_timing' } }, T0 + 4 * H);
    expect(reasons(other.apply({ type: 'migrate', config: v2, trigger: 'request' }, over).commands)).toEqual(['recycle_period_over', 'migrated']);
  });

  it('keeps the pinned versions until migrated; then re-scores under the new model and records the migration', () => {
    const lead = new Lead(CONFIG);
    lead.apply(pricing('p1', T0 + H), T0 + H);
    expect(lead.state.score.total).toBe(50);
    // Same event stream, v1 still: 50 < 80.
    lead.apply(open('o1', T0 + 2 * H), T0 + 2 * H);
    expect(lead.state).toMatchObject({ stage: 'nurturing', score: { total: 60 } });

    const migrated = lead.apply({ type: 'migrate', config: { ...CONFIG, model: V2, campaign: { ...CAMPAIGN, version: 2 } }, trigger: 'request' }, T0 + 3 * H);
    expect(reasons(migrated.commands)).toEqual(['migrated', 'mql']);
    const [t] = transitions(migrated.commands);
    expect(t).toMatchObject({
      from: 'nurturing',
      to: 'nurturing',
      score: 70,
      details: { trigger: 'request', fromCampaignVersion: 1, toCampaignVersion: 2, fromModel: 'model@v1', toModel: 'model@v2', toModelVersion: 2, fromShadowModel: null, toShadowModel: null },
    });
    // v2 says MQL (70 ≥ 60 with pricing): the migration hands the lead off now.
    expect(has(migrated.commands, 'notifyOwner')).toBe(true);
    expect(lead.state.stage).toBe('mql');
    expect(viewOf(lead.state, lead.config, T0 + 3 * H)).toMatchObject({ campaign: { version: 2 }, scoringModel: { version: 2 } });
  });

  it('is a no-op for the versions the lead already runs, and for another campaign', () => {
    const lead = new Lead(CONFIG);
    expect(lead.apply({ type: 'migrate', config: CONFIG, trigger: 'request' }, T0 + H).commands).toEqual([]);
    expect(lead.apply({ type: 'migrate', config: { ...CONFIG, model: V2, campaign: { ...CAMPAIGN, id: 'other' } }, trigger: 'request' }, T0 + H).commands).toEqual([]);
    expect(lead.state.transitionSeq).toBe(1);
  });

  it('ignores a hand-made signal that is not a whole configuration', () => {
    const lead = new Lead(CONFIG);
    for (const bad of [null, {}, { ...CONFIG, model: { ...V2, behaviorWindow: 'soon' } }, { ...CONFIG, policy: undefined }, { ...CONFIG, campaign: { ...CAMPAIGN, version: 2, steps: 'x' } }]) {
      expect(lead.apply({ type: 'migrate', config: bad as unknown as LeadConfig, trigger: 'request' }, T0 + H).commands).toEqual([]);
    }
    expect(lead.config).toBe(CONFIG);
  });

  it('never takes a lead back from sales when the new score is lower', () => {
    const lead = new Lead({ ...CONFIG, model: V2 });
    lead.apply(pricing('p1', T0 + H), T0 + H);
    expect(lead.state.stage).toBe('mql'); // 20 + 40 = 60 under v2
    const stricter: ScoringModel = { ...V2, version: 3, mql: { threshold: 100, requireAnyOf: ['pricing'] } };
    const r = lead.apply({ type: 'migrate', config: { ...CONFIG, model: stricter }, trigger: 'request' }, T0 + 2 * H);
    expect(reasons(r.commands)).toEqual(['migrated']);
    expect(lead.state).toMatchObject({ stage: 'mql', score: { total: 60 } });
    expect(viewOf(lead.state, lead.config, T0 + 2 * H).score.isMql).toBe(false);
  });

  it('continues the nurture at the same step (by id) in the new version', () => {
    const lead = new Lead(CONFIG);
    expect(lead.state.nurture).toMatchObject({ nextStep: 1 }); // welcome sent at enrolment, 'case' next
    const v2: Campaign = { ...CAMPAIGN, version: 2, steps: [{ id: 'intro', delay: '0s', subject: 'Intro', body: 'New' }, ...CAMPAIGN.steps] };
    lead.apply({ type: 'migrate', config: { ...CONFIG, campaign: v2 }, trigger: 'request' }, T0 + H);
    expect(lead.state.nurture).toMatchObject({ nextStep: 2, dueAt: T0 + 3 * D });
    const sent = lead.apply({ type: 'tick' }, T0 + 3 * D);
    expect(sent.commands.find((c) => c.type === 'sendNurtureEmail')).toMatchObject({ campaignVersion: 2, step: { id: 'case' } });
  });
});

describe('shadow scoring', () => {
  it('scores both models, acts only on the primary, and records once per cycle when the shadow would have made an MQL', () => {
    const lead = new Lead(WITH_SHADOW);
    expect(lead.state.shadowScore).toEqual({ total: 20, fit: 20, behavior: 0 });
    const r = lead.apply(pricing('p1', T0 + H), T0 + H);
    // Shadow: 20 + 40 = 60 ≥ 60 → would be MQL. Primary: 20 + 30 = 50 < 80 → not.
    expect(lead.state).toMatchObject({ stage: 'nurturing', score: { total: 50 }, shadowScore: { total: 60 }, shadowMqlAt: T0 + H });
    expect(reasons(r.commands)).toEqual(['shadow_mql']);
    expect(transitions(r.commands)[0]).toMatchObject({ from: 'nurturing', to: 'nurturing', score: 50, details: { shadowModel: 'shadow@v1', shadowScore: 60, primaryScore: 50 } });
    expect(has(r.commands, 'notifyOwner')).toBe(false);
    expect(lead.state.owner).toBeNull();

    const view = viewOf(lead.state, lead.config, T0 + H);
    expect(view.score).toMatchObject({ total: 50, isMql: false });
    expect(view.shadowScore).toMatchObject({ total: 60, isMql: true, model: { id: 'shadow', version: 1 } });
    expect(view.shadowMqlAt).toBe(new Date(T0 + H).toISOString());

    // Still MQL for the shadow: no second record in this cycle.
    expect(reasons(lead.apply(open('o1', T0 + 2 * H), T0 + 2 * H).commands)).toEqual([]);
    // The primary crosses on its own: handoff.
    const primary = lead.apply(open('o2', T0 + 3 * H), T0 + 3 * H);
    expect(lead.state.score.total).toBe(70);
    lead.apply(pricing('p2', T0 + 4 * H), T0 + 4 * H);
    expect(reasons(primary.commands)).toEqual([]);
    expect(lead.state.stage).toBe('mql');
    expect(reasons(lead.last.commands)).toEqual(['mql']);

    // Rejected, recycled, back to nurture: a new cycle may record a new shadow MQL.
    lead.apply({ type: 'reject', action: { rep: lead.state.owner!, reason: 'bad_timing' } }, T0 + 5 * H);
    const back = lead.apply({ type: 'tick' }, T0 + 5 * H + 30 * D);
    expect(reasons(back.commands)).toEqual(['recycle_period_over']);
    expect(lead.state).toMatchObject({ cycle: 1, shadowMqlAt: null });
    const again = lead.apply(pricing('p3', T0 + 31 * D), T0 + 31 * D);
    expect(reasons(again.commands)).toEqual(['shadow_mql']);
    expect(transitions(again.commands)[0]!.cycle).toBe(1);
  });

  it('never hands off because of the shadow model, whatever it says', () => {
    const eager: ScoringModel = { ...SHADOW, mql: { threshold: 1 } };
    const lead = new Lead({ ...CONFIG, shadowModel: eager });
    expect(reasons(lead.last.commands)).toEqual(['enrolled', 'shadow_mql']);
    for (let i = 0; i < 5; i++) {
      const r = lead.apply(open(`o${i}`, T0 + i * H), T0 + i * H);
      expect(has(r.commands, 'notifyOwner')).toBe(false);
    }
    expect(lead.state.stage).toBe('nurturing');
  });

  it('keeps events the shadow model can still score when its window is longer', () => {
    const short: ScoringModel = { ...V1, behaviorWindow: '7d' };
    const lead = new Lead({ ...CONFIG, model: short, shadowModel: { ...SHADOW, behaviorWindow: '90d' } });
    lead.apply(pricing('p1', T0 + H), T0 + H);
    lead.apply(open('o1', T0 + 20 * D), T0 + 20 * D);
    expect(lead.state.score.behavior).toBe(10);
    expect(lead.state.shadowScore!.behavior).toBe(50);
    expect(lead.state.events.map((e) => e.eventId)).toEqual(['p1', 'o1']);
  });

  it('a migration can add a shadow model; the next crossing is recorded', () => {
    const lead = new Lead(CONFIG);
    lead.apply(pricing('p1', T0 + H), T0 + H);
    expect(lead.state.shadowScore).toBeUndefined();
    const r = lead.apply({ type: 'migrate', config: WITH_SHADOW, trigger: 'recycle' }, T0 + 2 * H);
    expect(reasons(r.commands)).toEqual(['migrated', 'shadow_mql']);
    expect(transitions(r.commands)[0]!.details).toMatchObject({ trigger: 'recycle', fromShadowModel: null, toShadowModel: 'shadow@v1', toShadowModelId: 'shadow' });
  });

  it('leaves states without shadow fields (from before shadow scoring) without them', () => {
    const lead = new Lead(CONFIG);
    const { shadowScore: _a, shadowMqlAt: _b, ...old } = lead.state;
    lead.state = old as LeadState;
    lead.apply(pricing('p1', T0 + H), T0 + H);
    expect('shadowScore' in lead.state).toBe(false);
    expect(viewOf(lead.state, CONFIG, T0 + H)).toMatchObject({ shadowScore: null, shadowMqlAt: null });
  });
});
