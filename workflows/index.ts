// What the worker bundles: workflow code only (deterministic, no I/O).
export { leadWorkflow } from './lead';
export { webhookDeliveryWorkflow } from './webhook-delivery';
