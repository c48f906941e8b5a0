// Scores: currentScore's explanation, and a shadow model scored beside the primary one that never hands a lead off.
import type { LeadState } from '../../../src/domain/lead-state';
import { currentScore } from '../../../src/domain/lifecycle';
import type { ScoringModel } from '../../../src/domain/types';
import { viewOf } from '../../../src/domain/view';
import { CONFIG, D, H, has, MQL_AT, mqlLead, open, PINNED_CONFIG, PINNED_T0, pinnedLead, pricing, reasons, SHADOW, T0, transitionsIn, V1, WITH_SHADOW } from '../support/lead-fixtures';

describe('currentScore', () => {
  it('currentScore explains the score of the state', () => {
    const lead = mqlLead();
    const result = currentScore(lead.state, MQL_AT, CONFIG);
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

describe('shadow scoring', () => {
  it('scores both models, acts only on the primary, and records once per cycle when the shadow would have made an MQL', () => {
    const lead = pinnedLead(WITH_SHADOW);
    expect(lead.state.shadowScore).toEqual({ total: 20, fit: 20, behavior: 0 });
    const r = lead.apply(pricing('p1', PINNED_T0 + H), PINNED_T0 + H);
    // Shadow: 20 + 40 = 60 ≥ 60 → would be MQL. Primary: 20 + 30 = 50 < 80 → not.
    expect(lead.state).toMatchObject({ stage: 'nurturing', score: { total: 50 }, shadowScore: { total: 60 }, shadowMqlAt: PINNED_T0 + H });
    expect(reasons(r.commands)).toEqual(['shadow_mql']);
    expect(transitionsIn(r.commands)[0]).toMatchObject({ from: 'nurturing', to: 'nurturing', score: 50, details: { shadowModel: 'shadow@v1', shadowScore: 60, primaryScore: 50 } });
    expect(has(r.commands, 'notifyOwner')).toBe(false);
    expect(lead.state.owner).toBeNull();

    const view = viewOf(lead.state, lead.config, PINNED_T0 + H);
    expect(view.score).toMatchObject({ total: 50, isMql: false });
    expect(view.shadowScore).toMatchObject({ total: 60, isMql: true, model: { id: 'shadow', version: 1 } });
    expect(view.shadowMqlAt).toBe(new Date(PINNED_T0 + H).toISOString());

    // Still MQL for the shadow: no second record in this cycle.
    expect(reasons(lead.apply(open('o1', PINNED_T0 + 2 * H), PINNED_T0 + 2 * H).commands)).toEqual([]);
    // The primary crosses on its own: handoff.
    const primary = lead.apply(open('o2', PINNED_T0 + 3 * H), PINNED_T0 + 3 * H);
    expect(lead.state.score.total).toBe(70);
    lead.apply(pricing('p2', PINNED_T0 + 4 * H), PINNED_T0 + 4 * H);
    expect(reasons(primary.commands)).toEqual([]);
    expect(lead.state.stage).toBe('mql');
    expect(reasons(lead.last)).toEqual(['mql']);

    // Rejected, recycled, back to nurture: a new cycle may record a new shadow MQL.
    lead.apply({ type: 'reject', action: { rep: lead.state.owner!, reason: 'bad_timing' } }, PINNED_T0 + 5 * H);
    const back = lead.apply({ type: 'tick' }, PINNED_T0 + 5 * H + 30 * D);
    expect(reasons(back.commands)).toEqual(['recycle_period_over']);
    expect(lead.state).toMatchObject({ cycle: 1, shadowMqlAt: null });
    const again = lead.apply(pricing('p3', PINNED_T0 + 31 * D), PINNED_T0 + 31 * D);
    expect(reasons(again.commands)).toEqual(['shadow_mql']);
    expect(transitionsIn(again.commands)[0]!.cycle).toBe(1);
  });

  it('never hands off because of the shadow model, whatever it says', () => {
    const eager: ScoringModel = { ...SHADOW, mql: { threshold: 1 } };
    const lead = pinnedLead({ ...PINNED_CONFIG, shadowModel: eager });
    expect(reasons(lead.last)).toEqual(['enrolled', 'shadow_mql']);
    for (let i = 0; i < 5; i++) {
      const r = lead.apply(open(`o${i}`, PINNED_T0 + i * H), PINNED_T0 + i * H);
      expect(has(r.commands, 'notifyOwner')).toBe(false);
    }
    expect(lead.state.stage).toBe('nurturing');
  });

  it('keeps events the shadow model can still score when its window is longer', () => {
    const short: ScoringModel = { ...V1, behaviorWindow: '7d' };
    const lead = pinnedLead({ ...PINNED_CONFIG, model: short, shadowModel: { ...SHADOW, behaviorWindow: '90d' } });
    lead.apply(pricing('p1', PINNED_T0 + H), PINNED_T0 + H);
    lead.apply(open('o1', PINNED_T0 + 20 * D), PINNED_T0 + 20 * D);
    expect(lead.state.score.behavior).toBe(10);
    expect(lead.state.shadowScore!.behavior).toBe(50);
    expect(lead.state.events.map((e) => e.eventId)).toEqual(['p1', 'o1']);
  });

  it('leaves states without shadow fields (from before shadow scoring) without them', () => {
    const lead = pinnedLead(PINNED_CONFIG);
    const { shadowScore: _a, shadowMqlAt: _b, ...old } = lead.state;
    lead.state = old as LeadState;
    lead.apply(pricing('p1', PINNED_T0 + H), PINNED_T0 + H);
    expect('shadowScore' in lead.state).toBe(false);
    expect(viewOf(lead.state, PINNED_CONFIG, PINNED_T0 + H)).toMatchObject({ shadowScore: null, shadowMqlAt: null });
  });
});
