// A policy with business hours counts its business durations in them: the SLA at a handoff and at
// each reassignment, the qualification window, the attempt interval. Plain durations stay wall clock.
import type { LeadConfig } from '../../../src/domain/lead-state';
import { at, iso, TOKYO } from '../business-time/examples';
import { CONFIG, Lead, only, POLICY, pricing } from '../support/lead-fixtures';

const config = (policy: Partial<typeof POLICY>): LeadConfig => ({ ...CONFIG, policy: { ...POLICY, businessHours: TOKYO, ...policy } });

/** A lead that becomes an MQL at `mqlAt` (two pricing views: 30 fit + 30 behaviour). */
function mqlAt(cfg: LeadConfig, mqlIso: string): Lead {
  const t = at(mqlIso);
  const lead = new Lead(cfg, 'lead-1', { title: 'CTO', employees: 200 }, t - 60_000);
  lead.apply(pricing('p1', t - 30_000), t - 30_000);
  lead.apply(pricing('p2', t), t);
  expect(lead.state.stage).toBe('mql');
  return lead;
}

describe('deadlines in business time', () => {
  it('an MQL on Friday 17:00 JST with an 8bh SLA is due Monday 16:00 JST, and the owner email says so in Tokyo time', () => {
    const lead = mqlAt(config({ sla: '8bh' }), '2026-12-04T17:00:00+09:00');
    expect(iso(lead.state.slaDeadline!)).toBe('2026-12-07T07:00:00.000Z');
    expect(only(lead.last, 'notifyOwner')[0]).toMatchObject({ slaDeadline: at('2026-12-07T16:00:00+09:00'), timeZone: 'Asia/Tokyo' });
    // Saturday and Sunday pass without a breach.
    lead.tick(at('2026-12-06T23:00:00+09:00'));
    expect(lead.state.assignments).toBe(1);
    lead.tick(at('2026-12-07T16:00:00+09:00'));
    expect(only(lead.last, 'escalateSla')).toHaveLength(1);
    // The reassignment's SLA is business time too: Monday 16:00 + 8bh = Tuesday 15:00.
    expect(iso(lead.state.slaDeadline!)).toBe('2026-12-08T06:00:00.000Z');
  });

  it('a public holiday is closed: an MQL on Friday 2027-07-16 17:00 with 8bh is due Tuesday (Monday is 海の日)', () => {
    const lead = mqlAt(config({ sla: '8bh' }), '2027-07-16T17:00:00+09:00');
    expect(iso(lead.state.slaDeadline!)).toBe('2027-07-20T07:00:00.000Z');
  });

  it('the qualification window and the attempt interval count in business days', () => {
    const lead = mqlAt(config({ sla: '8bh', qualificationWindow: '2bd', attemptInterval: '1bd' }), '2026-12-04T10:00:00+09:00');
    lead.apply({ type: 'contact', action: { rep: 'a@x', channel: 'call', outcome: 'no_answer' } }, at('2026-12-04T17:00:00+09:00'));
    // 1bd = 9 business hours: 1 h on Friday, 8 h on Monday.
    expect(iso(lead.state.nextAttemptDueAt!)).toBe('2026-12-07T08:00:00.000Z');
    lead.apply({ type: 'contact', action: { rep: 'a@x', channel: 'call', outcome: 'reached' } }, at('2026-12-07T10:00:00+09:00'));
    // 2bd = 18 business hours from Monday 10:00: Monday 8 h, Tuesday 9 h, Wednesday 1 h → Wednesday 10:00.
    expect(iso(lead.state.qualificationDeadline!)).toBe('2026-12-09T01:00:00.000Z');
  });

  it('plain durations stay wall clock even with business hours', () => {
    const lead = mqlAt(config({ sla: '24h' }), '2026-12-04T17:00:00+09:00');
    expect(iso(lead.state.slaDeadline!)).toBe('2026-12-05T08:00:00.000Z');
  });
});
