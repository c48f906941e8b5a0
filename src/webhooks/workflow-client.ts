// The one Temporal call on webhooks: wake the lead's delivery workflow, starting it if it is not running.
import type { Client } from '@temporalio/client';
import type { webhookDeliveryWorkflow } from '../../workflows/webhook-delivery';
import { webhooksPendingSignal } from '../../workflows/webhook-messages';

export const webhookWorkflowIdFor = (leadId: string): string => `webhooks-${leadId}`;

/** Idempotent: a running workflow is only signalled; a finished one is started again under the same id. */
export async function wakeWebhookDelivery(client: Client, taskQueue: string, leadId: string): Promise<void> {
  await client.workflow.signalWithStart<typeof webhookDeliveryWorkflow>('webhookDeliveryWorkflow', {
    workflowId: webhookWorkflowIdFor(leadId),
    taskQueue,
    args: [{ leadId }],
    signal: webhooksPendingSignal,
    signalArgs: [],
  });
}
