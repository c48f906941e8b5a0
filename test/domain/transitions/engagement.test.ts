// Engagement events and attribute changes: what scores, what is ignored, and how much the state keeps.
import { RECENT_EVENT_IDS_KEPT, SCORABLE_EVENTS_KEPT, type LeadConfig } from '../../../src/domain/lead-state';
import { enroll, step } from '../../../src/domain/lifecycle';
import { CONFIG, D, engagement, H, Lead, open, pricing, T0, types } from '../support/lead-fixtures';

describe('engagement', () => {
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
