import { tryAdvisoryXactLock, type Db } from '../../platform/db.ts';
import { eventColumns } from './event-store.ts';
import type { RelayedEvent } from './event-store.ts';
import { recordOffset, type OutboxConsumer } from './outbox-relay.ts';

type SweptEvent = RelayedEvent & { readonly consumed: boolean; readonly overdue: boolean };

/**
 * The safety net under a JetStream consumer. With NATS the consumer's outbox offset is not
 * "the last event it saw" but a watermark: every event at or before it has been handled. Each
 * pass walks the outbox in commit order from the watermark (below `kassa_commit_horizon()`, as the
 * relay does): events the consumer already handled (`consumed_events`) move the watermark on;
 * an event it has not handled `afterSeconds` after its transaction began is handled now, from
 * the outbox row, as its message would have been; the walk stops at the first event that is
 * neither (its message is probably on its way). So an event whose message never came (acked by
 * someone else, lost with a server's store, dropped as a duplicate of a forged copy) reaches the
 * consumer within about `afterSeconds`, and a NATS outage longer than that stops delaying it.
 * It takes the consumer's JetStream lock: never at the same time as a batch from the stream.
 * Returns how far the watermark moved and how many events it handled itself.
 */
export async function catchUpOnce(
  db: Db,
  consumer: OutboxConsumer,
  options: { readonly lockKey: string; readonly afterSeconds: number; readonly batchSize: number },
): Promise<{ readonly passed: number; readonly handled: number }> {
  return db.transaction(async (client) => {
    if (!(await tryAdvisoryXactLock(client, options.lockKey))) return { passed: 0, handled: 0 };
    const offset = await client.query<{ tx_id: string; seq: string }>(
      'select tx_id::text, seq::text from outbox_offsets where consumer = $1',
      [consumer.name],
    );
    const from = offset.rows[0] ?? { tx_id: '0', seq: '0' };
    const rows = await client.query<SweptEvent>(
      // Qualified: a bare `order by tx_id` would sort the text output column ('99' > '100').
      `select ${eventColumns}, user_ids::text[] as user_ids, tx_id::text,
              exists (select 1 from consumed_events c
                       where c.consumer = $1 and c.event_id = e.id) as consumed,
              created_at < now() - make_interval(secs => $4) as overdue
         from events e
        where (tx_id, seq) > ($2::xid8, $3::bigint) and tx_id < (select kassa_commit_horizon())
        order by e.tx_id, e.seq limit $5`,
      [consumer.name, from.tx_id, from.seq, options.afterSeconds, options.batchSize],
    );
    const stop = rows.rows.findIndex((row) => !row.consumed && !row.overdue);
    const passed = stop === -1 ? rows.rows : rows.rows.slice(0, stop);
    const last = passed.at(-1);
    if (last === undefined) return { passed: 0, handled: 0 };
    const missed = passed.filter((row) => !row.consumed);
    let handled = 0;
    if (missed.length > 0) {
      const fresh = await client.query<{ event_id: string }>(
        `insert into consumed_events (consumer, event_id) select $1, unnest($2::uuid[])
         on conflict do nothing returning event_id`,
        [consumer.name, missed.map((row) => row.id)],
      );
      const ids = new Set(fresh.rows.map((row) => row.event_id));
      const events: RelayedEvent[] = missed
        .filter((row) => ids.has(row.id))
        .map(({ consumed: _c, overdue: _o, ...event }) => event);
      if (events.length > 0) await consumer.handle(client, events);
      handled = events.length;
    }
    await recordOffset(client, consumer.name, last);
    return { passed: passed.length, handled };
  });
}
