// A missed SLA for first contact: escalation, reassignment to the next owner, and recycling once reassignments are used up.
import { firstOwnerIndex, nextWakeup } from '../../../src/domain/deadlines';
import { CONFIG, D, H, MQL_AT, mqlLead, only, POLICY, transitionsIn, types, workingLead } from '../support/lead-fixtures';

describe('SLA', () => {
  it('nothing happens before the deadline', () => {
    const lead = mqlLead();
    const before = lead.state;
    lead.tick(MQL_AT + 23 * H);
    expect(lead.last).toEqual([]);
    expect(lead.state).toEqual(before);
    lead.tick(MQL_AT + 24 * H - 1);
    expect(lead.last).toEqual([]);
  });

  it('breaches at the deadline: reassigns to the next owner twice, then recycles on the third breach', () => {
    const lead = mqlLead();

    // Breach 1 at MQL_AT + 24h: a@x missed it, b@x gets the lead.
    lead.tick(MQL_AT + 24 * H);
    expect(types(lead.last)).toEqual(['recordTransition', 'escalateSla', 'notifyOwner']);
    expect(transitionsIn(lead.last)[0]).toMatchObject({
      seq: 3,
      from: 'mql',
      to: 'mql',
      at: MQL_AT + 24 * H,
      reason: 'sla_breached',
      owner: 'b@x',
      details: { missedBy: 'a@x', breach: 1, reassignedTo: 'b@x' },
    });
    expect(only(lead.last, 'escalateSla')[0]).toEqual({
      type: 'escalateSla',
      manager: 'm@x',
      missedBy: 'a@x',
      cycle: 0,
      breach: 1,
      deadline: MQL_AT + 24 * H,
      outcome: 'reassigned',
      nextOwner: 'b@x',
      // the sla_breached transition above
      transitionSeq: 3,
    });
    expect(only(lead.last, 'notifyOwner')[0]).toMatchObject({ owner: 'b@x', reason: 'reassigned', assignment: 2, slaDeadline: MQL_AT + 48 * H, transitionSeq: 3 });
    expect(lead.state).toMatchObject({ stage: 'mql', owner: 'b@x', ownerIndex: 1, assignments: 2, slaDeadline: MQL_AT + 48 * H });

    lead.tick(MQL_AT + 47 * H);
    expect(lead.last).toEqual([]);

    // Breach 2 at MQL_AT + 48h: b@x missed it, c@x gets the lead.
    lead.tick(MQL_AT + 48 * H);
    expect(only(lead.last, 'escalateSla')[0]).toMatchObject({ missedBy: 'b@x', breach: 2, outcome: 'reassigned', nextOwner: 'c@x', deadline: MQL_AT + 48 * H });
    expect(only(lead.last, 'notifyOwner')[0]).toMatchObject({ owner: 'c@x', assignment: 3, slaDeadline: MQL_AT + 72 * H });
    expect(lead.state).toMatchObject({ owner: 'c@x', assignments: 3, slaDeadline: MQL_AT + 72 * H });

    // Breach 3 at MQL_AT + 72h: maxReassignments (2) used up → back to marketing.
    const R = MQL_AT + 72 * H;
    lead.tick(R);
    expect(types(lead.last)).toEqual(['escalateSla', 'recordTransition', 'continueAsNew']);
    expect(only(lead.last, 'escalateSla')[0]).toEqual({
      type: 'escalateSla',
      manager: 'm@x',
      missedBy: 'c@x',
      cycle: 0,
      breach: 3,
      deadline: R,
      outcome: 'recycled',
      nextOwner: null,
      // the sla_expired transition recorded next
      transitionSeq: 5,
    });
    expect(transitionsIn(lead.last)[0]).toMatchObject({ seq: 5, from: 'mql', to: 'recycled', reason: 'sla_expired', at: R, owner: 'c@x' });
    expect(transitionsIn(lead.last)[0]!.rejectionReason).toBeUndefined();
    expect(lead.state).toMatchObject({
      stage: 'recycled',
      owner: null,
      slaDeadline: null,
      recycleAt: R + 30 * D,
      lastRejection: { reason: 'sla_expired', at: R },
    });
    expect(nextWakeup(lead.state, CONFIG)).toMatchObject({ at: R + 30 * D, kind: 'recycle' });
    expect(only(lead.log, 'escalateSla')).toHaveLength(3);
    expect(only(lead.log, 'notifyOwner').map((n) => [n.owner, n.reason])).toEqual([
      ['a@x', 'handoff'],
      ['b@x', 'reassigned'],
      ['c@x', 'reassigned'],
    ]);
  });

  it('reassignment wraps around the owner list', () => {
    expect(firstOwnerIndex('lead-2', 0, 3)).toBe(2);
    const lead = mqlLead(CONFIG, 'lead-2');
    expect(lead.state.owner).toBe('c@x');
    lead.tick(MQL_AT + 24 * H);
    expect(lead.state.owner).toBe('a@x');
    expect(lead.state.ownerIndex).toBe(0);
  });

  it('with maxReassignments 0 the first breach recycles', () => {
    const lead = mqlLead({ ...CONFIG, policy: { ...POLICY, maxReassignments: 0 } });
    lead.tick(MQL_AT + 24 * H);
    expect(only(lead.last, 'escalateSla')[0]).toMatchObject({ breach: 1, outcome: 'recycled', missedBy: 'a@x' });
    expect(lead.state.stage).toBe('recycled');
  });

  it('a contact stops the SLA clock', () => {
    const lead = workingLead();
    lead.tick(MQL_AT + 24 * H);
    lead.tick(MQL_AT + 72 * H);
    expect(lead.log.filter((c) => c.type === 'escalateSla')).toEqual([]);
    expect(lead.state.stage).toBe('working');
  });
});
