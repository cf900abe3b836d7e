export { appendPublicEvents, recordPublicEvents, type PublicEvent } from './outbox.ts';
export { eventColumns, eventView, type EventRow } from './event-store.ts';
export { outboxLag, relayOnce, type OutboxConsumer } from './outbox-relay.ts';
export { tracedConsumer } from './traced-consumer.ts';
export type { RelayedEvent } from './event-store.ts';
export { eventRoutes } from './routes.ts';
export { outboxFeed, type EventFeed } from './event-feed.ts';
export { jetstreamFeed, publisherName } from './jetstream-feed.ts';
export { parkReasons, type ParkReason } from './jetstream-message.ts';
export {
  defaultNatsUsers,
  durableName,
  inboxPrefixes,
  natsPermissions,
  natsServerConfig,
  type NatsRole,
} from './nats-server-config.ts';
