// What every step guarantees: transitions chained by seq (the recent list capped) and an input state never mutated.
import { RECENT_TRANSITIONS_KEPT, type LeadConfig, type LeadInput, type LeadState } from '../../../src/domain/lead-state';
import { step } from '../../../src/domain/lifecycle';
import { CONFIG, CONTACTED_AT, D, deepFreeze, H, Lead, MQL_AT, mqlLead, open, pricing, T0, tick, transitionsIn, workingLead } from '../support/lead-fixtures';

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

describe('step never mutates its input state', () => {
  const cases: [string, () => { state: LeadState; input: LeadInput; at: number; config?: LeadConfig }][] = [
    ['nurture step due', () => ({ state: new Lead().state, input: tick, at: T0 + 3 * D })],
    ['engagement to MQL', () => {
      const lead = new Lead();
      lead.apply(pricing('p1', T0 + H), T0 + H);
      return { state: lead.state, input: pricing('p2', MQL_AT), at: MQL_AT };
    }],
    ['SLA breach', () => ({ state: mqlLead().state, input: tick, at: MQL_AT + 24 * H })],
    ['contact', () => ({ state: mqlLead().state, input: { type: 'contact', action: { rep: 'a@x', channel: 'call' } }, at: CONTACTED_AT })],
    ['qualification expiry', () => ({ state: workingLead().state, input: tick, at: CONTACTED_AT + 14 * D })],
    ['reject', () => ({ state: workingLead().state, input: { type: 'reject', action: { rep: 'a@x', reason: 'other' } }, at: CONTACTED_AT + H })],
    ['back to nurture', () => {
      const lead = mqlLead();
      lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'other' } }, MQL_AT + H);
      return { state: lead.state, input: tick, at: MQL_AT + H + 30 * D };
    }],
    ['attributes', () => ({ state: mqlLead().state, input: { type: 'attributes', attributes: { title: 'student' } }, at: MQL_AT + H })],
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
    const result = step(state, open('x', MQL_AT + H), MQL_AT + H, CONFIG);
    expect(result.state.events).not.toBe(state.events); // changed: a new array
    expect(result.state.nurture).not.toBe(state.nurture); // the one object the reducer may edit in place
    expect(result.state.attributes).toBe(state.attributes); // unchanged: shared, not copied
    // A state that went through many steps is still never mutated by the next one.
    const frozen = deepFreeze(result.state);
    expect(() => step(frozen, open('y', MQL_AT + 2 * H), MQL_AT + 2 * H, CONFIG)).not.toThrow();
  });
});
