// The webhook side effects: queueing a recorded transition's event, and the delivery workflow's
// activities (which heads are due, one signed attempt, a delivery given up). Each is idempotent.
import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { Transition } from '../src/domain/lead-state';
import type { LeadSnapshot } from '../src/leads/store';
import { postWebhook } from '../src/webhooks/deliver';
import { eventOfTransition, transitionData } from '../src/webhooks/events';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from '../src/webhooks/settings';
import { disableSubscription, markFailed, pendingHeads, queueTransitionEvent, recordAttempt, startAttempt, type PendingHead } from '../src/webhooks/store';
import { wakeWebhookDelivery } from '../src/webhooks/workflow-client';
import { currentActivity } from './context';

/** The failure type of a 410: the workflow's retry policy does not retry it. */
export const WEBHOOK_GONE = 'WebhookGone';

/**
 * Right after a transition is recorded: its event for each subscription that wants it, then the
 * lead's delivery workflow is woken whenever the lead has pending deliveries, also when this event
 * adds none (a retry whose first attempt died before the signal; a lower seq others wait for).
 */
export async function queueTransitionWebhooks(pool: Pool, leadId: string, t: Transition, snapshot: LeadSnapshot): Promise<void> {
  const pending = await queueTransitionEvent(pool, leadId, { type: eventOfTransition(t), seq: t.seq, at: t.at, data: transitionData(t, snapshot.owner) });
  const activity = currentActivity();
  if (pending && activity) await wakeWebhookDelivery(activity.client, activity.info.taskQueue, leadId);
}

const isSuccess = (status: number) => status >= 200 && status < 300;

export function createWebhookActivities(deps: { pool: Pool; webhooks?: WebhookSettings }) {
  const settings: WebhookSettings = { ...DEFAULT_WEBHOOK_SETTINGS, ...deps.webhooks };
  return {
    /** The worker's retry settings, read by the workflow once per run (they stay in its history). */
    async webhookSettings(): Promise<WebhookSettings> {
      return settings;
    },

    async pendingWebhookHeads(input: { leadId: string }): Promise<PendingHead[]> {
      return pendingHeads(deps.pool, input.leadId);
    },

    /** One attempt; every outcome is recorded on the delivery row before the activity answers or fails. */
    async deliverWebhook(input: { deliveryId: string }): Promise<'delivered' | 'skipped'> {
      const target = await startAttempt(deps.pool, input.deliveryId);
      if (!target) return 'skipped';
      const result = await postWebhook(target, JSON.stringify(target.payload), { timeoutMs: settings.attemptTimeoutMs, allowPrivate: settings.allowPrivate });
      const statusCode = 'statusCode' in result ? result.statusCode : null;
      if (statusCode !== null && isSuccess(statusCode)) {
        await recordAttempt(deps.pool, input.deliveryId, { statusCode, error: null, delivered: true });
        return 'delivered';
      }
      const error = 'error' in result ? result.error : `the receiver answered ${statusCode}`;
      await recordAttempt(deps.pool, input.deliveryId, { statusCode, error, delivered: false });
      if (statusCode === 410) {
        await disableSubscription(deps.pool, target.subscriptionId, 'the receiver answered 410 Gone');
        throw ApplicationFailure.nonRetryable('the receiver answered 410 Gone: the subscription is disabled', WEBHOOK_GONE);
      }
      throw ApplicationFailure.retryable(error, 'WebhookAttemptFailed');
    },

    /** Retries are over: the delivery is failed (a 410 left it disabled already). */
    async failWebhookDelivery(input: { deliveryId: string }): Promise<void> {
      await markFailed(deps.pool, input.deliveryId);
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
