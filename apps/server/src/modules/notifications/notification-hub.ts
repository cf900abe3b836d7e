import pg from 'pg';
import type { Logger } from '../../platform/log.ts';
import { notificationChannel } from './notifications-consumer.ts';

/**
 * Wakes the notification streams of this API process: one LISTEN connection for all of them.
 * The worker NOTIFYs a recipient key when it stores new notifications; streams then read what
 * is new. If the connection drops, streams still poll every few seconds until it is back.
 */
export function createNotificationHub(options: { connectionString: string; logger: Logger }) {
  const listeners = new Map<string, Set<() => void>>();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;

  async function connect(): Promise<void> {
    if (closed) return;
    const next = new pg.Client({ connectionString: options.connectionString });
    next.on('error', (error) => {
      options.logger.warn({ err: error }, 'notification listener lost; reconnecting');
      client = null;
      setTimeout(() => void connect().catch(() => undefined), 1_000).unref();
    });
    next.on('notification', (message) => {
      for (const wake of listeners.get(message.payload ?? '') ?? []) wake();
    });
    await next.connect();
    await next.query(`listen ${notificationChannel}`);
    client = next;
  }

  return {
    /** Calls `wake` whenever `recipientKey` (a user id, or `m:<merchant id>`) has something new. */
    subscribe(recipientKey: string, wake: () => void): () => void {
      if (client === null && connecting === null && !closed)
        connecting = connect()
          .catch((error: unknown) =>
            options.logger.warn({ err: error }, 'notification listener could not connect'),
          )
          .finally(() => {
            connecting = null;
          });
      let set = listeners.get(recipientKey);
      if (set === undefined) {
        set = new Set();
        listeners.set(recipientKey, set);
      }
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0) listeners.delete(recipientKey);
      };
    },
    async close(): Promise<void> {
      closed = true;
      await connecting;
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}

export type NotificationHub = ReturnType<typeof createNotificationHub>;
