// The MQL handoff: when a lead goes to sales, to whom, with which SLA and notification.
import { firstOwnerIndex, nextWakeup } from '../../../src/domain/deadlines';
import { CONFIG, D, engagement, H, Lead, MQL_AT, mqlLead, only, open, POLICY, pricing, T0, transitionsIn, types } from '../support/lead-fixtures';

describe('MQL handoff', () => {
  it('threshold reached without the high-intent rule stays nurturing; the high-intent event then hands off', () => {
    const lead = new Lead();
    let t = T0;
    for (let i = 1; i <= 5; i++) lead.apply(open(`o${i}`, (t += H)), t);
    for (let i = 1; i <= 3; i++) lead.apply(engagement(`cs${i}`, 'page_view', (t += H), { page: 'case-study' }), t);
    // fit 30 + opens 5 × 2 = 10 + case studies 3 × 5 = 15 → 55 >= 50, but no pricing/demo
    expect(lead.state.score.total).toBe(55);
    expect(lead.state.stage).toBe('nurturing');
    lead.apply(pricing('p1', (t += H)), t);
    // 55 + 15 = 70 with pricing
    expect(lead.state.score.total).toBe(70);
    expect(lead.state.stage).toBe('mql');
  });

  it('hands off at MQL: owner from the policy, SLA deadline now + 24h, transition and notification, nurture paused', () => {
    const lead = mqlLead();
    const owner = POLICY.owners[firstOwnerIndex('lead-1', 0, POLICY.owners.length)]!;
    expect(owner).toBe('a@x');
    expect(lead.state).toMatchObject({
      stage: 'mql',
      owner,
      ownerIndex: 0,
      assignments: 1,
      mqlAt: MQL_AT,
      slaDeadline: MQL_AT + 24 * H,
      score: { total: 60, fit: 30, behavior: 30 },
    });
    expect(lead.state.nurture.dueAt).toBeNull();
    expect(types(lead.last)).toEqual(['recordTransition', 'notifyOwner']);
    expect(transitionsIn(lead.last)[0]).toEqual({
      seq: 2,
      from: 'nurturing',
      to: 'mql',
      at: MQL_AT,
      reason: 'mql',
      cycle: 0,
      score: 60,
      owner,
      details: { firedRules: 'pricing' },
    });
    const notify = only(lead.last, 'notifyOwner')[0]!;
    // The mql transition above made this assignment: the workflow may let the email record it.
    expect(notify).toMatchObject({ owner, reason: 'handoff', cycle: 0, assignment: 1, slaDeadline: MQL_AT + 24 * H, transitionSeq: 2 });
    expect(notify.score).toMatchObject({ total: 60, isMql: true, firedRules: ['pricing'] });
    expect(notify.score.breakdown.filter((l) => l.kind === 'behavior').map((l) => [l.ruleId, l.eventId, l.points])).toEqual([
      ['pricing', 'p1', 15],
      ['pricing', 'p2', 15],
    ]);
    expect(nextWakeup(lead.state, CONFIG)).toEqual({ at: MQL_AT + 24 * H, kind: 'sla', summary: expect.stringContaining('a@x') });

    // Nurture is paused: no email while sales owns the lead (the s2 email was due at T0 + 3d).
    lead.tick(MQL_AT + 23 * H);
    expect(lead.last).toEqual([]);
    lead.apply({ type: 'contact', action: { rep: 'a@x', channel: 'email' } }, MQL_AT + 23 * H);
    lead.tick(T0 + 3 * D);
    lead.tick(T0 + 10 * D);
    expect(only(lead.log, 'sendNurtureEmail').map((c) => c.step.id)).toEqual(['s1']);
  });

  it('more activity in mql does not hand off again', () => {
    const lead = mqlLead();
    lead.apply(engagement('d1', 'demo_request', MQL_AT + H), MQL_AT + H);
    expect(lead.last).toEqual([]);
    expect(lead.state.score.total).toBe(100);
    expect(lead.state.assignments).toBe(1);
    expect(lead.state.transitionSeq).toBe(2);
  });

  it('a lead without owners in the policy gets no owner and no notification, and recycles at the SLA', () => {
    const config = { ...CONFIG, policy: { ...POLICY, owners: [] } };
    const lead = mqlLead(config);
    expect(lead.state.owner).toBeNull();
    expect(types(lead.last)).toEqual(['recordTransition']);
    lead.tick(MQL_AT + 24 * H);
    expect(only(lead.last, 'escalateSla')[0]).toMatchObject({ missedBy: '(unassigned)', outcome: 'recycled' });
    expect(lead.state.stage).toBe('recycled');
  });
});
