// Which transitions emit which webhook event, what their data says, and which addresses are private.
import type { Transition } from '../../src/domain/lead-state';
import { eventOfTransition, transitionData } from '../../src/webhooks/events';
import { isPrivateAddress, targetProblem } from '../../src/webhooks/target-guard';

const t = (over: Partial<Transition>): Transition => ({ seq: 3, from: 'mql', to: 'working', at: 0, reason: 'contacted', cycle: 0, score: 80, ...over });

describe('webhook events', () => {
  it('maps transition reasons, then the stage entered', () => {
    // The handoff names its owner: the mql transition when owners go by hash, else routing's first assignment.
    expect(eventOfTransition(t({ reason: 'mql', to: 'mql', owner: 'rep@sales.test' }))).toBe('lead.mql');
    expect(eventOfTransition(t({ reason: 'mql', to: 'mql' }))).toBeNull();
    expect(eventOfTransition(t({ reason: 'assigned', to: 'mql', owner: 'rep@sales.test', details: { assignment: 1 } }))).toBe('lead.mql');
    expect(eventOfTransition(t({ reason: 'assigned', to: 'mql', owner: 'rep@sales.test', details: { assignment: 2 } }))).toBeNull();
    expect(eventOfTransition(t({ reason: 'contacted' }))).toBe('lead.contacted');
    expect(eventOfTransition(t({ reason: 'accepted', to: 'sql' }))).toBe('lead.sql');
    expect(eventOfTransition(t({ reason: 'sla_breached', to: 'mql' }))).toBe('lead.sla_breached');
    expect(eventOfTransition(t({ reason: 'rejected', to: 'recycled' }))).toBe('lead.recycled');
    expect(eventOfTransition(t({ reason: 'rejected', to: 'disqualified' }))).toBe('lead.disqualified');
    expect(eventOfTransition(t({ reason: 'sla_expired', to: 'recycled' }))).toBe('lead.recycled');
    for (const reason of ['enrolled', 'shadow_mql', 'contact_attempt', 'migrated', 'recycle_period_over'] as const) expect(eventOfTransition(t({ reason, to: 'nurturing' }))).toBeNull();
  });

  it('carries bant on lead.sql, the reason when a lead leaves sales, and the actor when the transition has one', () => {
    const bant = { budget: true, authority: true, need: true, timeline: false };
    expect(transitionData(t({ reason: 'accepted', to: 'sql', details: bant, owner: 'rep@sales.test' }), null)).toEqual({ stage: 'sql', owner: 'rep@sales.test', score: 80, bant });
    expect(transitionData(t({ reason: 'rejected', to: 'recycled', rejectionReason: 'bad_timing' }), 'rep@sales.test')).toEqual({ stage: 'recycled', owner: 'rep@sales.test', score: 80, reason: 'bad_timing' });
    expect(transitionData({ ...t({}), actor: 'service:sales' } as Transition, null)).toMatchObject({ actor: 'service:sales' });
  });

  it('knows private, loopback, link-local and unique-local addresses', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', 'fc00::1', '::ffff:10.0.0.1', 'not-an-ip']) expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) expect([a, isPrivateAddress(a)]).toEqual([a, false]);
    expect(targetProblem('https://crm.example.com/h', false)).toBeNull();
    expect(targetProblem('https://8.8.8.8/h', false)).toBeNull();
    expect(targetProblem('http://localhost:3000/h', true)).toBeNull();
    expect(targetProblem('http://crm.example.com/h', false)).toMatch(/https/);
  });
});
