// Re-contact attempts: any attempt meets the first-contact SLA; attempts that do not reach the lead
// are counted, the owner is reminded once when the next is late, and after the policy's limit the
// lead is recycled as unreachable.
import { nextWakeup } from '../../../src/domain/deadlines';
import type { LeadInput } from '../../../src/domain/lead-state';
import { check } from '../../../src/domain/lifecycle';
import type { ContactOutcome } from '../../../src/domain/types';
import { viewOf } from '../../../src/domain/view';
import { BANT3, CONFIG, D, H, MQL_AT, mqlLead, only, POLICY, reasons, transitionsIn, types } from '../support/lead-fixtures';

const attempt = (outcome?: ContactOutcome): LeadInput => ({ type: 'contact', action: { rep: 'a@x', channel: 'call', ...(outcome ? { outcome } : {}) } });

describe('contact attempts', () => {
  it('a first attempt that does not reach the lead meets the SLA and moves it to working, with the next attempt due', () => {
    const lead = mqlLead();
    lead.apply(attempt('no_answer'), MQL_AT + H);
    expect(lead.state).toMatchObject({ stage: 'working', contactedWithinSla: true, slaDeadline: null, qualificationDeadline: null, contactAttempts: 1, reached: false, nextAttemptDueAt: MQL_AT + H + 24 * H });
    expect(transitionsIn(lead.last)[0]).toMatchObject({ reason: 'contacted', details: { channel: 'call', withinSla: true, outcome: 'no_answer', attempt: 1 } });
    expect(nextWakeup(lead.state, CONFIG)).toMatchObject({ kind: 'attempt', at: MQL_AT + 25 * H });
    expect(viewOf(lead.state, CONFIG, MQL_AT + 2 * H)).toMatchObject({ contactAttempts: 1, reached: false });
  });

  it('a contact without outcome is a reached first contact, as before attempts existed', () => {
    const lead = mqlLead();
    lead.apply(attempt(), MQL_AT + H);
    expect(transitionsIn(lead.last)[0]!.details).toEqual({ channel: 'call', withinSla: true });
    expect(lead.state).toMatchObject({ contactAttempts: 1, reached: true, qualificationDeadline: MQL_AT + H + 14 * D });
    expect(check(lead.state, attempt('no_answer'), CONFIG, MQL_AT + 2 * H)?.code).toBe('illegal_stage');
  });

  it('further attempts are legal until one reaches the lead; accept needs a reached lead; reaching it starts the qualification window', () => {
    const lead = mqlLead();
    lead.apply(attempt('left_message'), MQL_AT + H);
    expect(check(lead.state, { type: 'accept', action: { rep: 'a@x', bant: BANT3 } }, CONFIG, MQL_AT + 2 * H)?.message).toMatch(/reached/);
    expect(check(lead.state, attempt('no_answer'), CONFIG, MQL_AT + 2 * H)).toBeNull();
    lead.apply(attempt('reached'), MQL_AT + 3 * H);
    expect(transitionsIn(lead.last)[0]).toMatchObject({ from: 'working', to: 'working', reason: 'contact_attempt', details: { outcome: 'reached', attempt: 2 } });
    expect(lead.state).toMatchObject({ contactAttempts: 2, reached: true, nextAttemptDueAt: null, qualificationDeadline: MQL_AT + 3 * H + 14 * D });
    expect(nextWakeup(lead.state, CONFIG)?.kind).toBe('qualification');
  });

  it('after maxContactAttempts attempts without reaching the lead, it is recycled as unreachable', () => {
    const lead = mqlLead();
    lead.apply(attempt('no_answer'), MQL_AT + H);
    lead.apply(attempt('no_answer'), MQL_AT + 2 * H);
    expect(lead.state.stage).toBe('working');
    lead.apply(attempt('left_message'), MQL_AT + 3 * H);
    expect(reasons(lead.last)).toEqual(['contact_attempt', 'unreachable']);
    expect(lead.state).toMatchObject({ stage: 'recycled', nextAttemptDueAt: null, lastRejection: { reason: 'unreachable' }, owner: null });
    expect(types(lead.last)).toContain('continueAsNew');
  });

  it('honours the policy: maxContactAttempts 1 recycles at the first unanswered attempt', () => {
    const lead = mqlLead({ ...CONFIG, policy: { ...POLICY, maxContactAttempts: 1 } });
    lead.apply(attempt('no_answer'), MQL_AT + H);
    expect(reasons(lead.last)).toEqual(['contacted', 'unreachable']);
  });

  it('reminds the owner once when the next attempt is not logged within attemptInterval', () => {
    const lead = mqlLead({ ...CONFIG, policy: { ...POLICY, attemptInterval: '2h' } });
    lead.apply(attempt('no_answer'), MQL_AT + H);
    lead.tick(MQL_AT + 3 * H);
    expect(only(lead.last, 'remindOwner')).toEqual([{ type: 'remindOwner', owner: lead.state.owner, cycle: 0, attempts: 1, maxAttempts: 3, dueAt: MQL_AT + 3 * H }]);
    expect(lead.state.attemptReminded).toBe(true);
    expect(nextWakeup(lead.state, lead.config)).toBeNull();
    lead.tick(MQL_AT + 30 * H);
    expect(lead.last).toEqual([]);
    // The next attempt arms the next interval (and its one reminder) again.
    lead.apply(attempt('no_answer'), MQL_AT + 31 * H);
    expect(lead.state).toMatchObject({ attemptReminded: false, nextAttemptDueAt: MQL_AT + 33 * H });
  });

  it('a new cycle starts with no attempts', () => {
    const lead = mqlLead({ ...CONFIG, policy: { ...POLICY, maxContactAttempts: 1, recyclePeriod: '1d' } });
    lead.apply(attempt('no_answer'), MQL_AT + H);
    lead.tick(MQL_AT + H + D);
    expect(lead.state.stage).toBe('nurturing');
    expect(lead.state).toMatchObject({ contactAttempts: 0, nextAttemptDueAt: null });
    expect(viewOf(lead.state, lead.config, MQL_AT + 2 * D)).toMatchObject({ contactAttempts: 0, reached: null });
  });
});
