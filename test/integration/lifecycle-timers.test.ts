// Timer-heavy behaviour on the time-skipping test server: days pass in milliseconds. Activities are
// real (PostgreSQL rows, emails over SMTP to the in-process sink).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import type { LeadConfig } from '../../src/domain/lead-state';
import { enrollLead } from '../../src/leads/enrol';
import { recordEvent } from '../../src/leads/record-events';
import type { IntakeDeps } from '../../src/leads/deps';
import { workflowIdFor } from '../../src/temporal/client';
import { contactUpdate, getStateQuery, rejectUpdate } from '../../workflows/messages';
import { eventually, testConfig, uid, useTimeSkippingStack } from '../support/harness';

describe('lead lifecycle timers (time-skipping server)', () => {
  const stack = useTimeSkippingStack('timers');
  const { sink } = stack;
  let env: TestWorkflowEnvironment;
  let pool: Pool;
  let deps: IntakeDeps;
  beforeAll(() => ({ env, pool, deps } = stack));

  const handle = (leadId: string) => env.client.workflow.getHandle(workflowIdFor(leadId));
  const state = (leadId: string) => handle(leadId).query(getStateQuery);

  /**
   * Waits until the recycle's transition row is in PostgreSQL. The recycled lead waits out its
   * recycle period in the same run (it continues as new when the period is over).
   */
  async function afterRecycle(leadId: string, reason: string, runId: string) {
    await eventually(async () => {
      const { rows } = await pool.query('SELECT 1 FROM lead_transitions WHERE lead_id = $1 AND reason = $2', [leadId, reason]);
      expect(rows).toHaveLength(1);
    }, 30_000);
    const current = await state(leadId);
    expect(current.stage).toBe('recycled');
    expect(await runIdOf(leadId)).toBe(runId);
    return current;
  }
  const runIdOf = async (leadId: string) => (await handle(leadId).describe()).runId;
  /** The activities the lead's current run scheduled, with their summaries. */
  async function scheduledActivities(leadId: string): Promise<{ type: string; summary: string }[]> {
    const history = await handle(leadId).fetchHistory();
    return (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => ({
        type: e.activityTaskScheduledEventAttributes!.activityType!.name!,
        summary: Buffer.from((e.userMetadata?.summary?.data as Uint8Array | undefined) ?? []).toString().replace(/^"|"$/g, ''),
      }));
  }

  /** The events that make a decision maker an MQL: fit 20 + pricing 30 + demo 40 = 90. */
  const mqlEvents = async (leadId: string) => {
    await recordEvent(deps, leadId, { type: 'page_view', properties: { page: 'pricing' } });
    await recordEvent(deps, leadId, { type: 'demo_request' });
  };
  /** The reasons of the lead's transition rows in PostgreSQL, in order. */
  const reasons = async (leadId: string) =>
    (await pool.query('SELECT reason FROM lead_transitions WHERE lead_id = $1 ORDER BY seq', [leadId])).rows.map((r) => r.reason as string);

  /** Enrol a decision maker and send the events that make an MQL. */
  async function mqlLead(config: LeadConfig): Promise<{ leadId: string; owner: string }> {
    const email = `lead-${uid()}@customer.test`;
    const { leadId } = await enrollLead(deps, { email, name: 'Lead', title: 'Director of IT' }, config);
    await mqlEvents(leadId);
    const s = await eventually(async () => {
      const current = await state(leadId);
      expect(current.stage).toBe('mql');
      // Routing names the owner a moment after the handoff.
      expect(current.owner).toBeTruthy();
      return current;
    });
    await sink.waitFor(() => sink.to(s.owner!).length === 1, 15_000, `handoff email to ${s.owner}`);
    return { leadId, owner: s.owner! };
  }

  it('escalates a missed 24h SLA at the deadline: manager email, reassignment, new owner notified', async () => {
    const config = testConfig(uid());
    const { leadId, owner } = await mqlLead(config);
    const mqlState = await state(leadId);
    expect(Date.parse(mqlState.slaDeadline!) - Date.parse(mqlState.mqlAt!)).toBe(24 * 3600_000);

    await env.sleep('23h');
    expect(sink.to(config.policy.manager)).toHaveLength(0);
    await env.sleep('1h');
    await sink.waitFor(() => sink.to(config.policy.manager).length === 1, 15_000, 'escalation to the manager');
    const escalation = sink.to(config.policy.manager)[0]!;
    expect(escalation.subject).toContain(`SLA missed: first contact by ${owner}`);

    const after = await eventually(async () => {
      const s = await state(leadId);
      expect(s.owner).toBeTruthy();
      expect(s.owner).not.toBe(owner);
      return s;
    });
    // Routing takes the next rep of the pool, never the one who missed the SLA.
    expect(config.policy.owners).toContain(after.owner);
    expect(after.stage).toBe('mql');
    expect(after.transitions.map((t) => t.reason)).toContain('sla_breached');
    // The new owner got the lead with a fresh 24h window.
    await sink.waitFor(() => sink.to(after.owner!).length === 1, 15_000, 'reassignment email');
    expect(sink.to(after.owner!)[0]!.subject).toMatch(/^MQL reassigned to you/);
    expect(Date.parse(after.slaDeadline!) - Date.parse(mqlState.slaDeadline!)).toBeGreaterThanOrEqual(24 * 3600_000);
  });

  it('waits for an SLA deadline with one timer and escalates at the deadline, not before', async () => {
    const config = testConfig(uid());
    const { leadId, owner } = await mqlLead(config);
    // Just before the deadline.
    await env.sleep(24 * 3600_000 - 2_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.to(config.policy.manager)).toHaveLength(0);
    expect((await state(leadId)).stage).toBe('mql');
    await env.sleep('3s');
    await sink.waitFor(() => sink.to(config.policy.manager).length === 1, 15_000, 'escalation to the manager');

    const history = await handle(leadId).fetchHistory();
    const timers = (history.events ?? [])
      .filter((e) => e.timerStartedEventAttributes)
      .map((e) => ({
        seconds: Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds ?? 0) + (e.timerStartedEventAttributes!.startToFireTimeout!.nanos ?? 0) / 1e9,
        summary: Buffer.from((e.userMetadata?.summary?.data as Uint8Array | undefined) ?? []).toString(),
      }));
    // This owner's SLA (the reassignment after the escalation starts the next owner's).
    const sla = timers.filter((t) => t.summary.includes(`SLA: first contact by ${owner} `));
    // One timer (runs before revision 1 woke 5 s early and started a second one), ending at the
    // deadline less the moments the handoff's task took.
    expect(sla).toHaveLength(1);
    expect(sla[0]!.summary).toMatch(/^"?SLA: first contact by /);
    expect(sla[0]!.seconds).toBeGreaterThan(24 * 3600 - 1);
    expect(sla[0]!.seconds).toBeLessThanOrEqual(24 * 3600);
  });

  it('does not escalate when the owner makes contact at 23h', async () => {
    const config = testConfig(uid());
    const { leadId, owner } = await mqlLead(config);
    await env.sleep('23h');
    const view = await handle(leadId).executeUpdate(contactUpdate, { args: [{ rep: owner, channel: 'call' }] });
    expect(view.stage).toBe('working');
    expect(view.contactedWithinSla).toBe(true);
    await env.sleep('2h');
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.to(config.policy.manager)).toHaveLength(0);
    expect((await state(leadId)).transitions.map((t) => t.reason)).not.toContain('sla_breached');
  });

  it('recycles the lead with reason sla_expired at the third breach', async () => {
    const config = testConfig(uid());
    const { leadId } = await mqlLead(config);
    await env.sleep('24h');
    await sink.waitFor(() => sink.to(config.policy.manager).length === 1, 15_000, 'first escalation');
    await env.sleep('24h');
    await sink.waitFor(() => sink.to(config.policy.manager).length === 2, 15_000, 'second escalation');
    const runId = await runIdOf(leadId);
    await env.sleep('24h');
    await sink.waitFor(() => sink.to(config.policy.manager).length === 3, 15_000, 'third escalation');
    const s = await afterRecycle(leadId, 'sla_expired', runId);
    expect(s.stage).toBe('recycled');
    expect(s.lastRejection?.reason).toBe('sla_expired');
    expect(s.owner).toBeNull();
    expect(await reasons(leadId)).toEqual(['enrolled', 'mql', 'assigned', 'sla_breached', 'assigned', 'sla_breached', 'assigned', 'sla_expired']);
    // Each owner in turn was handed the lead once.
    expect(config.policy.owners.map((o) => sink.to(o).length)).toEqual([1, 1, 1]);
    // Each escalation recorded its breach's transition: no record activity of its own per deadline.
    const scheduled = await scheduledActivities(leadId);
    expect(scheduled.filter((a) => a.type === 'escalateSla').map((a) => a.summary.replace(/^.*, /, ''))).toEqual([
      'records transition #4',
      'records transition #6',
      'records transition #8',
    ]);
    // Routing's pick records the mql transition; each assignment is recorded by its owner's email
    // or on its own, depending on whether an email was still in flight: see the tests below.
    expect(scheduled.filter((a) => a.type === 'chooseOwner').map((a) => a.summary.replace(/^.*, /, ''))).toContain('records transition #2');
    expect(scheduled.filter((a) => a.type === 'recordTransition' && !a.summary.endsWith('(assigned)'))).toEqual([]);
  });

  it('records the breach through the records lane when its escalation fails for good', async () => {
    const config = testConfig(uid(), { policy: { maxReassignments: 0 } });
    const { leadId } = await mqlLead(config);
    // Every attempt of the escalation is refused (4xx): its bounded retries run out.
    sink.refuse(451, 1000);
    try {
      await env.sleep('24h');
      await env.sleep('4h');
      await eventually(async () => expect(await reasons(leadId)).toEqual(['enrolled', 'mql', 'assigned', 'sla_expired']), 30_000);
    } finally {
      sink.stopRefusing();
    }
    expect(sink.to(config.policy.manager)).toHaveLength(0);
    const scheduled = await scheduledActivities(leadId);
    const records = scheduled.filter((a) => a.type === 'recordTransition' && !a.summary.endsWith('(assigned)'));
    expect(records.map((a) => a.summary.replace(/^.*\(/, '('))).toEqual(['(sla_expired)']);
  });

  /** Enrols a lead and waits until its welcome email is sent and the run has seen it (the email lane is idle). */
  async function enrolledAndIdle(config: LeadConfig): Promise<string> {
    const email = `lead-${uid()}@customer.test`;
    const { leadId } = await enrollLead(deps, { email, name: 'Lead', title: 'Director of IT' }, config);
    await sink.waitFor(() => sink.to(email).length === 1, 15_000, 'welcome email');
    await eventually(async () => {
      const events = (await handle(leadId).fetchHistory()).events ?? [];
      expect(events.some((e) => e.activityTaskCompletedEventAttributes)).toBe(true);
      expect(events.at(-1)?.workflowTaskCompletedEventAttributes).toBeTruthy();
    });
    return leadId;
  }

  it("records the MQL with the owner's email, before the email: SMTP trouble does not hold it back", async () => {
    const config = testConfig(uid());
    const leadId = await enrolledAndIdle(config);
    sink.refuse(451, 1000);
    try {
      await mqlEvents(leadId);
      // Recorded by the email's first attempt, while the email itself is still being retried.
      await eventually(async () => expect(await reasons(leadId)).toEqual(['enrolled', 'mql', 'assigned']), 30_000);
      const scheduled = await scheduledActivities(leadId);
      // Routing's pick recorded the MQL; the owner's email records the assignment, before the email.
      expect(scheduled.filter((a) => a.type === 'chooseOwner').map((a) => a.summary.replace(/^.*, /, ''))).toEqual(['records transition #2']);
      expect(scheduled.filter((a) => a.type === 'notifyOwner').map((a) => a.summary.replace(/^.*\), /, ''))).toEqual(['records transition #3']);
      expect(scheduled.filter((a) => a.type === 'recordTransition')).toEqual([]);
      // The email's retries run out: the record goes to the records lane once more, as a no-op.
      await env.sleep('4h');
      await eventually(async () => {
        const records = (await scheduledActivities(leadId)).filter((a) => a.type === 'recordTransition');
        expect(records.map((a) => a.summary.replace(/^.*\(/, '('))).toEqual(['(assigned)']);
      }, 30_000);
      await eventually(async () => {
        const events = (await handle(leadId).fetchHistory()).events ?? [];
        expect(events.filter((e) => e.activityTaskCompletedEventAttributes).length).toBe(3); // welcome, pick, record
      }, 30_000);
    } finally {
      sink.stopRefusing();
    }
    expect(await reasons(leadId)).toEqual(['enrolled', 'mql', 'assigned']);
    expect(sink.to((await state(leadId)).owner!)).toHaveLength(0);
  });

  it('records the MQL on its own lane when an email is still in flight at the handoff', async () => {
    const config = testConfig(uid());
    const email = `lead-${uid()}@customer.test`;
    // The welcome email is refused and retried: the email lane is busy when the lead becomes an MQL.
    sink.refuse(451, 1000);
    try {
      const { leadId } = await enrollLead(deps, { email, name: 'Lead', title: 'Director of IT' }, config);
      await mqlEvents(leadId);
      await eventually(async () => expect(await reasons(leadId)).toEqual(['enrolled', 'mql', 'assigned']), 30_000);
      const scheduled = await scheduledActivities(leadId);
      // The pick records the MQL at once; the assignment's record does not wait behind the email either.
      expect(scheduled.map((a) => a.type)).toEqual(['sendNurtureEmail', 'chooseOwner', 'recordTransition']);
      const owner = (await state(leadId)).owner!;
      sink.stopRefusing();
      // The welcome email's next attempt goes through, then the owner's email, without a record.
      await env.sleep('10m');
      await sink.waitFor(() => sink.to(owner).length === 1, 30_000, 'handoff email');
      const notify = (await scheduledActivities(leadId)).filter((a) => a.type === 'notifyOwner');
      expect(notify.map((a) => a.summary)).toEqual([`Hand off to ${owner} (score 90)`]);
    } finally {
      sink.stopRefusing();
    }
    expect(sink.to(email)).toHaveLength(1);
  });

  it('recycles a contacted lead when the 14-day qualification window runs out', async () => {
    const config = testConfig(uid());
    const { leadId, owner } = await mqlLead(config);
    await handle(leadId).executeUpdate(contactUpdate, { args: [{ rep: owner, channel: 'email' }] });
    await env.sleep('13d');
    expect((await state(leadId)).stage).toBe('working');
    const runId = await runIdOf(leadId);
    await env.sleep('1d');
    const s = await afterRecycle(leadId, 'qualification_expired', runId);
    expect(s.stage).toBe('recycled');
    expect(s.lastRejection?.reason).toBe('qualification_expired');
  });

  it('brings a rejected lead back to nurturing after the 30-day recycle period, with behaviour reset', async () => {
    const config = testConfig(uid());
    const { leadId, owner } = await mqlLead(config);
    const email = (await pool.query('SELECT email FROM leads WHERE lead_id = $1', [leadId])).rows[0].email as string;
    const runId = await runIdOf(leadId);
    const rejected = await handle(leadId).executeUpdate(rejectUpdate, { args: [{ rep: owner, reason: 'bad_timing', note: '来期の予算で検討' }] });
    expect(rejected.stage).toBe('recycled');
    expect(Date.parse(rejected.recycleAt!) - Date.parse(rejected.lastRejection!.at)).toBe(30 * 24 * 3600_000);
    await afterRecycle(leadId, 'rejected', runId);

    await env.sleep('29d');
    expect((await state(leadId)).stage).toBe('recycled');
    await env.sleep('1d');
    // The end of the recycle period continues as new; the new run takes the lead back to nurture.
    // Querying the test server while a run is continuing-as-new can stall for ~90 s: wait it out.
    await eventually(async () => expect(await runIdOf(leadId)).not.toBe(runId), 30_000);
    const back = await eventually(async () => {
      const current = await state(leadId);
      expect(current.stage).toBe('nurturing');
      return current;
    });
    expect(back.cycle).toBe(1);
    expect(back.score.behavior).toBe(0);
    expect(back.score.total).toBe(20); // fit only: the lead must earn MQL again
    // The campaign starts over: the welcome step is sent again, once, for the new cycle.
    await sink.waitFor(() => sink.to(email).length === 2, 15_000, 'welcome email of cycle 1');
    // Transition records run on their own lane beside the emails.
    await eventually(async () => expect(await reasons(leadId)).toEqual(['enrolled', 'mql', 'assigned', 'rejected', 'recycle_period_over']));
  });

  it('runs a multi-step nurture on schedule: 0s, then 3 days, then 7 days', async () => {
    const tag = uid();
    const config = testConfig(tag, {
      campaign: {
        steps: [
          { id: 'welcome', delay: '0s', subject: 'Welcome {{name}}', body: 'Hi {{name}}' },
          { id: 'case-study', delay: '3d', subject: 'Case study', body: 'A customer story' },
          { id: 'pricing', delay: '7d', subject: 'Pricing', body: 'Our plans' },
        ],
      },
    });
    const email = `nurture-${tag}@customer.test`;
    await enrollLead(deps, { email, name: 'Nurture' }, config);
    await sink.waitFor(() => sink.to(email).length === 1, 15_000, 'welcome');
    await env.sleep('2d');
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.to(email).map((m) => m.subject)).toEqual(['Welcome Nurture']);
    await env.sleep('1d');
    await sink.waitFor(() => sink.to(email).length === 2, 15_000, 'case study after 3 days');
    await env.sleep('6d');
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.to(email)).toHaveLength(2);
    await env.sleep('1d');
    await sink.waitFor(() => sink.to(email).length === 3, 15_000, 'pricing after 7 more days');
    expect(sink.to(email).map((m) => m.subject)).toEqual(['Welcome Nurture', 'Case study', 'Pricing']);
  });
  it('holds a nurture step due outside the send window until the window opens in the lead\'s time zone', async () => {
    const tag = uid();
    const email = `window-${tag}@customer.test`;
    const zone = 'America/New_York';
    // Weekdays in New York of the server's "now" (the time-skipping clock has moved on in earlier tests).
    const probe = testConfig(`${tag}-probe`);
    const { leadId: probeId } = await enrollLead(deps, { email: `probe-${tag}@customer.test` }, probe);
    const now = Date.parse((await state(probeId)).transitions[0]!.at);
    const today = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short' }).format(now).toLowerCase();
    const days = (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const).filter((d) => d !== today);
    const config = testConfig(tag, {
      campaign: {
        sendWindow: { days: [...days], from: '09:00', to: '17:00' },
        steps: [
          { id: 'welcome', delay: '0s', subject: 'Welcome', body: 'Hi' },
          { id: 'follow-up', delay: '1d', subject: 'Follow-up', body: 'Again' },
        ],
      },
    });
    const { leadId } = await enrollLead(deps, { email, name: 'Window', timezone: zone }, config);
    const view = await eventually(() => state(leadId));
    const sendAt = Date.parse(view.nurture.sendAt!);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(sendAt)).toBe('09:00');
    const wait = sendAt - Date.parse(view.nurture.dueAt!);
    expect(wait).toBeGreaterThan(0);

    await env.sleep(wait - 60_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.to(email)).toHaveLength(0);
    await env.sleep(120_000);
    await sink.waitFor(() => sink.to(email).length === 1, 15_000, 'welcome at the window start');
    // The next delay counts from the real send (the timer fires at the window start, give or take the
    // server's timer latency): one day later, 09:00 again, inside the window.
    const next = await state(leadId);
    expect(Date.parse(next.nurture.dueAt!) - (sendAt + 24 * 3600_000)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(next.nurture.dueAt!) - (sendAt + 24 * 3600_000)).toBeLessThan(60_000);
    expect(next.nurture.sendAt).toBe(next.nurture.dueAt);
  });
});
