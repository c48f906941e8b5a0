// Version pinning: a running lead keeps its versions until a `migrate` input moves it to newer ones.
import type { LeadConfig } from '../../../src/domain/lead-state';
import type { Campaign, ScoringModel } from '../../../src/domain/types';
import { viewOf } from '../../../src/domain/view';
import { D, H, has, open, PINNED_CAMPAIGN, PINNED_CONFIG, PINNED_T0, pinnedLead, pricing, reasons, transitionsIn, V2, WITH_SHADOW } from '../support/lead-fixtures';

describe('migrate', () => {
  it('a migration at the end of a recycle period comes before the return to nurture, which then runs on the new versions', () => {
    const lead = pinnedLead(PINNED_CONFIG);
    lead.apply(pricing('p1', PINNED_T0 + H), PINNED_T0 + H);
    lead.apply(open('o1', PINNED_T0 + 2 * H), PINNED_T0 + 2 * H);
    lead.apply(open('o2', PINNED_T0 + 3 * H), PINNED_T0 + 3 * H);
    lead.apply(open('o3', PINNED_T0 + 3 * H), PINNED_T0 + 3 * H);
    expect(lead.state.stage).toBe('mql');
    lead.apply({ type: 'reject', action: { rep: lead.state.owner!, reason: 'bad_timing' } }, PINNED_T0 + 4 * H);
    const over = PINNED_T0 + 4 * H + 30 * D;
    const v2: LeadConfig = { ...PINNED_CONFIG, model: V2, campaign: { ...PINNED_CAMPAIGN, version: 2 } };
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
    const other = pinnedLead(PINNED_CONFIG);
    other.apply(pricing('p1', PINNED_T0 + H), PINNED_T0 + H);
    other.apply(open('o1', PINNED_T0 + 2 * H), PINNED_T0 + 2 * H);
    other.apply(open('o2', PINNED_T0 + 3 * H), PINNED_T0 + 3 * H);
    other.apply(open('o3', PINNED_T0 + 3 * H), PINNED_T0 + 3 * H);
    other.apply({ type: 'reject', action: { rep: other.state.owner!, reason: 'bad_timing' } }, PINNED_T0 + 4 * H);
    expect(reasons(other.apply({ type: 'migrate', config: v2, trigger: 'request' }, over).commands)).toEqual(['recycle_period_over', 'migrated']);
  });

  it('keeps the pinned versions until migrated; then re-scores under the new model and records the migration', () => {
    const lead = pinnedLead(PINNED_CONFIG);
    lead.apply(pricing('p1', PINNED_T0 + H), PINNED_T0 + H);
    expect(lead.state.score.total).toBe(50);
    // Same event stream, v1 still: 50 < 80.
    lead.apply(open('o1', PINNED_T0 + 2 * H), PINNED_T0 + 2 * H);
    expect(lead.state).toMatchObject({ stage: 'nurturing', score: { total: 60 } });

    const migrated = lead.apply({ type: 'migrate', config: { ...PINNED_CONFIG, model: V2, campaign: { ...PINNED_CAMPAIGN, version: 2 } }, trigger: 'request', actor: 'service:marketing' }, PINNED_T0 + 3 * H);
    expect(reasons(migrated.commands)).toEqual(['migrated', 'mql']);
    const [t, mql] = transitionsIn(migrated.commands);
    // The migration records who asked for it; the handoff it caused is the workflow's own.
    expect(mql!.actor).toBeUndefined();
    expect(t).toMatchObject({
      actor: 'service:marketing',
      from: 'nurturing',
      to: 'nurturing',
      score: 70,
      details: { trigger: 'request', fromCampaignVersion: 1, toCampaignVersion: 2, fromModel: 'model@v1', toModel: 'model@v2', toModelVersion: 2, fromShadowModel: null, toShadowModel: null },
    });
    // v2 says MQL (70 ≥ 60 with pricing): the migration hands the lead off now.
    expect(has(migrated.commands, 'notifyOwner')).toBe(true);
    expect(lead.state.stage).toBe('mql');
    expect(viewOf(lead.state, lead.config, PINNED_T0 + 3 * H)).toMatchObject({ campaign: { version: 2 }, scoringModel: { version: 2 } });
  });

  it('is a no-op for the versions the lead already runs, and for another campaign', () => {
    const lead = pinnedLead(PINNED_CONFIG);
    expect(lead.apply({ type: 'migrate', config: PINNED_CONFIG, trigger: 'request' }, PINNED_T0 + H).commands).toEqual([]);
    expect(lead.apply({ type: 'migrate', config: { ...PINNED_CONFIG, model: V2, campaign: { ...PINNED_CAMPAIGN, id: 'other' } }, trigger: 'request' }, PINNED_T0 + H).commands).toEqual([]);
    expect(lead.state.transitionSeq).toBe(1);
  });

  it('ignores a hand-made signal that is not a whole configuration', () => {
    const lead = pinnedLead(PINNED_CONFIG);
    for (const bad of [null, {}, { ...PINNED_CONFIG, model: { ...V2, behaviorWindow: 'soon' } }, { ...PINNED_CONFIG, policy: undefined }, { ...PINNED_CONFIG, campaign: { ...PINNED_CAMPAIGN, version: 2, steps: 'x' } }]) {
      expect(lead.apply({ type: 'migrate', config: bad as unknown as LeadConfig, trigger: 'request' }, PINNED_T0 + H).commands).toEqual([]);
    }
    expect(lead.config).toBe(PINNED_CONFIG);
  });

  it('never takes a lead back from sales when the new score is lower', () => {
    const lead = pinnedLead({ ...PINNED_CONFIG, model: V2 });
    lead.apply(pricing('p1', PINNED_T0 + H), PINNED_T0 + H);
    expect(lead.state.stage).toBe('mql'); // 20 + 40 = 60 under v2
    const stricter: ScoringModel = { ...V2, version: 3, mql: { threshold: 100, requireAnyOf: ['pricing'] } };
    const r = lead.apply({ type: 'migrate', config: { ...PINNED_CONFIG, model: stricter }, trigger: 'request' }, PINNED_T0 + 2 * H);
    expect(reasons(r.commands)).toEqual(['migrated']);
    expect(lead.state).toMatchObject({ stage: 'mql', score: { total: 60 } });
    expect(viewOf(lead.state, lead.config, PINNED_T0 + 2 * H).score.isMql).toBe(false);
  });

  it('continues the nurture at the same step (by id) in the new version', () => {
    const lead = pinnedLead(PINNED_CONFIG);
    expect(lead.state.nurture).toMatchObject({ nextStep: 1 }); // welcome sent at enrolment, 'case' next
    const v2: Campaign = { ...PINNED_CAMPAIGN, version: 2, steps: [{ id: 'intro', delay: '0s', subject: 'Intro', body: 'New' }, ...PINNED_CAMPAIGN.steps] };
    lead.apply({ type: 'migrate', config: { ...PINNED_CONFIG, campaign: v2 }, trigger: 'request' }, PINNED_T0 + H);
    expect(lead.state.nurture).toMatchObject({ nextStep: 2, dueAt: PINNED_T0 + 3 * D });
    const sent = lead.apply({ type: 'tick' }, PINNED_T0 + 3 * D);
    expect(sent.commands.find((c) => c.type === 'sendNurtureEmail')).toMatchObject({ campaignVersion: 2, step: { id: 'case' } });
  });

  it('a migration can add a shadow model; the next crossing is recorded', () => {
    const lead = pinnedLead(PINNED_CONFIG);
    lead.apply(pricing('p1', PINNED_T0 + H), PINNED_T0 + H);
    expect(lead.state.shadowScore).toBeUndefined();
    const r = lead.apply({ type: 'migrate', config: WITH_SHADOW, trigger: 'recycle' }, PINNED_T0 + 2 * H);
    expect(reasons(r.commands)).toEqual(['migrated', 'shadow_mql']);
    expect(transitionsIn(r.commands)[0]!.details).toMatchObject({ trigger: 'recycle', fromShadowModel: null, toShadowModel: 'shadow@v1', toShadowModelId: 'shadow' });
  });
});
