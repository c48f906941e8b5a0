// Nurture emails: steps after their delays, the send window's hold, and what stops or resumes them
// (unsubscribe, bounce, bounce cleared).
import { nextWakeup } from '../../../src/domain/deadlines';
import type { LeadConfig, LeadInput, LeadState } from '../../../src/domain/lead-state';
import { enroll, step } from '../../../src/domain/lifecycle';
import type { Campaign, ScoringModel } from '../../../src/domain/types';
import { viewOf } from '../../../src/domain/view';
import { CAMPAIGN, CONFIG, CONFIG_NO_RECYCLE, CONTACTED_AT, D, H, Lead, only, POLICY, pricing, T0, transitionsIn, types, workingLead } from '../support/lead-fixtures';

describe('nurture steps', () => {
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
});

/**
 * For a lead whose nurture was stopped (unsubscribe or bounce) at T0 + 1h, `mark` commands in: the
 * same signal again changes nothing, no email goes out, yet web activity still hands the lead off.
 * Returns when that activity started (T0 + 11d).
 */
function expectStoppedButStillScoring(lead: Lead, repeat: LeadInput, mark: number): number {
  const before = lead.state;
  lead.apply(repeat, T0 + 2 * H);
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
  return t;
}

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
    const t = expectStoppedButStillScoring(lead, { type: 'unsubscribe' }, mark);
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
    lead.apply({ type: 'unsubscribe' }, CONTACTED_AT + H);
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

    const t = expectStoppedButStillScoring(lead, { type: 'emailBounced', stepId: 's2' }, mark);
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
    working.apply({ type: 'emailBounced', stepId: 's2' }, CONTACTED_AT + H);
    working.apply({ type: 'bounceCleared' }, CONTACTED_AT + 2 * H);
    expect(working.state.stage).toBe('working');
    expect(working.state.emailBounced).toBe(false);
    expect(working.state.nurture.dueAt).toBeNull();
    expect(transitionsIn(working.last)).toMatchObject([{ from: 'working', to: 'working', reason: 'bounce_cleared' }]);
  });
});

/** Weekdays 09:00–18:00 (Asia/Tokyo unless the lead or campaign says otherwise); a model that never says MQL. */
const WINDOWED: Campaign = {
  id: 'c',
  version: 1,
  name: 'windowed',
  steps: [
    { id: 'welcome', delay: '0s', subject: 'Welcome', body: 'Hi' },
    { id: 'second', delay: '1d', subject: 'Second', body: 'Again' },
  ],
  sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' },
};
const NEVER_MQL: ScoringModel = { id: 'm', version: 1, fit: [], behavior: [], behaviorWindow: '90d', mql: { threshold: 100 } };
const WINDOWED_CONFIG: LeadConfig = { campaign: WINDOWED, policy: POLICY, model: NEVER_MQL };
const instantOf = (iso: string) => Date.parse(iso);
const sends = (commands: { type: string }[]) => commands.filter((c) => c.type === 'sendNurtureEmail').length;

describe('lifecycle with a send window', () => {
  it('holds the first email of a lead enrolled on Saturday until Monday 09:00 Asia/Tokyo, then counts the next delay from there', () => {
    const enrolled = enroll('lead-w', {}, instantOf('2026-01-10T12:00:00+09:00'), WINDOWED_CONFIG);
    expect(sends(enrolled.commands)).toBe(0);
    const wake = nextWakeup(enrolled.state, WINDOWED_CONFIG)!;
    expect(new Date(wake.at).toISOString()).toBe('2026-01-12T00:00:00.000Z');
    expect(wake.summary).toContain('held for the send window');
    expect(viewOf(enrolled.state, WINDOWED_CONFIG, instantOf('2026-01-10T12:00:00+09:00')).nurture).toEqual({ nextStep: 0, dueAt: '2026-01-10T03:00:00.000Z', sendAt: '2026-01-12T00:00:00.000Z' });

    // Sunday: nothing yet.
    const sunday = step(enrolled.state, { type: 'tick' }, instantOf('2026-01-11T15:00:00+09:00'), WINDOWED_CONFIG);
    expect(sends(sunday.commands)).toBe(0);
    // Monday 09:00 exactly: the welcome goes.
    const monday = step(sunday.state, { type: 'tick' }, wake.at, WINDOWED_CONFIG);
    expect(sends(monday.commands)).toBe(1);
    expect(monday.state.nurture).toMatchObject({ nextStep: 1, dueAt: instantOf('2026-01-13T09:00:00+09:00') });
  });

  it('reads the window in the lead\'s own time zone', () => {
    // Monday 10:00 in Tokyo is Monday 01:00 in London: a London lead waits until 09:00 London time.
    const now = instantOf('2026-01-12T10:00:00+09:00');
    const tokyo = enroll('lead-t', {}, now, WINDOWED_CONFIG);
    expect(sends(tokyo.commands)).toBe(1);
    const london = enroll('lead-l', { timezone: 'Europe/London' }, now, WINDOWED_CONFIG);
    expect(sends(london.commands)).toBe(0);
    expect(new Date(nextWakeup(london.state, WINDOWED_CONFIG)!.at).toISOString()).toBe('2026-01-12T09:00:00.000Z');
    // The campaign's zone applies to leads without one.
    const campaignZone: LeadConfig = { ...WINDOWED_CONFIG, campaign: { ...WINDOWED, sendWindow: { ...WINDOWED.sendWindow!, timezone: 'America/New_York' } } };
    const ny = enroll('lead-n', {}, now, campaignZone);
    expect(new Date(nextWakeup(ny.state, campaignZone)!.at).toISOString()).toBe('2026-01-12T14:00:00.000Z');
  });

  it('a signal arriving after the window opened sends the held step (deadlines run before inputs)', () => {
    const enrolled = enroll('lead-s', {}, instantOf('2026-01-10T12:00:00+09:00'), WINDOWED_CONFIG);
    const later = step(enrolled.state, { type: 'engagement', event: { eventId: 'e1', type: 'email_open', occurredAt: '2026-01-12T01:00:00Z' } }, instantOf('2026-01-12T10:00:00+09:00'), WINDOWED_CONFIG);
    expect(sends(later.commands)).toBe(1);
  });

  it('changes nothing for a campaign without a window', () => {
    const plain: LeadConfig = { ...WINDOWED_CONFIG, campaign: { ...WINDOWED, sendWindow: undefined } };
    const enrolled = enroll('lead-p', {}, instantOf('2026-01-10T12:00:00+09:00'), plain);
    expect(sends(enrolled.commands)).toBe(1);
    const state: LeadState = enrolled.state;
    expect(nextWakeup(state, plain)!.at).toBe(state.nurture.dueAt);
  });
});
