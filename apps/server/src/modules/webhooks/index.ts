export { createEndpointStore, type EndpointStore } from './endpoint-store.ts';
export { createWebhookDelivery, type WebhookDelivery } from './delivery.ts';
export { webhookFanOut } from './fan-out.ts';
export { webhookRoutes } from './routes.ts';
export { signatureHeader } from './domain/standard-webhooks.ts';
export { forwardEvents } from './event-forwarder.ts';
export { endpointSealedColumns, newWebhookSecret } from './endpoint-store.ts';
