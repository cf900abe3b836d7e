import { tryAdvisoryXactLock, type Db, type DbClient, type Queryable } from '../../platform/db.ts';
import { eventColumns, type RelayedEvent } from './event-store.ts';

/** Something done with every event, once: webhook fan-out, notifications, cache invalidation. */
export interface OutboxConsumer {
  readonly name: string;
  /** Runs in the transaction that advances the consumer's offset: its writes and the offset commit together. */
  handle(client: DbClient, events: readonly RelayedEvent[]): Promise<void>;
}

/**
 * Feeds the next batch of events to a consumer, in commit order, exactly once. Events are read
 * in `(tx_id, seq)` order and only below `kassa_commit_horizon()` (migration 0016): every Kassa
 * transaction with a smaller id has finished (other transactions never write events, and a long
 * one elsewhere holds nothing back), so an event committed late by a long transaction can never be skipped
 * (a plain `seq > offset` read would skip it). Any number of workers may call this: an advisory
 * lock lets one of them advance a given consumer at a time; the others return 0.
 */
export async function relayOnce(
  db: Db,
  consumer: OutboxConsumer,
  batchSize = 500,
): Promise<number> {
  return db.transaction(async (client) => {
    if (!(await tryAdvisoryXactLock(client, `outbox:${consumer.name}`))) return 0;
    const offset = await client.query<{ tx_id: string; seq: string }>(
      'select tx_id::text, seq::text from outbox_offsets where consumer = $1',
      [consumer.name],
    );
    const from = offset.rows[0] ?? { tx_id: '0', seq: '0' };
    const events = await client.query<RelayedEvent>(
      // Qualified: a bare `order by tx_id` would sort the text output column ('99' > '100').
      `select ${eventColumns}, user_ids::text[] as user_ids, tx_id::text from events
        where (tx_id, seq) > ($1::xid8, $2::bigint) and tx_id < (select kassa_commit_horizon())
        order by events.tx_id, events.seq limit $3`,
      [from.tx_id, from.seq, batchSize],
    );
    const last = events.rows.at(-1);
    if (last === undefined) return 0;
    await consumer.handle(client, events.rows);
    await recordOffset(client, consumer.name, last);
    return events.rows.length;
  });
}

/**
 * Moves a consumer's offset forward to `position` (never back: a JetStream redelivery may hand
 * over an event older than ones already handled). The lag gauge reads these offsets.
 */
export async function recordOffset(
  client: DbClient,
  consumer: string,
  position: { readonly tx_id: string; readonly seq: string },
): Promise<void> {
  await client.query(
    `insert into outbox_offsets (consumer, tx_id, seq, updated_at) values ($1, $2::xid8, $3, now())
     on conflict (consumer) do update set tx_id = excluded.tx_id, seq = excluded.seq, updated_at = now()
      where (excluded.tx_id, excluded.seq) > (outbox_offsets.tx_id, outbox_offsets.seq)`,
    [consumer, position.tx_id, position.seq],
  );
}

/** Events committed but not yet handled, per consumer (for `/metrics`). */
export async function outboxLag(
  q: Queryable,
  consumers: readonly string[],
): Promise<Map<string, number>> {
  const rows = await q.query<{ consumer: string; lag: string }>(
    `select c.consumer, (select count(*) from events e
                          where (e.tx_id, e.seq) > (coalesce(o.tx_id, '0'::xid8), coalesce(o.seq, 0)))::text as lag
       from unnest($1::text[]) as c(consumer) left join outbox_offsets o using (consumer)`,
    [consumers],
  );
  return new Map(rows.rows.map((row) => [row.consumer, Number(row.lag)]));
}

/** Commit order: `(tx_id, seq)`, compared as numbers. */
export function byPosition(a: RelayedEvent, b: RelayedEvent): number {
  const [ta, tb] = [BigInt(a.tx_id), BigInt(b.tx_id)];
  if (ta !== tb) return ta < tb ? -1 : 1;
  const [sa, sb] = [BigInt(a.seq), BigInt(b.seq)];
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}
