import type { Db } from '../../platform/db.ts';
import { relayOnce, type OutboxConsumer } from './outbox-relay.ts';

/** How the worker hands committed events to its consumers. */
export interface EventFeed {
  /** Gives every consumer what was committed since its last pass; returns the events handled. */
  pump(): Promise<number>;
  /** Forgets the feed's dedupe records that no redelivery can need any more. */
  reap(now: Date): Promise<number>;
  close(): Promise<void>;
}

/** Consumers read the outbox table directly (no NATS): exactly once through their offsets. */
export function outboxFeed(db: Db, consumers: readonly OutboxConsumer[]): EventFeed {
  return {
    async pump() {
      let handled = 0;
      for (const consumer of consumers) {
        for (let relayed = -1; relayed !== 0;) {
          relayed = await relayOnce(db, consumer);
          handled += relayed;
        }
      }
      return handled;
    },
    reap: async () => 0,
    close: async () => undefined,
  };
}
