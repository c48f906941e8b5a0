// One lead's webhook deliveries (workflow id webhooks-<leadId>): per subscription, the lead's events
// go one after another in seq order, each retried by Temporal until it is delivered or its time is
// up. A separate workflow, so a slow receiver never holds the lead's own run back. It ends when
// nothing is pending; the next queued event starts it again (signalWithStart).
import { ActivityFailure, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import type { PendingHead } from '../src/webhooks/store';
import { webhooksPendingSignal, type WebhookDeliveryInput } from './webhook-messages';

/** Above this many history events the run continues as new once no attempt is in flight. */
const MAX_HISTORY_EVENTS = 2_000;

// Reads and writes of the delivery rows: retried until PostgreSQL answers.
const store = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<void> {
  let woken = false;
  setHandler(webhooksPendingSignal, () => {
    woken = true;
  });
  const settings = await store.webhookSettings();
  const http = proxyActivities<WebhookActivities>({
    // The HTTP limit, plus time to record the outcome.
    startToCloseTimeout: settings.attemptTimeoutMs + 5_000,
    scheduleToCloseTimeout: settings.retryForMs,
    retry: { initialInterval: settings.retryInitialMs, backoffCoefficient: 2, maximumInterval: settings.retryMaxIntervalMs, nonRetryableErrorTypes: ['WebhookGone'] },
  });

  const busy = new Set<string>();
  const deliver = async (head: PendingHead): Promise<void> => {
    try {
      await http.deliverWebhook({ deliveryId: head.deliveryId });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await store.failWebhookDelivery({ deliveryId: head.deliveryId });
    }
  };
  const startLane = (head: PendingHead) => {
    busy.add(head.subscriptionId);
    void deliver(head).finally(() => {
      busy.delete(head.subscriptionId);
      woken = true;
    });
  };
  const historyIsLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS;

  for (;;) {
    woken = false;
    if (historyIsLong()) {
      // Attempts in flight finish on this run; their successors go on the next.
      await condition(() => busy.size === 0);
      return continueAsNew<typeof webhookDeliveryWorkflow>(input);
    }
    const heads = (await store.pendingWebhookHeads({ leadId: input.leadId })).filter((h) => !busy.has(h.subscriptionId));
    for (const head of heads) if (head.waitMs === 0) startLane(head);
    const waits = heads.filter((h) => h.waitMs > 0).map((h) => h.waitMs);
    if (busy.size === 0 && waits.length === 0 && !woken) return;
    if (waits.length) await condition(() => woken, Math.min(...waits));
    else await condition(() => woken);
  }
}
