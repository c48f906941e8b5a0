// kill -9 of the worker while a webhook's request is in flight: the receiver holds the first request
// open, the worker dies, a new one starts, and the same event arrives again with the same webhook-id
// (at-least-once; the receiver deduplicates), signed, and is recorded as delivered.
import { eventually } from '../support/harness';
import { WebhookReceiver } from '../support/webhook-receiver';
import { createSubscription } from '../../src/webhooks/store';
import { newWebhookSecret } from '../../src/webhooks/sign';
import { mqlLead } from '../integration/webhooks-support';
import { testConfig } from '../support/harness';
import { workerFaultStack } from './support/worker-fault-stack';

// Inherited by the worker processes (test/faults/support/worker-process.ts reads WEBHOOK_*).
process.env.WEBHOOK_ALLOW_PRIVATE = 'true';
process.env.WEBHOOK_RETRY_INITIAL = '200ms';
process.env.WEBHOOK_RETRY_FOR = '5m';
process.env.WEBHOOK_TIMEOUT = '3s';

describe('worker killed with SIGKILL mid-delivery', () => {
  const stack = workerFaultStack('webhook-kill');
  const receiver = new WebhookReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('delivers the event on the next worker with the same webhook-id', async () => {
    receiver.secret = newWebhookSecret();
    const subscriptionId = await createSubscription(stack.pool, { url: receiver.url, events: ['lead.mql'], secret: receiver.secret });
    let inFlight!: () => void;
    const reached = new Promise<void>((resolve) => (inFlight = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    receiver.respond = async (_r, n) => {
      if (n > 0) return 200;
      inFlight();
      await held;
      return 200;
    };

    const worker = await stack.startWorker();
    const deps = { pool: stack.pool, client: stack.client, taskQueue: stack.taskQueue, searchAttributes: true };
    const { leadId } = await mqlLead({ deps, client: stack.client, config: testConfig(stack.tag) }, { email: `kill-${stack.tag}@customer.test` });
    await reached;
    await worker.kill9();
    const killedAt = Date.now();
    await stack.startWorker();
    release();

    const got = await receiver.waitFor((all) => all.length >= 2, 90_000, 'the redelivery');
    console.log(`[faults] worker killed mid-delivery: the webhook arrived again ${((got[1]!.at - killedAt) / 1000).toFixed(1)} s after the kill`);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(receiver.distinctIds()).toHaveLength(1);
    expect(got[1]!.json).toMatchObject({ type: 'lead.mql', data: { leadId } });
    await eventually(async () => {
      const { rows } = await stack.pool.query('SELECT status, attempts, last_status_code FROM webhook_deliveries WHERE subscription_id = $1', [subscriptionId]);
      expect(rows).toEqual([{ status: 'delivered', attempts: 2, last_status_code: 200 }]);
    }, 30_000);
    await stack.pool.query('DELETE FROM webhook_subscriptions WHERE subscription_id = $1', [subscriptionId]);
  });
});
