// Recycling: how a lead leaves sales (qualification expiry here; rejects and SLA in their own tests)
// and how it comes back to nurture in a new cycle.
import { firstOwnerIndex, nextWakeup } from '../../../src/domain/deadlines';
import type { LeadConfig } from '../../../src/domain/lead-state';
import { currentScore } from '../../../src/domain/lifecycle';
import { CAMPAIGN, CAMPAIGN_NO_RECYCLE, CONFIG, CONTACTED_AT, D, engagement, H, Lead, MQL_AT, mqlLead, only, POLICY, pricing, T0, transitionsIn, types, workingLead } from '../support/lead-fixtures';

describe('qualification window', () => {
  it('qualification window expiry recycles the lead', () => {
    const lead = workingLead();
    lead.tick(CONTACTED_AT + 14 * D - 1);
    expect(lead.last).toEqual([]);
    const Q = CONTACTED_AT + 14 * D;
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

describe('recycling', () => {
  /** Rejected from mql at R = MQL_AT + 1h; back to nurture at B = R + 30d. */
  const R = MQL_AT + H;
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
    for (const h of [24, 48, 72]) lead.tick(MQL_AT + h * H);
    expect(lead.state.stage).toBe('recycled');
    lead.tick(MQL_AT + 72 * H + 30 * D);
    expect(lead.state.stage).toBe('nurturing');
    expect(lead.state.cycle).toBe(1);
    expect(lead.state.assignments).toBe(0);
  });
});
