// The delivery workflow's one message, shared by the workflow and its callers (no other import).
import { defineSignal } from '@temporalio/workflow';

/** Deliveries of the lead were queued (or re-queued): look again. */
export const webhooksPendingSignal = defineSignal('webhooksPending');

export interface WebhookDeliveryInput {
  leadId: string;
}
