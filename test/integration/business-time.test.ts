// Business time on the time-skipping server: an SLA in business hours is one timer at the exact
// instant (a Friday-evening MQL breaches on Monday, not over the weekend); unanswered contact
// attempts recycle the lead as unreachable; a late next attempt brings the owner one reminder.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import type { LeadConfig } from '../../src/domain/lead-state';
import type { ContactOutcome } from '../../src/domain/types';
import { isOpenDay } from '../../src/domain/business-time/calendar';
import { enrollLead } from '../../src/leads/enrol';
import { funnelReport } from '../../src/reports/funnel';
import { recordEvent } from '../../src/leads/record-events';
import type { IntakeDeps } from '../../src/leads/deps';
import { workflowIdFor } from '../../src/temporal/client';
import { contactUpdate, getStateQuery } from '../../workflows/messages';
import { eventually, testConfig, uid, useTimeSkippingStack } from '../support/harness';

const TOKYO = { timeZone: 'Asia/Tokyo', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', holidays: 'jp', closed: [] } as const;

describe('business time (time-skipping server)', () => {
  const stack = useTimeSkippingStack('business');
  const { sink } = stack;
  let env: TestWorkflowEnvironment;
  let pool: Pool;
  let deps: IntakeDeps;
  beforeAll(() => ({ env, pool, deps } = stack));

  const handle = (leadId: string) => env.client.workflow.getHandle(workflowIdFor(leadId));
  const state = (leadId: string) => handle(leadId).query(getStateQuery);
  const reasons = async (leadId: string) => (await pool.query('SELECT reason FROM lead_transitions WHERE lead_id = $1 ORDER BY seq', [leadId])).rows.map((r) => r.reason as string);
  const config = (policy: Partial<LeadConfig['policy']>): LeadConfig => {
    const base = testConfig(uid());
    return { ...base, policy: { ...base.policy, businessHours: { ...TOKYO, days: [...TOKYO.days], closed: [] }, ...policy } };
  };
  /** Moves the test server's clock to the next `weekday` (0 = Sunday) at `hour`:00 in Tokyo. */
  async function skipToNext(weekday: number, hour: number): Promise<number> {
    const now = await env.currentTimeMs();
    const tokyo = new Date(now + 9 * 3600_000);
    let target = Date.UTC(tokyo.getUTCFullYear(), tokyo.getUTCMonth(), tokyo.getUTCDate(), hour) - 9 * 3600_000;
    while (new Date(target + 9 * 3600_000).getUTCDay() !== weekday || target <= now) target += 86_400_000;
    await env.sleep(target - now);
    return target;
  }
  async function mqlLead(cfg: LeadConfig): Promise<{ leadId: string; owner: string }> {
    const { leadId } = await enrollLead(deps, { email: `lead-${uid()}@customer.test`, name: 'Lead', title: 'Director of IT' }, cfg);
    await recordEvent(deps, leadId, { type: 'page_view', properties: { page: 'pricing' } });
    await recordEvent(deps, leadId, { type: 'demo_request' });
    const s = await eventually(async () => {
      const current = await state(leadId);
      expect(current.stage).toBe('mql');
      // Routing names the owner a moment after the handoff.
      expect(current.owner).toBeTruthy();
      return current;
    });
    return { leadId, owner: s.owner! };
  }
  const attempt = (leadId: string, rep: string, outcome: ContactOutcome) => handle(leadId).executeUpdate(contactUpdate, { args: [{ rep, channel: 'call', outcome }] });

  it('an MQL on Friday 18:00 JST with an 8bh SLA breaches on Monday 17:00, not over the weekend', async () => {
    const cfg = config({ sla: '8bh' });
    const friday = await skipToNext(5, 18);
    const { leadId } = await mqlLead(cfg);
    const mql = await state(leadId);
    // Monday can be a public holiday: then the deadline is Tuesday 17:00. It is 17:00 in Tokyo either way.
    expect(new Date(Date.parse(mql.slaDeadline!) + 9 * 3600_000).getUTCHours()).toBe(17);
    expect(Date.parse(mql.slaDeadline!) - friday).toBeGreaterThanOrEqual(3 * 86_400_000 - 3600_000);
    await env.sleep(Date.parse(mql.slaDeadline!) - 60_000 - (await env.currentTimeMs()));
    expect(sink.to(cfg.policy.manager)).toHaveLength(0);
    expect(await reasons(leadId)).toEqual(['enrolled', 'mql', 'assigned']);
    await env.sleep('2 minutes');
    await sink.waitFor(() => sink.to(cfg.policy.manager).length === 1, 15_000, 'escalation at the deadline');
    expect(sink.to(cfg.policy.manager)[0]!.subject).toContain('SLA missed');
  });

  it('three attempts that do not reach the lead recycle it as unreachable', async () => {
    const { leadId, owner } = await mqlLead(config({ sla: '8bh' }));
    expect(await attempt(leadId, owner, 'no_answer')).toMatchObject({ stage: 'working', contactAttempts: 1, reached: false });
    expect(await attempt(leadId, owner, 'left_message')).toMatchObject({ stage: 'working', contactAttempts: 2 });
    expect(await attempt(leadId, owner, 'no_answer')).toMatchObject({ stage: 'recycled', lastRejection: { reason: 'unreachable' } });
    await eventually(async () => expect(await reasons(leadId)).toEqual(['enrolled', 'mql', 'assigned', 'contacted', 'contact_attempt', 'contact_attempt', 'unreachable']));
  });

  it('reminds the owner once when the next attempt is not logged within attemptInterval', async () => {
    const { leadId, owner } = await mqlLead(config({ sla: '8bh', attemptInterval: '2h' }));
    await sink.waitFor(() => sink.to(owner).length === 1, 15_000, 'handoff email');
    await attempt(leadId, owner, 'no_answer');
    await env.sleep('119 minutes');
    expect(sink.to(owner)).toHaveLength(1);
    await env.sleep('2 minutes');
    await sink.waitFor(() => sink.to(owner).length === 2, 15_000, 'reminder');
    expect(sink.to(owner)[1]!.subject).toBe('Reminder: next contact attempt due (1 of 3 logged)');
    await env.sleep('3 days');
    expect(sink.to(owner)).toHaveLength(2);
    expect((await state(leadId)).stage).toBe('working');
  });

  it('measures time to first contact in business hours: Friday 17:00 to Monday 10:00 is 2 hours, in the transitions and the rollup', async () => {
    const cfg = config({ sla: '2bd' });
    const friday = await skipToNext(5, 17);
    const { leadId, owner } = await mqlLead(cfg);
    const monday = await skipToNext(1, 10);
    await attempt(leadId, owner, 'reached');
    // Friday 17:00–18:00, plus Monday 09:00–10:00 unless Monday is a public holiday.
    const mondayDate = new Date(monday + 9 * 3600_000).toISOString().slice(0, 10);
    const expected = 3600 + (isOpenDay(mondayDate, cfg.policy.businessHours!) ? 3600 : 0);
    const contacted = await eventually(async () => {
      const { rows } = await pool.query("SELECT details FROM lead_transitions WHERE lead_id = $1 AND reason = 'contacted'", [leadId]);
      expect(rows).toHaveLength(1);
      return rows[0].details;
    });
    expect(contacted.businessSeconds).toBe(expected);
    const query = { from: new Date(friday - 86_400_000), to: new Date(monday + 86_400_000), campaignId: cfg.campaign.id, tz: 'UTC' };
    for (const source of ['transitions', 'rollup'] as const) {
      const { totals } = await funnelReport(pool, query, 0.3, source);
      expect(totals.timeToFirstContact).toEqual({ count: 1, businessTime: 1, medianSeconds: expected, p90Seconds: expected });
    }
  });
});
