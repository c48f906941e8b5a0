// Email delivery against a real SMTP server: idempotency per key, temporary refusals retried,
// permanent refusals recorded as bounces that flag the lead and stop its nurture.
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { createActivities } from '../../activities';
import { createMailTransport } from '../../src/mail/transport';
import { enrollLead } from '../../src/leads/enrol';
import type { IntakeDeps } from '../../src/leads/deps';
import { workflowIdFor } from '../../src/temporal/client';
import { getStateQuery } from '../../workflows/messages';
import { eventually, testConfig, testPool, uid, useDevServerStack } from '../support/harness';
import { SmtpSink } from '../support/smtp-sink';

describe('email delivery', () => {
  const sink = new SmtpSink();
  let pool: Pool;

  beforeAll(async () => {
    await sink.start();
    pool = testPool();
  });
  afterAll(async () => {
    await pool?.end();
    await sink.stop();
  });

  async function insertLead(email: string): Promise<string> {
    const { rows } = await pool.query(
      `INSERT INTO leads (lead_id, email, email_normalized, name, campaign_id, campaign_version, scoring_model_id, scoring_model_version)
       VALUES (gen_random_uuid(), $1, $1, 'Test <b>&</b>', 'c', 1, 'm', 1) RETURNING lead_id`,
      [email],
    );
    return rows[0].lead_id;
  }

  describe('the sendNurtureEmail activity (called directly, as a retry would)', () => {
    const step = { id: 'welcome', delay: '0s', subject: 'Hello {{name}}\r\nBcc: victim@evil.test', body: 'Body for {{name}}' };

    it('sends once per (lead, campaign, step, cycle), however often it is retried', async () => {
      const email = `idem-${uid()}@customer.test`;
      const leadId = await insertLead(email);
      const activities = createActivities({ pool, transport: createMailTransport(sink.url), mailFrom: 'test <noreply@leadloop.test>' });
      const args = { leadId, campaignId: 'c', campaignVersion: 1, cycle: 0, stepIndex: 0, step };
      expect(await activities.sendNurtureEmail(args)).toEqual({ status: 'sent' });
      // A retry after success reports the earlier outcome and sends nothing.
      expect(await activities.sendNurtureEmail(args)).toEqual({ status: 'sent' });
      await sink.waitFor(() => sink.to(email).length === 1, 10_000);
      // Another cycle is another email.
      await activities.sendNurtureEmail({ ...args, cycle: 1 });
      await sink.waitFor(() => sink.to(email).length === 2, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.to(email)).toHaveLength(2);
      // CR/LF from a template or lead field cannot inject headers.
      const [mail] = sink.to(email);
      expect(mail!.subject).toBe('Hello Test <b>&</b> Bcc: victim@evil.test');
      expect(mail!.headers.get('bcc')).toBeUndefined();
      expect(mail!.to).toEqual([email]);
      // The HTML alternative escapes what came from the lead's fields.
      expect(mail!.text).toBe('Body for Test <b>&</b>');
      expect(mail!.html).toContain('<p>Body for Test &lt;b&gt;&amp;&lt;/b&gt;</p>');
      expect(mail!.html).not.toContain('<b>');
    });

    it('never sends twice when concurrent attempts race for the same key', async () => {
      const email = `race-${uid()}@customer.test`;
      const leadId = await insertLead(email);
      const activities = createActivities({ pool, transport: createMailTransport(sink.url), mailFrom: 'test <noreply@leadloop.test>' });
      const args = { leadId, campaignId: 'c', campaignVersion: 1, cycle: 0, stepIndex: 0, step };
      const results = await Promise.all(Array.from({ length: 8 }, () => activities.sendNurtureEmail(args)));
      expect(results).toEqual(Array.from({ length: 8 }, () => ({ status: 'sent' })));
      await sink.waitFor(() => sink.to(email).length >= 1, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(sink.to(email)).toHaveLength(1);
      const log = await pool.query('SELECT status, attempts FROM email_log WHERE lead_id = $1', [leadId]);
      expect(log.rows).toEqual([{ status: 'sent', attempts: 1 }]);
    });

    it('refuses a malformed input for good (non-retryable), naming the fields', async () => {
      const activities = createActivities({ pool, transport: createMailTransport(sink.url), mailFrom: 'test <noreply@leadloop.test>' });
      const err = await activities
        .sendNurtureEmail({ leadId: 'not-a-lead', campaignId: 'c', campaignVersion: 1, cycle: -1, stepIndex: 0, step: { ...step, delay: 'soon' } })
        .then(() => null, (e: unknown) => e as ApplicationFailure);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err!.nonRetryable).toBe(true);
      expect(err!.type).toBe('InvalidActivityInput');
      expect(err!.message).toContain('leadId: must be a lead id (UUID)');
      expect(err!.message).toContain('cycle:');
      expect(err!.message).toContain('step.delay:');
    });

    it('skips an unsubscribed lead without sending', async () => {
      const email = `unsub-${uid()}@customer.test`;
      const leadId = await insertLead(email);
      await pool.query('UPDATE leads SET unsubscribed_at = now() WHERE lead_id = $1', [leadId]);
      const activities = createActivities({ pool, transport: createMailTransport(sink.url), mailFrom: 'test <noreply@leadloop.test>' });
      const result = await activities.sendNurtureEmail({ leadId, campaignId: 'c', campaignVersion: 1, cycle: 0, stepIndex: 0, step });
      expect(result).toEqual({ status: 'skipped', reason: 'unsubscribed' });
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.to(email)).toHaveLength(0);
    });
  });

  describe('through the workflow (dev server)', () => {
    const stack = useDevServerStack('mail', { sink });
    let client: Client;
    let deps: IntakeDeps;
    beforeAll(() => ({ client, deps } = stack));

    it('retries SMTP 451 with backoff and delivers exactly once', async () => {
      const email = `retry-${uid()}@customer.test`;
      sink.refuse(451, 2, '451 4.3.0 try again later');
      const { leadId } = await enrollLead(deps, { email, name: 'Retry' }, testConfig(uid()));
      await sink.waitFor(() => sink.to(email).length === 1, 30_000, 'delivery after two refusals');
      await new Promise((r) => setTimeout(r, 500));
      expect(sink.to(email)).toHaveLength(1);
      await eventually(async () => {
        const { rows } = await pool.query('SELECT status, attempts FROM email_log WHERE lead_id = $1', [leadId]);
        expect(rows).toEqual([{ status: 'sent', attempts: 3 }]);
      });
    });

    it('records a 550 as a bounce: not retried, lead flagged, nurture stops, workflow goes on', async () => {
      const email = `bounce-${uid()}@customer.test`;
      sink.refuse(550, 1, '550 5.1.1 no such user');
      const config = testConfig(uid(), {
        campaign: {
          steps: [
            { id: 'welcome', delay: '0s', subject: 'Welcome', body: 'Hi' },
            { id: 'second', delay: '1s', subject: 'Second', body: 'Hi again' },
          ],
        },
      });
      const { leadId } = await enrollLead(deps, { email, name: 'Bounce', title: 'Director' }, config);
      const handle = client.workflow.getHandle(workflowIdFor(leadId));
      await eventually(async () => expect((await handle.query(getStateQuery)).emailBounced).toBe(true), 20_000);
      const { rows } = await pool.query('SELECT status, attempts, error FROM email_log WHERE lead_id = $1', [leadId]);
      expect(rows).toEqual([{ status: 'bounced', attempts: 1, error: expect.stringContaining('550') }]);
      await eventually(async () => {
        const lead = await pool.query('SELECT email_bounced_at IS NOT NULL AS bounced FROM leads WHERE lead_id = $1', [leadId]);
        expect(lead.rows[0].bounced).toBe(true);
      });
      await new Promise((r) => setTimeout(r, 2000));
      expect(sink.to(email)).toHaveLength(0);
      const s = await handle.query(getStateQuery);
      expect(s.stage).toBe('nurturing');
      expect(s.nurture.dueAt).toBeNull();
      expect(s.transitions.map((t) => t.reason)).toEqual(['enrolled', 'email_bounced']);
    });
  });
});
