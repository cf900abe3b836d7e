import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import { encodeId } from '../../kernel/ids.ts';
import { tryAdvisoryXactLock, type Db } from '../../platform/db.ts';
import type { Logger } from '../../platform/log.ts';
import { connectNats } from '../../platform/nats.ts';
import type { EventFeed } from './event-feed.ts';
import { recordOffset, relayOnce, type OutboxConsumer, type RelayedEvent } from './outbox-relay.ts';

/** The outbox "consumer" that publishes to JetStream; its offset is the publishing backlog. */
export const publisherName = 'jetstream';
/** Messages a consumer takes per transaction. */
const batchSize = 500;
/** How long the stream keeps messages (and `consumed_events` its rows, with a margin). */
const streamRetentionMs = 7 * 86_400_000;
/** A message taken by a worker that died before acking it is redelivered after this. */
const ackWaitMs = 30_000;

interface Connected {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

const durableName = (consumer: string) => `kassa_${consumer}`;

function encodeEvent(event: RelayedEvent): Uint8Array {
  // Positions come from PostgreSQL as bigints; they travel as decimal strings.
  return new TextEncoder().encode(
    JSON.stringify(event, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    ),
  );
}

function decodeEvent(data: Uint8Array): RelayedEvent {
  const raw = JSON.parse(new TextDecoder().decode(data)) as RelayedEvent & { created_at: string };
  return { ...raw, created_at: new Date(raw.created_at) };
}

/** Commit order: `(tx_id, seq)`, compared as numbers. */
function byPosition(a: RelayedEvent, b: RelayedEvent): number {
  const [ta, tb] = [BigInt(a.tx_id), BigInt(b.tx_id)];
  if (ta !== tb) return ta < tb ? -1 : 1;
  const [sa, sb] = [BigInt(a.seq), BigInt(b.seq)];
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

/**
 * Events through NATS JetStream (ARCHITECTURE §5). The outbox stays the source of truth: a
 * publisher relays it, in commit order, into the stream with the event id as the message id
 * (JetStream drops a republished duplicate within its window), and advances its outbox offset
 * only once every message of a batch is acknowledged by the server. While NATS is down nothing
 * advances and payments are not touched; when it returns the publisher catches up from the
 * offset. Each consumer reads its own durable JetStream consumer, one worker at a time (an
 * advisory lock keeps stream order), and records every event id in `consumed_events` in the
 * transaction of its effects, acking only after commit: a redelivery or a duplicate past the
 * window is recognised and skipped, so each event is handled once.
 */
export function jetstreamFeed(deps: {
  readonly db: Db;
  readonly logger: Logger;
  readonly url: string;
  readonly stream: string;
  readonly consumers: readonly OutboxConsumer[];
  /** How long a publish waits for the server's acknowledgement. */
  readonly publishTimeoutMs?: number;
}): EventFeed {
  const publishTimeoutMs = deps.publishTimeoutMs ?? 2_000;
  let connecting: Promise<Connected> | undefined;
  /** Set when a pass failed: the stream may be gone (a server that lost its store), so set up again. */
  let recheck = false;

  async function setUp(jsm: JetStreamManager): Promise<void> {
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
    for (const consumer of deps.consumers) {
      await jsm.consumers.add(deps.stream, {
        durable_name: durableName(consumer.name),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(ackWaitMs),
        max_ack_pending: 10_000,
      });
    }
    // A first start publishes from where the slowest consumer had read the outbox directly.
    await deps.db.query(
      `insert into outbox_offsets (consumer, tx_id, seq, updated_at)
       select $1, tx_id, seq, now() from outbox_offsets where consumer = any($2::text[])
        order by tx_id, seq limit 1
       on conflict (consumer) do nothing`,
      [publisherName, deps.consumers.map((c) => c.name)],
    );
  }

  async function connected(): Promise<Connected> {
    connecting ??= (async () => {
      const nc = await connectNats(deps.url, deps.logger);
      try {
        const jsm = await nc.jetstreamManager({ timeout: publishTimeoutMs });
        await setUp(jsm);
        return { nc, js: nc.jetstream({ timeout: publishTimeoutMs }), jsm };
      } catch (error) {
        await nc.close();
        throw error;
      }
    })();
    const pending = connecting;
    try {
      const c = await pending;
      if (recheck) {
        await setUp(c.jsm);
        recheck = false;
      }
      return c;
    } catch (error) {
      if (connecting === pending) connecting = undefined;
      throw error;
    }
  }

  const publisher: OutboxConsumer = {
    name: publisherName,
    async handle(_client, events) {
      const { js } = await connected();
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

  /** One batch for one consumer; returns the messages taken (0: nothing there or another worker has it). */
  async function consumeOnce(js: JetStreamClient, consumer: OutboxConsumer): Promise<number> {
    const taken: JsMsg[] = [];
    const count = await deps.db.transaction(async (client) => {
      if (!(await tryAdvisoryXactLock(client, `jetstream:${deps.stream}:${consumer.name}`)))
        return 0;
      const source = await js.consumers.get(deps.stream, durableName(consumer.name));
      const info = await source.info();
      const waiting = Math.min(batchSize, info.num_pending + info.num_ack_pending);
      if (waiting === 0) return 0;
      const messages = await source.fetch({ max_messages: waiting, expires: 1_000 });
      for await (const message of messages) taken.push(message);
      if (taken.length === 0) return 0;
      const events = new Map(taken.map((m) => decodeEvent(m.data)).map((e) => [e.id, e]));
      const fresh = await client.query<{ event_id: string }>(
        `insert into consumed_events (consumer, event_id) select $1, unnest($2::uuid[])
         on conflict do nothing returning event_id`,
        [consumer.name, [...events.keys()]],
      );
      const todo = fresh.rows.map((row) => events.get(row.event_id)).filter((e) => e !== undefined);
      const last = todo.sort(byPosition).at(-1);
      if (last !== undefined) {
        await consumer.handle(client, todo);
        await recordOffset(client, consumer.name, last);
      }
      return taken.length;
    });
    // After commit: a lost ack means a redelivery, which consumed_events turns into a no-op.
    await Promise.all(taken.map((m) => m.ackAck().catch(() => false)));
    return count;
  }

  return {
    async pump() {
      try {
        for (let relayed = -1; relayed !== 0;) relayed = await relayOnce(deps.db, publisher);
        const { js } = await connected();
        let handled = 0;
        for (const consumer of deps.consumers) {
          for (let taken = -1; taken !== 0;) {
            taken = await consumeOnce(js, consumer);
            handled += taken;
          }
        }
        return handled;
      } catch (error) {
        recheck = true;
        throw error;
      }
    },
    async reap(now) {
      // A day past the stream's retention: no message older than that can come back.
      const cutoff = new Date(now.getTime() - streamRetentionMs - 86_400_000);
      const deleted = await deps.db.pool.query(
        'delete from consumed_events where handled_at < $1',
        [cutoff],
      );
      return deleted.rowCount ?? 0;
    },
    async close() {
      const pending = connecting;
      connecting = undefined;
      if (pending !== undefined) await pending.then((c) => c.nc.drain()).catch(() => undefined);
    },
  };
}
