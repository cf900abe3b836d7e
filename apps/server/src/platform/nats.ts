import { connect, Events, type NatsConnection } from 'nats';
import type { Logger } from './log.ts';

/** Who a connection is: a user of the server's configuration, with its own reply inbox. */
export interface NatsIdentity {
  /** Shown by the server (`connz`) and in its logs: `kassa-worker-<role>`. */
  readonly role: string;
  /** Absent: no credentials (an open server, local development). */
  readonly user?: string;
  readonly password?: string;
  /**
   * The role's reply subjects (`_INBOX_kassa_<role>.…`). The server lets each user subscribe to
   * its own prefix only, so no other client can read the replies it gets: JetStream API answers,
   * publish acknowledgements and the messages a pull consumer hands out.
   */
  readonly inboxPrefix: string;
}

/**
 * A NATS connection that keeps trying to come back for as long as the process lives: while the
 * server is down, publishes and requests fail fast with a timeout (the outbox keeps the events)
 * and the client reconnects on its own when the server returns.
 */
export async function connectNats(
  url: string,
  logger: Logger,
  identity: NatsIdentity,
): Promise<NatsConnection> {
  const nc = await connect({
    servers: url,
    name: `kassa-worker-${identity.role}`,
    inboxPrefix: identity.inboxPrefix,
    ...(identity.user === undefined ? {} : { user: identity.user }),
    ...(identity.password === undefined ? {} : { pass: identity.password }),
    timeout: 2_000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect || status.type === Events.Reconnect)
        logger.warn(
          { nats: status.type, role: identity.role, server: JSON.stringify(status.data) },
          'NATS connection changed',
        );
    }
  })();
  return nc;
}
