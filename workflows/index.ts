// The workflow bundle's entry point: every workflow type the worker runs.
export { crossingWorkflow } from './crossing';
export { deadlinePolicyFanOut } from './deadline-policy-fanout';
export { queueDispatcherWorkflow } from './queue-dispatcher';
export { webhookDeliveryWorkflow } from './webhook-delivery';
