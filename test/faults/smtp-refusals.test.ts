// The SMTP server answering 421 and 451 for a while: every email is retried with backoff and
// delivered exactly once; then a 550 for one address is a bounce: not retried, the lead flagged.
// (test/integration/email-delivery.test.ts covers one lead with 451 twice and the 550 in detail.)
import type { Pool } from 'pg';
import { messageIdFor } from '../../activities/email';
import { enrollLead } from '../../src/leads/enrol';
import { eventually, testConfig, uid, useDevServerStack } from '../support/harness';
import { sleep } from './support/processes';

const LEADS = 10;
const REFUSALS = 12;

describe('SMTP server refusing for a while', () => {
  const stack = useDevServerStack('faults-smtp');
  let pool: Pool;
  beforeAll(() => ({ pool } = stack));

  it('retries 421/451 with backoff and delivers each email once; records a 550 as a bounce', async () => {
    const tag = uid();
    const config = testConfig(tag);
    stack.sink.refuse(421, REFUSALS / 2, '421 4.3.2 service not available, closing channel');
    stack.sink.refuse(451, REFUSALS / 2, '451 4.3.0 try again later');
    const leadIds: string[] = [];
    for (let i = 0; i < LEADS; i++) leadIds.push((await enrollLead(stack.deps, { email: `busy${i}-${tag}@smtp.test`, name: `Busy ${i}` }, config)).leadId);

    await stack.sink.waitFor((all) => all.length >= LEADS, 120_000, 'one welcome email per lead');
    const { rows } = await eventually(async () => {
      const result = await pool.query<{ status: string; attempts: number }>('SELECT status, attempts FROM email_log WHERE lead_id = ANY($1)', [leadIds]);
      expect(result.rows.map((r) => r.status)).toEqual(leadIds.map(() => 'sent'));
      return result;
    });
    // Each refusal cost one attempt; every email went through in the end.
    expect(rows.reduce((sum, r) => sum + r.attempts, 0)).toBe(LEADS + REFUSALS);
    await sleep(1_000);
    expect(stack.sink.messages.map((m) => m.messageId).sort()).toEqual(leadIds.map((id) => messageIdFor(`nurture:${id}:${config.campaign.id}:welcome:0`)).sort());

    // A permanent refusal: recorded once as bounced, never retried, the lead flagged.
    stack.sink.refuse(550, 1, '550 5.1.1 no such user');
    const bounced = (await enrollLead(stack.deps, { email: `gone-${tag}@smtp.test`, name: 'Gone' }, config)).leadId;
    await eventually(async () => {
      const lead = await pool.query('SELECT email_bounced_at IS NOT NULL AS flagged FROM leads WHERE lead_id = $1', [bounced]);
      expect(lead.rows[0].flagged).toBe(true);
    }, 30_000);
    const log = await pool.query('SELECT status, attempts FROM email_log WHERE lead_id = $1', [bounced]);
    expect(log.rows).toEqual([{ status: 'bounced', attempts: 1 }]);
    expect(stack.sink.messages).toHaveLength(LEADS);
    console.log(`[faults] SMTP refused ${REFUSALS} times (421/451): ${LEADS} emails delivered once each after ${REFUSALS} retries; 550 bounced once, not retried`);
  });
});
