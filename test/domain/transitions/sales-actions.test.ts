// What a rep does: contact (within the SLA or not), accept (BANT), reject (recycle or disqualify).
import { nextWakeup } from '../../../src/domain/deadlines';
import type { LeadInput } from '../../../src/domain/lead-state';
import { check } from '../../../src/domain/lifecycle';
import type { Bant } from '../../../src/domain/types';
import { BANT2, BANT3, CONFIG, CONTACTED_AT, D, H, iso, MQL_AT, mqlLead, POLICY, transitionsIn, types, workingLead } from '../support/lead-fixtures';

describe('contact', () => {
  it('contact within the SLA: working, contactedWithinSla true, qualification window starts', () => {
    const lead = mqlLead();
    lead.apply({ type: 'contact', action: { rep: 'a@x', channel: 'call', note: '電話しました' } }, CONTACTED_AT);
    expect(lead.state).toMatchObject({
      stage: 'working',
      contactedAt: CONTACTED_AT,
      contactedWithinSla: true,
      slaDeadline: null,
      qualificationDeadline: CONTACTED_AT + 14 * D,
      owner: 'a@x',
    });
    expect(types(lead.last)).toEqual(['recordTransition']);
    expect(transitionsIn(lead.last)[0]).toEqual({
      seq: 3,
      from: 'mql',
      to: 'working',
      at: CONTACTED_AT,
      reason: 'contacted',
      cycle: 0,
      score: 60,
      owner: 'a@x',
      rep: 'a@x',
      note: '電話しました',
      details: { channel: 'call', withinSla: true },
    });
    expect(nextWakeup(lead.state, CONFIG)).toEqual({ at: CONTACTED_AT + 14 * D, kind: 'qualification', summary: expect.stringContaining('a@x') });
  });

  it('contact 1 ms before the deadline is within the SLA; the deadline instant itself is the breach', () => {
    const inTime = mqlLead();
    inTime.apply({ type: 'contact', action: { rep: 'a@x', channel: 'email' } }, MQL_AT + 24 * H - 1);
    expect(inTime.state.contactedWithinSla).toBe(true);
    const atDeadline = mqlLead();
    atDeadline.apply({ type: 'contact', action: { rep: 'a@x', channel: 'email' } }, MQL_AT + 24 * H);
    expect(atDeadline.state.contactedWithinSla).toBe(false);
  });

  it('contact after the SLA deadline (before the breach was processed) sets contactedWithinSla false', () => {
    const lead = mqlLead();
    lead.apply({ type: 'contact', action: { rep: 'a@x', channel: 'meeting' } }, MQL_AT + 24 * H + 1);
    expect(lead.state.stage).toBe('working');
    expect(lead.state.contactedWithinSla).toBe(false);
    // The overdue breach is settled first (reassignment), then the contact is recorded against it.
    expect(transitionsIn(lead.last).map((t) => t.reason)).toEqual(['sla_breached', 'contacted']);
    expect(transitionsIn(lead.last)[1]!.details).toEqual({ channel: 'meeting', withinSla: false });
  });
});

describe('accept', () => {
  it('refuses with bant_insufficient when fewer than bantRequired items are confirmed', () => {
    const lead = workingLead();
    const input: LeadInput = { type: 'accept', action: { rep: 'a@x', bant: BANT2 } };
    const refusal = check(lead.state, input, CONFIG);
    expect(refusal).toEqual({ code: 'bant_insufficient', message: expect.stringContaining('at least 3 of 4') });
    expect(refusal!.message).toContain('got 2');
    const before = lead.state;
    lead.apply(input, CONTACTED_AT + H);
    expect(lead.last).toEqual([]);
    expect(lead.state).toEqual(before);
  });

  it('accepts with 3 of 4 BANT items: sql, terminal, no wakeup', () => {
    const lead = workingLead();
    expect(check(lead.state, { type: 'accept', action: { rep: 'a@x', bant: BANT3 } }, CONFIG)).toBeNull();
    lead.apply({ type: 'accept', action: { rep: 'a@x', bant: BANT3, note: 'budget OK' } }, CONTACTED_AT + H);
    expect(lead.state.stage).toBe('sql');
    expect(lead.state.qualificationDeadline).toBeNull();
    expect(types(lead.last)).toEqual(['recordTransition']);
    expect(transitionsIn(lead.last)[0]).toMatchObject({
      from: 'working',
      to: 'sql',
      reason: 'accepted',
      rep: 'a@x',
      note: 'budget OK',
      details: { budget: true, authority: true, need: true, timeline: false },
    });
    expect(nextWakeup(lead.state, CONFIG)).toBeNull();
    lead.tick(CONTACTED_AT + 15 * D);
    expect(lead.last).toEqual([]);
  });

  it('bantRequired is configurable', () => {
    const config = { ...CONFIG, policy: { ...POLICY, bantRequired: 4 } };
    const lead = workingLead(config);
    expect(check(lead.state, { type: 'accept', action: { rep: 'a@x', bant: BANT3 } }, config)?.code).toBe('bant_insufficient');
    const all: Bant = { budget: true, authority: true, need: true, timeline: true };
    expect(check(lead.state, { type: 'accept', action: { rep: 'a@x', bant: all } }, config)).toBeNull();
  });

  it('a stage refusal wins over a BANT refusal', () => {
    const lead = mqlLead();
    expect(check(lead.state, { type: 'accept', action: { rep: 'a@x', bant: BANT2 } }, CONFIG)?.code).toBe('illegal_stage');
  });
});

describe('reject', () => {
  it('recycles with recycleAt = now + 30d and continues as new', () => {
    const lead = workingLead();
    const W = CONTACTED_AT + H;
    lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'no_budget', note: 'next FY' } }, W);
    expect(types(lead.last)).toEqual(['recordTransition', 'continueAsNew']);
    expect(transitionsIn(lead.last)[0]).toEqual({
      seq: 4,
      from: 'working',
      to: 'recycled',
      at: W,
      reason: 'rejected',
      cycle: 0,
      score: 60,
      owner: 'a@x',
      rep: 'a@x',
      note: 'next FY',
      rejectionReason: 'no_budget',
      details: { recycleAt: iso(W + 30 * D) },
    });
    expect(lead.state).toMatchObject({
      stage: 'recycled',
      recycleAt: W + 30 * D,
      owner: null,
      qualificationDeadline: null,
      lastRejection: { reason: 'no_budget', rep: 'a@x', note: 'next FY', at: W },
    });
    expect(nextWakeup(lead.state, CONFIG)).toEqual({ at: W + 30 * D, kind: 'recycle', summary: expect.stringContaining(iso(W + 30 * D)) });
  });

  it('reject straight from mql also recycles', () => {
    const lead = mqlLead();
    lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'unreachable' } }, MQL_AT + H);
    expect(lead.state.stage).toBe('recycled');
    expect(lead.state.slaDeadline).toBeNull();
    expect(lead.state.recycleAt).toBe(MQL_AT + H + 30 * D);
    lead.tick(MQL_AT + 24 * H);
    expect(lead.log.filter((c) => c.type === 'escalateSla')).toEqual([]);
  });

  it('reject with disqualify ends the lead as disqualified', () => {
    const lead = workingLead();
    const W = CONTACTED_AT + H;
    lead.apply({ type: 'reject', action: { rep: 'a@x', reason: 'bad_fit', note: 'competitor', disqualify: true } }, W);
    expect(lead.state.stage).toBe('disqualified');
    expect(lead.state).toMatchObject({ qualificationDeadline: null, lastRejection: { reason: 'bad_fit', rep: 'a@x', note: 'competitor', at: W } });
    expect(types(lead.last)).toEqual(['recordTransition']);
    expect(transitionsIn(lead.last)[0]).toMatchObject({ from: 'working', to: 'disqualified', reason: 'disqualified', rejectionReason: 'bad_fit' });
    expect(nextWakeup(lead.state, CONFIG)).toBeNull();
    lead.tick(W + 31 * D);
    expect(lead.last).toEqual([]);
    expect(lead.state.stage).toBe('disqualified');
  });
});
