// The webhook use cases behind the routes that do more than one read: creation and a manual retry.
import type { IntakeDeps } from '../leads/deps';
import type { WebhookEvent } from './events';
import { newWebhookSecret } from './sign';
import { createSubscription, requeueDelivery } from './store';
import { wakeWebhookDelivery } from './workflow-client';

/** The new subscription's id and secret; null when MAX_SUBSCRIPTIONS exist. */
export async function createWebhook(deps: Pick<IntakeDeps, 'pool'>, s: { url: string; events: readonly WebhookEvent[]; description?: string }): Promise<{ id: string; secret: string } | null> {
  const secret = newWebhookSecret();
  const id = await createSubscription(deps.pool, { ...s, secret });
  return id ? { id, secret } : null;
}

/** A failed (or stalled pending) delivery is pending again (same webhook-id) and its lead's delivery workflow is woken. */
export async function retryDelivery(deps: Pick<IntakeDeps, 'pool' | 'client' | 'taskQueue'>, subscriptionId: string, deliveryId: string): Promise<'pending' | 'not_found' | 'not_failed'> {
  const requeued = await requeueDelivery(deps.pool, subscriptionId, deliveryId);
  if (typeof requeued === 'string') return requeued;
  await wakeWebhookDelivery(deps.client, deps.taskQueue, requeued.leadId);
  return 'pending';
}
