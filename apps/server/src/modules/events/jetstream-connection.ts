import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import type { Logger } from '../../platform/log.ts';
import { connectNats, type NatsIdentity } from '../../platform/nats.ts';

export interface Connected {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

/**
 * One role's connection (the publisher and the consumers each connect as their own NATS user):
 * made and set up on first use, set up again after a failed pass, made again after a failed
 * connection.
 */
export function roleConnection(options: {
  readonly url: string;
  readonly logger: Logger;
  readonly identity: NatsIdentity;
  readonly timeoutMs: number;
  readonly setUp: (jsm: JetStreamManager) => Promise<void>;
}) {
  let connecting: Promise<Connected> | undefined;
  /** Set when a pass failed: the stream may be gone (a server that lost its store). */
  let recheck = false;
  return {
    async get(): Promise<Connected> {
      connecting ??= (async () => {
        const nc = await connectNats(options.url, options.logger, options.identity);
        try {
          const jsm = await nc.jetstreamManager({ timeout: options.timeoutMs });
          await options.setUp(jsm);
          return { nc, js: nc.jetstream({ timeout: options.timeoutMs }), jsm };
        } catch (error) {
          await nc.close();
          throw error;
        }
      })();
      const pending = connecting;
      let c: Connected;
      try {
        c = await pending;
      } catch (error) {
        // That connection closed itself: the next pass makes a new one.
        if (connecting === pending) connecting = undefined;
        throw error;
      }
      // A failed set-up keeps the connection (it reconnects by itself) and is tried again next
      // pass; dropping it here would leave a client reconnecting forever that nobody closes.
      if (recheck) {
        await options.setUp(c.jsm);
        recheck = false;
      }
      return c;
    },
    failed() {
      recheck = true;
    },
    async close() {
      const pending = connecting;
      connecting = undefined;
      // Not drain(): with the server down it would wait for it. Every publish and ack has been
      // awaited by now, so nothing is left to flush.
      if (pending !== undefined) await pending.then((c) => c.nc.close()).catch(() => undefined);
    },
  };
}
