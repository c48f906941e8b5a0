// enroll(): a new lead is nurturing, records 'enrolled' first, and is handed off at once only when fit alone qualifies.
import { enroll } from '../../../src/domain/lifecycle';
import type { LeadAttributes, ScoringModel } from '../../../src/domain/types';
import { CAMPAIGN, CONFIG, D, FIT, Lead, MODEL, T0, transitionsIn, types } from '../support/lead-fixtures';

describe('enroll', () => {
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
