// Signed webhooks on real servers: a loopback receiver verifies every request with standardwebhooks;
// retries keep one webhook-id, a lead's events arrive in order, 410 disables the subscription, an
// erasure leaves no personal data in stored or later bodies, and a failed delivery can be retried.
import { eraseLead } from '../../src/leads/erase';
import { postWebhook } from '../../src/webhooks/deliver';
import { newWebhookSecret } from '../../src/webhooks/sign';
import { wakeStalledDeliveries } from '../../src/webhooks/relay';
import { pendingHeads } from '../../src/webhooks/store';
import { wakeWebhookDelivery, webhookWorkflowIdFor } from '../../src/webhooks/workflow-client';
import { enrollLead } from '../../src/leads/enrol';
import { randomUUID } from 'node:crypto';
import { eventually } from '../support/harness';
import { WebhookReceiver } from '../support/webhook-receiver';
import { accept, contact, mqlLead, startWebhookStack, type WebhookStack } from './webhooks-support';

describe('webhooks to the CRM (dev server, PostgreSQL, loopback receiver)', () => {
  let s: WebhookStack;
  const receiver = new WebhookReceiver();
  beforeAll(async () => {
    await receiver.start();
    s = await startWebhookStack('webhooks');
  });
  afterAll(async () => {
    await s?.stop();
    await receiver.stop();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.respond = () => 200;
  });

  /** A subscription for this test only: deleted afterwards, so later tests' leads do not reach it. */
  let current: string | null = null;
  async function subscribe(events: string[]): Promise<string> {
    const res = await s.call('ops', 'POST', '/v1/webhooks', { url: receiver.url, events, description: `test ${s.tag}` });
    expect(res.statusCode).toBe(201);
    const { id, secret } = res.json();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    receiver.secret = secret;
    current = id;
    return id;
  }
  afterEach(async () => {
    if (current) await s.call('ops', 'DELETE', `/v1/webhooks/${current}`);
    current = null;
  });
  const deliveries = async (id: string) => (await s.call('ops', 'GET', `/v1/webhooks/${id}/deliveries`)).json().items as any[];
  const person = (name: string) => ({ email: `${name}-${s.tag}@customer.test`, name: `Name ${name}`, company: `Company ${name}` });

  it('retries a 503 with the same webhook-id until the receiver takes it, and shows each attempt', async () => {
    const id = await subscribe(['lead.mql']);
    receiver.respond = (_r, n) => (n < 2 ? 503 : 200);
    const { leadId, owner } = await mqlLead(s, person('retry'));
    const got = await receiver.waitFor((all) => all.length >= 3, 30_000, 'three attempts');
    expect(got.every((r) => r.verified)).toBe(true);
    expect(receiver.distinctIds()).toHaveLength(1);
    expect(got[0]!.json).toEqual({
      type: 'lead.mql',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { leadId, stage: 'mql', owner, score: 90, campaignId: s.config.campaign.id, email: person('retry').email, name: 'Name retry', company: 'Company retry', title: 'Director of IT' },
    });
    const [delivery] = await eventually(async () => {
      const items = await deliveries(id);
      expect(items).toEqual([expect.objectContaining({ webhookId: got[0]!.webhookId, type: 'lead.mql', leadId, status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null })]);
      return items;
    });
    expect(delivery.deliveredAt).not.toBeNull();
    // Nothing more arrives once it is delivered.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.received).toHaveLength(3);
  });

  it("delivers a lead's events in order, even when the first one needs retries", async () => {
    const id = await subscribe(['lead.mql', 'lead.contacted', 'lead.sql']);
    // The MQL is refused at first, so contacted and sql are queued behind it while it is retried.
    receiver.respond = (r) => (r.json?.type === 'lead.mql' && receiver.received.filter((x) => x.json?.type === 'lead.mql').length <= 2 ? 503 : 200);
    const { leadId, owner } = await mqlLead(s, person('order'));
    await receiver.waitFor((all) => all.length >= 1, 30_000, 'the first attempt');
    await contact(s, leadId, owner);
    await accept(s, leadId, owner);
    await receiver.waitFor((all) => all.some((r) => r.json?.type === 'lead.sql'), 30_000, 'lead.sql');
    expect(receiver.distinctIds().map((wid) => receiver.received.find((r) => r.webhookId === wid)!.json.type)).toEqual(['lead.mql', 'lead.contacted', 'lead.sql']);
    const sql = receiver.received.find((r) => r.json.type === 'lead.sql')!.json;
    expect(sql.data).toMatchObject({ leadId, stage: 'sql', owner, bant: { budget: true, authority: true, need: true, timeline: false } });
    await eventually(async () => expect((await deliveries(id)).map((d) => [d.type, d.status])).toEqual([['lead.sql', 'delivered'], ['lead.contacted', 'delivered'], ['lead.mql', 'delivered']]));
  });

  it('disables the subscription when the receiver answers 410 Gone', async () => {
    const id = await subscribe(['lead.mql', 'lead.contacted']);
    receiver.respond = () => 410;
    const { leadId, owner } = await mqlLead(s, person('gone'));
    await receiver.waitFor((all) => all.length >= 1, 30_000, 'the attempt');
    await eventually(async () => {
      const hook = (await s.call('ops', 'GET', '/v1/webhooks')).json().items.find((w: { id: string }) => w.id === id);
      expect(hook).toMatchObject({ status: 'disabled', disabledReason: expect.stringContaining('410') });
      expect(hook.secret).toBeUndefined();
      expect(await deliveries(id)).toEqual([expect.objectContaining({ type: 'lead.mql', status: 'disabled', attempts: 1, lastStatusCode: 410 })]);
    });
    await contact(s, leadId, owner);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.received).toHaveLength(1);
    expect(await deliveries(id)).toHaveLength(1);
    const retry = await s.call('ops', 'POST', `/v1/webhooks/${id}/deliveries/${(await deliveries(id))[0].id}/retry`);
    expect([retry.statusCode, retry.json().error.code]).toEqual([409, 'not_failed']);
  });

  it('scrubs personal data from an erased lead\'s deliveries and sends lead.erased with the lead id only', async () => {
    const id = await subscribe(['lead.mql', 'lead.erased']);
    receiver.respond = () => 503;
    const who = person('erase');
    const { leadId } = await mqlLead(s, who);
    const before = await receiver.waitFor((all) => all.length >= 1, 30_000, 'the first attempt');
    expect(before[0]!.body).toContain(who.email);

    await eraseLead(s.deps, leadId);
    const erasedAt = Date.now();
    const { rows } = await s.pool.query('SELECT event_type, status, payload FROM webhook_deliveries WHERE lead_id = $1 ORDER BY delivery_id', [leadId]);
    expect(rows.map((r) => [r.event_type, r.status])).toEqual([['lead.mql', 'pending'], ['lead.erased', 'pending']]);
    for (const row of rows) {
      expect(row.payload).toEqual({ type: row.event_type, timestamp: expect.any(String), data: { leadId } });
      for (const secret of [who.email, who.name, who.company, 'Director of IT']) expect(JSON.stringify(row.payload)).not.toContain(secret);
    }

    receiver.respond = () => 200;
    await receiver.waitFor((all) => all.some((r) => r.json?.type === 'lead.erased' && r.at > erasedAt), 30_000, 'lead.erased');
    const after = receiver.received.filter((r) => r.at > erasedAt);
    expect([...new Set(after.map((r) => r.json.type))]).toEqual(['lead.mql', 'lead.erased']);
    for (const r of after) {
      expect(r.verified).toBe(true);
      expect(r.json.data).toEqual({ leadId });
    }
    await eventually(async () => expect((await deliveries(id)).map((d) => [d.type, d.status])).toEqual([['lead.erased', 'delivered'], ['lead.mql', 'delivered']]));
  });

  it('fails a delivery after its retries, and a manual retry sends it again with the same webhook-id', async () => {
    const id = await subscribe(['lead.mql']);
    receiver.respond = () => 500;
    await mqlLead(s, person('manual'));
    const [failed] = await eventually(async () => {
      const items = await deliveries(id);
      expect(items).toEqual([expect.objectContaining({ status: 'failed', lastStatusCode: 500, lastError: expect.stringContaining('500') })]);
      return items;
    }, 30_000);
    expect(failed.attempts).toBeGreaterThan(2);
    const attempts = receiver.received.length;
    receiver.respond = () => 200;
    const retry = await s.call('ops', 'POST', `/v1/webhooks/${id}/deliveries/${failed.id}/retry`);
    expect([retry.statusCode, retry.json()]).toEqual([202, { id: failed.id, status: 'pending' }]);
    await eventually(async () => expect(await deliveries(id)).toEqual([expect.objectContaining({ status: 'delivered', attempts: failed.attempts + 1, lastStatusCode: 200 })]));
    expect(receiver.received).toHaveLength(attempts + 1);
    expect(receiver.distinctIds()).toEqual([failed.webhookId]);
  });

  it('refuses at delivery time a host name that resolves to loopback (DNS rebinding), unless private targets are allowed', async () => {
    receiver.secret = newWebhookSecret();
    const target = { url: receiver.url.replace('127.0.0.1', 'localhost'), secret: receiver.secret, webhookId: 'msg_guard' };
    const body = JSON.stringify({ type: 'lead.mql', data: {} });
    expect(await postWebhook(target, body, { timeoutMs: 2_000, allowPrivate: false })).toEqual({ error: expect.stringContaining('private, loopback or link-local') });
    expect(await postWebhook({ ...target, url: receiver.url }, body, { timeoutMs: 2_000, allowPrivate: false })).toEqual({ error: expect.stringContaining('private, loopback or link-local') });
    expect(receiver.received).toHaveLength(0);
    expect(await postWebhook(target, body, { timeoutMs: 2_000, allowPrivate: true })).toEqual({ statusCode: 200 });
    expect(receiver.received.map((r) => [r.webhookId, r.verified])).toEqual([['msg_guard', true]]);
  });

  it('bounds an attempt by the timeout when the receiver does not answer', async () => {
    receiver.secret = newWebhookSecret();
    receiver.respond = () => new Promise((r) => setTimeout(() => r(200), 3_000));
    const started = Date.now();
    const result = await postWebhook({ url: receiver.url, secret: receiver.secret, webhookId: 'msg_slow' }, '{}', { timeoutMs: 500, allowPrivate: true });
    expect(result).toEqual({ error: 'no answer within 500 ms' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('continues as new when its history grows, and keeps the order across runs', async () => {
    const id = await subscribe(['lead.mql']);
    // A lead without a row (as after an erasure): its deliveries are due at once, in seq order.
    const leadId = randomUUID();
    const n = 25;
    for (let seq = n; seq >= 1; seq--) {
      await s.pool.query(
        `INSERT INTO webhook_deliveries (subscription_id, lead_id, event_key, seq, event_type, webhook_id, payload)
         VALUES ($1, $2::uuid, $3::text, $4::int, 'lead.mql', $5, jsonb_build_object('type', 'lead.mql', 'timestamp', now()::text, 'data', jsonb_build_object('leadId', $2::text, 'seq', $4::int)))`,
        [id, leadId, String(seq), seq, `msg_can_${leadId}_${seq}`],
      );
    }
    await wakeWebhookDelivery(s.client, s.deps.taskQueue, leadId);
    await receiver.waitFor((all) => all.length >= n, 60_000, `${n} deliveries`);
    expect(receiver.received.map((r) => r.json.data.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const runs = await eventually(async () => {
      const found: string[] = [];
      for await (const run of s.client.workflow.list({ query: `WorkflowId = '${webhookWorkflowIdFor(leadId)}'` })) found.push(run.status.name);
      expect(found).toContain('CONTINUED_AS_NEW');
      return found;
    });
    expect(runs.length).toBeGreaterThan(1);
  });

  it('holds a delivery back while a lower seq of its lead is not recorded yet', async () => {
    const id = await subscribe(['lead.mql']);
    // Enrolled on a task queue no worker polls: only the enrolment (seq 1) is recorded, nothing runs.
    const idle = { ...s.deps, taskQueue: `idle-${s.tag}` };
    const { leadId } = await enrollLead(idle, { email: `gap-${s.tag}@customer.test` }, s.config);
    for (const seq of [2, 4]) {
      await s.pool.query(
        `INSERT INTO webhook_deliveries (subscription_id, lead_id, event_key, seq, event_type, webhook_id, payload)
         VALUES ($1, $2::uuid, $3::text, $4::int, 'lead.mql', $5, '{}'::jsonb)`,
        [id, leadId, String(seq), seq, `msg_gap_${leadId}_${seq}`],
      );
    }
    expect(await pendingHeads(s.pool, leadId)).toEqual([expect.objectContaining({ subscriptionId: id, waitMs: 0 })]);
    await s.pool.query(`UPDATE webhook_deliveries SET status = 'delivered' WHERE lead_id = $1 AND seq = 2`, [leadId]);
    // seq 3 is missing: seq 4 waits (for at most ORDER_WAIT_MS), until the transition is recorded.
    const [waiting] = await pendingHeads(s.pool, leadId);
    expect(waiting!.waitMs).toBeGreaterThan(60_000);
    await s.pool.query(
      `INSERT INTO lead_transitions (lead_id, seq, from_stage, to_stage, reason, cycle, score, occurred_at) VALUES ($1, 2, 'nurturing', 'nurturing', 'migrated', 0, 0, now()), ($1, 3, 'nurturing', 'mql', 'mql', 0, 90, now())`,
      [leadId],
    );
    expect(await pendingHeads(s.pool, leadId)).toEqual([expect.objectContaining({ waitMs: 0 })]);
    await eraseLead(idle, leadId);
  });

  it('wakes the deliveries of a lead whose wake was lost (the relay)', async () => {
    const id = await subscribe(['lead.erased']);
    const leadId = randomUUID();
    await s.pool.query(
      `INSERT INTO webhook_deliveries (subscription_id, lead_id, event_key, seq, event_type, webhook_id, payload)
       VALUES ($1, $2::uuid, 'erased', NULL, 'lead.erased', $3, jsonb_build_object('type', 'lead.erased', 'data', jsonb_build_object('leadId', $2::text)))`,
      [id, leadId, `msg_relay_${leadId}`],
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(receiver.received).toHaveLength(0);
    expect(await wakeStalledDeliveries(s.deps, 60_000)).toBe(0);
    expect(await wakeStalledDeliveries(s.deps, 0)).toBeGreaterThanOrEqual(1);
    await receiver.waitFor((all) => all.some((r) => r.webhookId === `msg_relay_${leadId}`), 30_000, 'the woken delivery');
    await eventually(async () => expect((await deliveries(id)).map((d) => d.status)).toEqual(['delivered']));

    // By hand: the retry route wakes a pending delivery too (202), and it goes out.
    const other = randomUUID();
    await s.pool.query(
      `INSERT INTO webhook_deliveries (subscription_id, lead_id, event_key, seq, event_type, webhook_id, payload)
       VALUES ($1, $2::uuid, 'erased', NULL, 'lead.erased', $3, jsonb_build_object('type', 'lead.erased', 'data', jsonb_build_object('leadId', $2::text)))`,
      [id, other, `msg_relay_${other}`],
    );
    const [pending] = await deliveries(id);
    expect([pending.leadId, pending.status]).toEqual([other, 'pending']);
    expect((await s.call('ops', 'POST', `/v1/webhooks/${id}/deliveries/${pending.id}/retry`)).statusCode).toBe(202);
    await receiver.waitFor((all) => all.some((r) => r.webhookId === `msg_relay_${other}`), 30_000, 'the delivery woken by hand');
  });
});
