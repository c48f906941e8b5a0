// Routing in the core (runs of revision 3): the handoff and each reassignment ask for an owner of
// the lead's pool, and the answer gives the lead its owner, records who assigned it, and tells them.
import type { LeadConfig } from '../../../src/domain/lead-state';
import { viewOf } from '../../../src/domain/view';
import { CONFIG, D, FIT, H, Lead, MQL_AT, only, POLICY, pricing, reasons, T0, transitionsIn } from '../support/lead-fixtures';

const ROUTED: LeadConfig = {
  ...CONFIG,
  policy: { ...POLICY, routing: { rules: [{ id: 'enterprise', when: { attribute: 'employees', gte: 1000 }, owners: ['big1@x', 'big2@x'] }] } },
};

function routedMql(attributes = FIT, config = ROUTED): Lead {
  const lead = new Lead(config, 'lead-1', attributes, T0);
  lead.state = { ...lead.state, ownerChoice: 'directory' };
  lead.apply(pricing('p1', T0 + H), T0 + H);
  lead.apply(pricing('p2', MQL_AT), MQL_AT);
  expect(lead.state.stage).toBe('mql');
  return lead;
}

describe('routing at handoff', () => {
  it('records the MQL, starts the SLA and asks for an owner of the default pool (no rule matched)', () => {
    const lead = routedMql();
    expect(lead.state).toMatchObject({ owner: null, assignments: 1, slaDeadline: MQL_AT + 24 * H });
    expect(reasons(lead.last)).toEqual(['mql']);
    expect(only(lead.last, 'notifyOwner')).toEqual([]);
    expect(only(lead.last, 'chooseOwner')).toEqual([
      { type: 'chooseOwner', reason: 'handoff', cycle: 0, assignment: 1, campaignId: 'camp-1', pools: [{ poolId: 'default', owners: POLICY.owners, assignedBy: 'fallback' }], exclude: [], manager: 'm@x', at: MQL_AT, transitionSeq: 2 },
    ]);
  });

  it("the first matching rule's pool comes first, the campaign's owners after it", () => {
    const lead = routedMql({ ...FIT, employees: 5000 });
    expect(only(lead.last, 'chooseOwner')[0]!.pools.map((p) => p.poolId)).toEqual(['enterprise', 'default']);
  });

  it('the answer gives the owner, records assignedBy and the skipped reps, and notifies the owner with the SLA', () => {
    const lead = routedMql();
    lead.apply({ type: 'ownerChosen', assignment: 1, owner: 'b@x', assignedBy: 'fallback', poolId: 'default', skipped: [{ owner: 'a@x', reason: 'out_of_office' }] }, MQL_AT + 50);
    expect(lead.state.owner).toBe('b@x');
    expect(transitionsIn(lead.last)[0]).toMatchObject({ from: 'mql', to: 'mql', reason: 'assigned', owner: 'b@x', details: { assignedBy: 'fallback', pool: 'default', skipped: 'a@x (out_of_office)' } });
    expect(only(lead.last, 'notifyOwner')[0]).toMatchObject({ owner: 'b@x', reason: 'handoff', slaDeadline: MQL_AT + 24 * H, assignment: 1 });
    expect(viewOf(lead.state, lead.config, MQL_AT + H).owner).toBe('b@x');
  });

  it('an answer for an assignment that is over changes nothing', () => {
    const lead = routedMql();
    lead.apply({ type: 'ownerChosen', assignment: 1, owner: 'b@x', assignedBy: 'fallback', poolId: 'default', skipped: [] }, MQL_AT + 50);
    lead.apply({ type: 'ownerChosen', assignment: 1, owner: 'c@x', assignedBy: 'fallback', poolId: 'default', skipped: [] }, MQL_AT + 60);
    expect(lead.last).toEqual([]);
    expect(lead.state.owner).toBe('b@x');
  });

  it('a missed SLA is recorded and escalated at the deadline, then asks for the next owner, never the one who missed it', () => {
    const lead = routedMql();
    lead.apply({ type: 'ownerChosen', assignment: 1, owner: 'b@x', assignedBy: 'fallback', poolId: 'default', skipped: [] }, MQL_AT + 50);
    lead.tick(MQL_AT + 24 * H);
    expect(reasons(lead.last)).toEqual(['sla_breached']);
    expect(only(lead.last, 'escalateSla')[0]).toMatchObject({ missedBy: 'b@x', outcome: 'reassigned', nextOwner: null, transitionSeq: lead.state.transitionSeq });
    expect(only(lead.last, 'chooseOwner')[0]).toMatchObject({ reason: 'reassigned', assignment: 2, exclude: ['b@x'] });
    expect(lead.state).toMatchObject({ owner: null, assignments: 2, slaDeadline: MQL_AT + 48 * H });
    lead.apply({ type: 'ownerChosen', assignment: 2, owner: 'c@x', assignedBy: 'fallback', poolId: 'default', skipped: [] }, MQL_AT + 24 * H + 50);
    expect(only(lead.last, 'notifyOwner')[0]).toMatchObject({ owner: 'c@x', reason: 'reassigned', assignment: 2 });
  });

  it('older runs (no ownerChoice) keep the stable hash over the owners', () => {
    const lead = new Lead(ROUTED);
    lead.apply(pricing('p1', T0 + H), T0 + H);
    lead.apply(pricing('p2', MQL_AT), MQL_AT);
    expect(lead.state.owner).not.toBeNull();
    expect(only(lead.last, 'chooseOwner')).toEqual([]);
    expect(only(lead.last, 'notifyOwner')).toHaveLength(1);
    expect(lead.state.slaDeadline).toBe(MQL_AT + D);
  });
});
