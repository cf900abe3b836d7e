import { connect, Events, type NatsConnection } from 'nats';
import type { Logger } from './log.ts';

/**
 * A NATS connection that keeps trying to come back for as long as the process lives: while the
 * server is down, publishes and requests fail fast with a timeout (the outbox keeps the events)
 * and the client reconnects on its own when the server returns.
 */
export async function connectNats(url: string, logger: Logger): Promise<NatsConnection> {
  const nc = await connect({
    servers: url,
    name: 'kassa-worker',
    timeout: 2_000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect || status.type === Events.Reconnect)
        logger.warn(
          { nats: status.type, server: JSON.stringify(status.data) },
          'NATS connection changed',
        );
    }
  })();
  return nc;
}
