import { AckPolicy, DeliverPolicy, nanos, RetentionPolicy, StorageType, type JsMsg } from 'nats';
import { encodeId } from '../../kernel/ids.ts';
import { tryAdvisoryXactLock, type Db } from '../../platform/db.ts';
import type { Logger } from '../../platform/log.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { NatsIdentity } from '../../platform/nats.ts';
import type { EventFeed } from './event-feed.ts';
import { roleConnection, type Connected } from './jetstream-connection.ts';
import { storedEvents } from './event-store.ts';
import {
  encodeEvent,
  messageEventId,
  messageProblem,
  type ParkReason,
} from './jetstream-message.ts';
import { durableName, inboxPrefixes, type NatsRole } from './nats-server-config.ts';
import { catchUpOnce } from './outbox-catch-up.ts';
import { byPosition, relayOnce, type OutboxConsumer } from './outbox-relay.ts';

/** The outbox "consumer" that publishes to JetStream; its offset is the publishing backlog. */
export const publisherName = 'jetstream';
/** Messages a consumer takes per transaction. */
const batchSize = 500;
/** How long the stream keeps messages (and `consumed_events` its rows, with a margin). */
const streamRetentionMs = 7 * 86_400_000;
/** A message taken by a worker that died before acking it is redelivered after this. */
const ackWaitMs = 30_000;
/** Parked messages logged one by one per batch; the rest are counted in one line. */
const parkedLogLinesMax = 20;

const msgIdOf = (message: JsMsg) => message.headers?.get('Nats-Msg-Id') || undefined;

/**
 * Events through NATS JetStream (ARCHITECTURE §3, §8). The outbox stays the source of truth: a
 * publisher relays it, in commit order, into the stream with the event id as the message id
 * (JetStream drops a republished duplicate within its window), and advances its outbox offset
 * only once every message of a batch is acknowledged by the server. While NATS is down nothing
 * advances and payments are not touched; when it returns the publisher catches up from the
 * offset. Each consumer reads its own durable JetStream consumer, one worker at a time (an
 * advisory lock keeps stream order), and records every event id in `consumed_events` in the
 * transaction of its effects, acking only after commit: a redelivery or a duplicate past the
 * window is recognised and skipped, so each event is handled once.
 *
 * Nothing in a message is trusted but its id (`Nats-Msg-Id`, an `evt_` id): the consumer handles
 * the outbox row it names. A message naming no row (forged), or whose subject or body differs
 * from the row, or that cannot be read at all, is parked on its own: counted, logged, terminated
 * so it is not redelivered; the rest of its batch goes on. The publisher and the consumers
 * connect as two users whose permissions (nats-server-config.ts) allow nothing more than their
 * role, and each consumer catches up from the outbox on an event no message brought it within
 * `catchUpAfterSeconds` (outbox-catch-up.ts).
 */
export function jetstreamFeed(deps: {
  readonly db: Db;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'jetstreamMessagesParked' | 'outboxEventsCaughtUp'>;
  readonly url: string;
  readonly stream: string;
  readonly consumers: readonly OutboxConsumer[];
  /** The two identities; absent: an open server (local development), with a warning. */
  readonly credentials:
    Readonly<Record<NatsRole, { readonly user: string; readonly password: string }>> | undefined;
  readonly catchUpAfterSeconds: number;
  /** How long a publish waits for the server's acknowledgement. */
  readonly publishTimeoutMs?: number;
}): EventFeed {
  const publishTimeoutMs = deps.publishTimeoutMs ?? 2_000;
  if (deps.credentials === undefined)
    deps.logger.warn(
      { nats: deps.url },
      'NATS is unauthenticated: anyone who reaches it can read, forge and acknowledge events; set NATS_PUBLISHER_USER/NATS_PUBLISHER_PASSWORD and NATS_CONSUMER_USER/NATS_CONSUMER_PASSWORD (deploy/nats)',
    );
  const identity = (role: NatsRole): NatsIdentity => ({
    role,
    inboxPrefix: inboxPrefixes[role],
    ...(deps.credentials === undefined
      ? {}
      : { user: deps.credentials[role].user, password: deps.credentials[role].password }),
  });
  const lockKey = (consumer: OutboxConsumer) => `jetstream:${deps.stream}:${consumer.name}`;

  const publishing = roleConnection({
    url: deps.url,
    logger: deps.logger,
    identity: identity('publisher'),
    timeoutMs: publishTimeoutMs,
    async setUp(jsm) {
      const config = {
        subjects: [`${deps.stream}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        max_age: nanos(streamRetentionMs),
        duplicate_window: nanos(120_000),
        num_replicas: 1,
      };
      const exists = await jsm.streams.info(deps.stream).then(
        () => true,
        () => false,
      );
      if (exists) await jsm.streams.update(deps.stream, config);
      else await jsm.streams.add({ name: deps.stream, ...config });
      // A first start publishes from where the slowest consumer had read the outbox directly.
      await deps.db.query(
        `insert into outbox_offsets (consumer, tx_id, seq, updated_at)
         select $1, tx_id, seq, now() from outbox_offsets where consumer = any($2::text[])
          order by tx_id, seq limit 1
         on conflict (consumer) do nothing`,
        [publisherName, deps.consumers.map((c) => c.name)],
      );
    },
  });

  const consuming = roleConnection({
    url: deps.url,
    logger: deps.logger,
    identity: identity('consumer'),
    timeoutMs: publishTimeoutMs,
    async setUp(jsm) {
      for (const consumer of deps.consumers) {
        await jsm.consumers.add(deps.stream, {
          durable_name: durableName(consumer.name),
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(ackWaitMs),
          max_ack_pending: 10_000,
        });
      }
    },
  });

  const publisher: OutboxConsumer = {
    name: publisherName,
    async handle(_client, events) {
      const { js } = await publishing.get();
      await Promise.all(
        events.map((event) =>
          js.publish(`${deps.stream}.${event.type}`, encodeEvent(event), {
            msgID: encodeId('evt', event.id),
            timeout: publishTimeoutMs,
          }),
        ),
      );
    },
  };

  interface Parked {
    readonly message: JsMsg;
    readonly reason: ParkReason;
  }

  function reportParked(consumer: string, parked: readonly Parked[]): void {
    for (const [i, { message, reason }] of parked.entries()) {
      deps.metrics.jetstreamMessagesParked.inc({ consumer, reason });
      if (i < parkedLogLinesMax)
        deps.logger.warn(
          {
            consumer,
            reason,
            subject: message.subject.slice(0, 200),
            msgId: msgIdOf(message)?.slice(0, 80),
            streamSeq: message.seq,
          },
          'JetStream message parked: not handled as it came',
        );
    }
    if (parked.length > parkedLogLinesMax)
      deps.logger.warn(
        { consumer, messages: parked.length - parkedLogLinesMax },
        'more JetStream messages parked in the same batch',
      );
  }

  /** One batch for one consumer; returns the messages taken (0: nothing there or another worker has it). */
  async function consumeOnce({ nc, js }: Connected, consumer: OutboxConsumer): Promise<number> {
    const taken: JsMsg[] = [];
    const parked: Parked[] = [];
    const count = await deps.db.transaction(async (client) => {
      if (!(await tryAdvisoryXactLock(client, lockKey(consumer)))) return 0;
      const source = await js.consumers.get(deps.stream, durableName(consumer.name));
      const info = await source.info();
      const waiting = Math.min(batchSize, info.num_pending + info.num_ack_pending);
      if (waiting === 0) return 0;
      const messages = await source.fetch({ max_messages: waiting, expires: 1_000 });
      for await (const message of messages) taken.push(message);
      if (taken.length === 0) return 0;
      const ids = taken.map((m) => messageEventId(msgIdOf(m)));
      const stored = await storedEvents(
        client,
        ids.filter((id) => id !== null),
      );
      for (const [i, message] of taken.entries()) {
        const id = ids[i];
        const event = id === null || id === undefined ? undefined : stored.get(id);
        const reason = messageProblem(
          deps.stream,
          { subject: message.subject, msgId: msgIdOf(message), data: message.data },
          event,
        );
        if (reason !== null) parked.push({ message, reason });
      }
      // Every event a message named is handled once, as stored, whatever the message said.
      const fresh = await client.query<{ event_id: string }>(
        `insert into consumed_events (consumer, event_id) select $1, unnest($2::uuid[])
         on conflict do nothing returning event_id`,
        [consumer.name, [...stored.keys()]],
      );
      const todo = fresh.rows.map((row) => stored.get(row.event_id)).filter((e) => e !== undefined);
      if (todo.length > 0) await consumer.handle(client, todo.sort(byPosition));
      return taken.length;
    });
    // After commit: a lost ack means a redelivery, which consumed_events turns into a no-op.
    const refused = new Set(parked.map((p) => p.message));
    for (const message of refused) message.term();
    await Promise.all(
      taken.filter((m) => !refused.has(m)).map((m) => m.ackAck().catch(() => false)),
    );
    if (refused.size > 0) await nc.flush().catch(() => undefined);
    reportParked(consumer.name, parked);
    return count;
  }

  /** When each consumer last logged a catch-up: during a long outage, once a minute is enough. */
  const caughtUpLoggedAtMs = new Map<string, number>();

  /** Events no message brought in time, read from the outbox; moves each watermark on. */
  async function catchUp(): Promise<number> {
    let handled = 0;
    for (const consumer of deps.consumers) {
      for (let passed = -1; passed !== 0;) {
        const pass = await catchUpOnce(deps.db, consumer, {
          lockKey: lockKey(consumer),
          afterSeconds: deps.catchUpAfterSeconds,
          batchSize,
        });
        passed = pass.passed;
        if (pass.handled === 0) continue;
        handled += pass.handled;
        deps.metrics.outboxEventsCaughtUp.inc({ consumer: consumer.name }, pass.handled);
        const nowMs = performance.now();
        if (nowMs - (caughtUpLoggedAtMs.get(consumer.name) ?? -Infinity) < 60_000) continue;
        caughtUpLoggedAtMs.set(consumer.name, nowMs);
        deps.logger.warn(
          { consumer: consumer.name, events: pass.handled, afterSeconds: deps.catchUpAfterSeconds },
          'events read from the outbox: no JetStream message brought them in time',
        );
      }
    }
    return handled;
  }

  return {
    async pump() {
      let handled = 0;
      let failure: { readonly error: unknown } | undefined;
      try {
        await publishing.get(); // the stream, before the consumers are set up on it
        for (let relayed = -1; relayed !== 0;) relayed = await relayOnce(deps.db, publisher);
        const connection = await consuming.get();
        for (const consumer of deps.consumers) {
          for (let taken = -1; taken !== 0;) {
            taken = await consumeOnce(connection, consumer);
            handled += taken;
          }
        }
      } catch (error) {
        publishing.failed();
        consuming.failed();
        failure = { error };
      }
      // From the outbox, NATS or not: an outage longer than the catch-up time stops delaying.
      handled += await catchUp();
      if (failure !== undefined) throw failure.error;
      return handled;
    },
    async reap(now) {
      // A day past the stream's retention: no message older than that can come back. A row
      // still ahead of its consumer's watermark stays: the catch-up needs it.
      const cutoff = new Date(now.getTime() - streamRetentionMs - 86_400_000);
      const deleted = await deps.db.pool.query(
        `delete from consumed_events c
          where c.handled_at < $1
            and not exists (select 1 from events e join outbox_offsets o on o.consumer = c.consumer
                             where e.id = c.event_id and (e.tx_id, e.seq) > (o.tx_id, o.seq))`,
        [cutoff],
      );
      return deleted.rowCount ?? 0;
    },
    async close() {
      await Promise.all([publishing.close(), consuming.close()]);
    },
  };
}
