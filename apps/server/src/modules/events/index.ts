export { appendPublicEvents, recordPublicEvents, type PublicEvent } from './outbox.ts';
export { eventView, type EventRow } from './event-store.ts';
export { outboxLag, relayOnce, type OutboxConsumer, type RelayedEvent } from './outbox-relay.ts';
export { eventRoutes } from './routes.ts';
