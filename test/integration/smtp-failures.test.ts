// Only a recipient's permanent failure is a bounce. An SMTP server (smtp-server, over TCP, with
// AUTH) answers 535 at AUTH, 550 at MAIL FROM and 550 at RCPT TO: the first two are retried with
// backoff, recorded with their kind, counted and shown to ops, and never flag the lead; the RCPT
// refusal is a bounce, which ops can clear so that nurture resumes. Owner and escalation emails
// whose retries ran out show on the lead and the SLA board.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { createActivities } from '../../activities';
import { buildApp } from '../../src/api/app';
import type { ApiKey, ApiRole } from '../../src/config';
import { enrollLead } from '../../src/leads/enrol';
import { createMailTransport } from '../../src/mail/transport';
import { workflowIdFor } from '../../src/temporal/client';
import { getStateQuery } from '../../workflows/messages';
import { KEYS } from './api-support';
import { eventually, testConfig, uid, useDevServerStack } from '../support/harness';
import { SmtpSink } from '../support/smtp-sink';

describe('SMTP failures that are not bounces', () => {
  const sink = new SmtpSink({ auth: true });
  beforeAll(() => sink.start());
  afterAll(() => sink.stop());
  const stack = useDevServerStack('smtp-failures', { sink });
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    const apiKeys: ApiKey[] = (Object.entries(KEYS) as [ApiRole, string][]).map(([role, key]) => ({ role, key }));
    app = await buildApp({ pool: stack.pool, client: stack.client, taskQueue: stack.taskQueue, searchAttributes: true, apiKeys });
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app?.close());

  const fetchAs = (role: ApiRole | null, method: 'GET' | 'DELETE', url: string) =>
    fetch(`${baseUrl}${url}`, { method, headers: role ? { authorization: `Bearer ${KEYS[role]}` } : {} });
  const call = async (role: ApiRole | null, method: 'GET' | 'DELETE', url: string) => {
    const res = await fetchAs(role, method, url);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const failures = async (kind: string): Promise<number> => {
    const { rows } = await stack.pool.query<{ failures: string }>('SELECT failures FROM email_failure_counts WHERE kind = $1', [kind]);
    return Number(rows[0]?.failures ?? 0);
  };
  const logOf = async (leadId: string) =>
    (await stack.pool.query<{ status: string; attempts: number; failure_kind: string | null; error: string | null }>('SELECT status, attempts, failure_kind, error FROM email_log WHERE lead_id = $1', [leadId])).rows;
  const flagged = async (leadId: string): Promise<boolean> =>
    (await stack.pool.query('SELECT email_bounced_at IS NOT NULL AS flagged FROM leads WHERE lead_id = $1', [leadId])).rows[0].flagged;

  it.each([
    ['auth', '535 at AUTH', 'auth' as const, 535, '535 5.7.8 authentication credentials invalid'],
    ['mail', '550 at MAIL FROM', 'mail' as const, 550, '550 5.1.0 sender address rejected'],
  ])('%s: %s is retried with backoff, recorded with its kind, counted, shown to ops, never a bounce', async (_name, _what, stage, code, message) => {
    const kind = stage === 'auth' ? 'auth' : 'sender';
    const before = await failures(kind);
    const email = `${stage}-${uid()}@customer.test`;
    sink.refuseAt(stage, code, 2, message);
    const { leadId } = await enrollLead(stack.deps, { email, name: 'Retried' }, testConfig(uid()));

    // The first refusal is on the row while the retry waits: pending, its kind, the reply without addresses.
    await eventually(async () => expect(await logOf(leadId)).toEqual([{ status: 'pending', attempts: expect.any(Number), failure_kind: kind, error: expect.stringContaining(String(code)) }]), 20_000);
    const ops = await call('ops', 'GET', '/readyz');
    expect(ops.status).toBe(200);
    expect(ops.body.email.recentFailures).toEqual(expect.arrayContaining([expect.objectContaining({ kind, lastError: expect.stringContaining(String(code)) })]));
    const anonymous = await call(null, 'GET', '/readyz');
    expect(anonymous.body).toEqual({ status: 'ready', failing: [] });

    // Delivered after the two refusals (2 s, 4 s backoff); the lead was never flagged.
    await sink.waitFor(() => sink.to(email).length === 1, 30_000, 'delivery after two refusals');
    await eventually(async () => expect(await logOf(leadId)).toEqual([{ status: 'sent', attempts: 3, failure_kind: null, error: null }]));
    expect(await flagged(leadId)).toBe(false);
    const state = await stack.client.workflow.getHandle(workflowIdFor(leadId)).query(getStateQuery);
    expect(state.emailBounced).toBe(false);
    expect(state.transitions.map((t) => t.reason)).not.toContain('email_bounced');
    expect(await failures(kind)).toBe(before + 2);
    const metrics = await (await fetchAs('ops', 'GET', '/metrics')).text();
    expect(metrics).toMatch(new RegExp(`^leadloop_email_failures_total\\{kind="${kind}"\\} [1-9]`, 'm'));
  });

  it('550 at RCPT TO is a bounce: not retried, lead flagged; ops clear it and nurture resumes', async () => {
    const email = `rcpt-${uid()}@customer.test`;
    sink.refuseAt('rcpt', 550, 1, '550 5.1.1 no such user');
    const config = testConfig(uid(), {
      campaign: {
        steps: [
          { id: 'welcome', delay: '0s', subject: 'Welcome', body: 'Hi' },
          { id: 'second', delay: '2s', subject: 'Second', body: 'Hi again' },
        ],
      },
    });
    const { leadId } = await enrollLead(stack.deps, { email, name: 'Bounce' }, config);
    const handle = stack.client.workflow.getHandle(workflowIdFor(leadId));
    await eventually(async () => expect((await handle.query(getStateQuery)).emailBounced).toBe(true), 20_000);
    expect(await logOf(leadId)).toEqual([{ status: 'bounced', attempts: 1, failure_kind: null, error: expect.stringContaining('550') }]);
    await eventually(async () => expect(await flagged(leadId)).toBe(true));
    expect((await call('ops', 'GET', `/v1/leads/${leadId}`)).body.emailBounced).toBe(true);

    // Ops only.
    expect((await call('marketing', 'DELETE', `/v1/leads/${leadId}/bounce`)).status).toBe(403);
    expect((await call(null, 'DELETE', `/v1/leads/${leadId}/bounce`)).status).toBe(401);
    expect((await call('ops', 'DELETE', `/v1/leads/00000000-0000-4000-8000-000000000000/bounce`)).status).toBe(404);
    const cleared = await call('ops', 'DELETE', `/v1/leads/${leadId}/bounce`);
    expect(cleared).toEqual({ status: 200, body: { leadId, emailBounced: false, wasBounced: true } });
    expect(await flagged(leadId)).toBe(false);

    // The pending step goes out after its delay; the flag stays clear in PostgreSQL and the workflow.
    const [second] = (await sink.waitFor(() => sink.to(email).length === 1, 20_000, 'the second step after the clear')).filter((m) => m.to.includes(email));
    expect(second!.subject).toBe('Second');
    await eventually(async () => {
      const s = await handle.query(getStateQuery);
      expect(s.emailBounced).toBe(false);
      expect(s.transitions.map((t) => t.reason)).toEqual(['enrolled', 'email_bounced', 'bounce_cleared']);
      const lead = await call('ops', 'GET', `/v1/leads/${leadId}`);
      expect(lead.body.emailBounced).toBe(false);
      expect(lead.body.transitions.map((t: { reason: string }) => t.reason)).toEqual(['enrolled', 'email_bounced', 'bounce_cleared']);
    });
    expect(await flagged(leadId)).toBe(false);
    // A second clear is harmless.
    expect((await call('ops', 'DELETE', `/v1/leads/${leadId}/bounce`)).body).toEqual({ leadId, emailBounced: false, wasBounced: false });
  });

  it("an owner email whose retries ran out shows on the lead and the SLA board; one still retrying does not", async () => {
    const tag = uid();
    const campaignId = `campaign-${tag}`;
    const { rows } = await stack.pool.query(
      `INSERT INTO leads (lead_id, email, email_normalized, name, campaign_id, campaign_version, scoring_model_id, scoring_model_version)
       VALUES (gen_random_uuid(), $1, $1, 'Owner test', $2, 1, 'm', 1) RETURNING lead_id`,
      [`lead-${tag}@customer.test`, campaignId],
    );
    const leadId: string = rows[0].lead_id;
    const activities = createActivities({ pool: stack.pool, transport: createMailTransport(sink.url), mailFrom: 'test <noreply@leadloop.test>' });
    const now = Date.now();
    const score = { total: 80, fit: 20, behavior: 60, isMql: true, firedRules: ['pricing'], breakdown: [] };
    const notify = (assignment: number) => ({
      leadId, owner: `owner-${tag}@sales.test`, reason: 'handoff' as const, cycle: 0, assignment, slaDeadline: now + 86_400_000, score, transitionSeq: 2,
    });
    const mql = { seq: 2, from: 'nurturing' as const, to: 'mql' as const, at: now, reason: 'mql' as const, cycle: 0, score: 80 };
    const record = { transition: mql, snapshot: { stage: 'mql' as const, owner: `owner-${tag}@sales.test`, score: 80, unsubscribed: false, emailBounced: false } };
    const retryPolicy = { maximumAttempts: 25, initialInterval: 2000, backoffCoefficient: 2 };

    // Not the last attempt: retried later, not shown.
    sink.refuseAt('mail', 550, 1, '550 5.7.1 sender not allowed to relay');
    const early = await new MockActivityEnvironment({ attempt: 3, retryPolicy }).run(activities.notifyOwner, { ...notify(1), record }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(ApplicationFailure);
    expect((early as ApplicationFailure).type).toBe('SmtpSenderFailure');
    expect((await call('sales', 'GET', `/v1/leads/${leadId}`)).body.undeliveredNotices).toEqual([]);

    // The last attempt: the failure is final.
    sink.refuseAt('auth', 535, 1, '535 5.7.8 authentication failed');
    const last = await new MockActivityEnvironment({ attempt: 25, retryPolicy }).run(activities.notifyOwner, { ...notify(1), record }).catch((e: unknown) => e);
    expect((last as ApplicationFailure).type).toBe('SmtpAuthFailure');
    expect((await logOf(leadId)).map((r) => r.status)).toEqual(['failed']);

    const lead = await call('sales', 'GET', `/v1/leads/${leadId}`);
    expect(lead.body.undeliveredNotices).toEqual([{ kind: 'owner', status: 'failed', at: expect.any(String), error: expect.stringContaining('535') }]);
    expect(JSON.stringify(lead.body.undeliveredNotices)).not.toContain('@');
    const board = await call('sales', 'GET', `/v1/reports/sla?campaignId=${campaignId}`);
    expect(board.status).toBe(200);
    expect(board.body.entries).toEqual([expect.objectContaining({ leadId, undeliveredNotices: [expect.objectContaining({ kind: 'owner', status: 'failed' })] })]);
  });
});
