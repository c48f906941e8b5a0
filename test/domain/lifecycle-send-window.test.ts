// The reducer honours the campaign's send window: a nurture step due outside it waits for the next
// window start in the lead's time zone, and the following step counts its delay from the real send.
import { nextWakeup } from '../../src/domain/deadlines';
import type { LeadConfig, LeadState } from '../../src/domain/lead-state';
import { enroll, step } from '../../src/domain/lifecycle';
import type { Campaign, HandoffPolicy, ScoringModel } from '../../src/domain/types';
import { viewOf } from '../../src/domain/view';

const POLICY: HandoffPolicy = { sla: '24h', maxReassignments: 2, qualificationWindow: '14d', recyclePeriod: '30d', bantRequired: 3, owners: ['a@x'], manager: 'm@x' };
const MODEL: ScoringModel = { id: 'm', version: 1, fit: [], behavior: [], behaviorWindow: '90d', mql: { threshold: 100 } };
const CAMPAIGN: Campaign = {
  id: 'c',
  version: 1,
  name: 'windowed',
  steps: [
    { id: 'welcome', delay: '0s', subject: 'Welcome', body: 'Hi' },
    { id: 'second', delay: '1d', subject: 'Second', body: 'Again' },
  ],
  sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' },
};
const CONFIG: LeadConfig = { campaign: CAMPAIGN, policy: POLICY, model: MODEL };
const at = (iso: string) => Date.parse(iso);
const sends = (commands: { type: string }[]) => commands.filter((c) => c.type === 'sendNurtureEmail').length;

describe('lifecycle with a send window', () => {
  it('holds the first email of a lead enrolled on Saturday until Monday 09:00 Asia/Tokyo, then counts the next delay from there', () => {
    const enrolled = enroll('lead-w', {}, at('2026-01-10T12:00:00+09:00'), CONFIG);
    expect(sends(enrolled.commands)).toBe(0);
    const wake = nextWakeup(enrolled.state, CONFIG)!;
    expect(new Date(wake.at).toISOString()).toBe('2026-01-12T00:00:00.000Z');
    expect(wake.summary).toContain('held for the send window');
    expect(viewOf(enrolled.state, CONFIG, at('2026-01-10T12:00:00+09:00')).nurture).toEqual({ nextStep: 0, dueAt: '2026-01-10T03:00:00.000Z', sendAt: '2026-01-12T00:00:00.000Z' });

    // Sunday: nothing yet.
    const sunday = step(enrolled.state, { type: 'tick' }, at('2026-01-11T15:00:00+09:00'), CONFIG);
    expect(sends(sunday.commands)).toBe(0);
    // Monday 09:00 exactly: the welcome goes.
    const monday = step(sunday.state, { type: 'tick' }, wake.at, CONFIG);
    expect(sends(monday.commands)).toBe(1);
    expect(monday.state.nurture).toMatchObject({ nextStep: 1, dueAt: at('2026-01-13T09:00:00+09:00') });
  });

  it('reads the window in the lead\'s own time zone', () => {
    // Monday 10:00 in Tokyo is Monday 01:00 in London: a London lead waits until 09:00 London time.
    const now = at('2026-01-12T10:00:00+09:00');
    const tokyo = enroll('lead-t', {}, now, CONFIG);
    expect(sends(tokyo.commands)).toBe(1);
    const london = enroll('lead-l', { timezone: 'Europe/London' }, now, CONFIG);
    expect(sends(london.commands)).toBe(0);
    expect(new Date(nextWakeup(london.state, CONFIG)!.at).toISOString()).toBe('2026-01-12T09:00:00.000Z');
    // The campaign's zone applies to leads without one.
    const campaignZone: LeadConfig = { ...CONFIG, campaign: { ...CAMPAIGN, sendWindow: { ...CAMPAIGN.sendWindow!, timezone: 'America/New_York' } } };
    const ny = enroll('lead-n', {}, now, campaignZone);
    expect(new Date(nextWakeup(ny.state, campaignZone)!.at).toISOString()).toBe('2026-01-12T14:00:00.000Z');
  });

  it('a signal arriving after the window opened sends the held step (deadlines run before inputs)', () => {
    const enrolled = enroll('lead-s', {}, at('2026-01-10T12:00:00+09:00'), CONFIG);
    const later = step(enrolled.state, { type: 'engagement', event: { eventId: 'e1', type: 'email_open', occurredAt: '2026-01-12T01:00:00Z' } }, at('2026-01-12T10:00:00+09:00'), CONFIG);
    expect(sends(later.commands)).toBe(1);
  });

  it('changes nothing for a campaign without a window', () => {
    const plain: LeadConfig = { ...CONFIG, campaign: { ...CAMPAIGN, sendWindow: undefined } };
    const enrolled = enroll('lead-p', {}, at('2026-01-10T12:00:00+09:00'), plain);
    expect(sends(enrolled.commands)).toBe(1);
    const state: LeadState = enrolled.state;
    expect(nextWakeup(state, plain)!.at).toBe(state.nurture.dueAt);
  });
});
