import type { OutboxConsumer } from '../events/index.ts';

/**
 * The outbox consumer that queues one delivery per event and subscribed endpoint of the event's
 * merchant, in the relay's transaction. `on conflict do nothing` makes a replayed batch harmless.
 */
export const webhookFanOut: OutboxConsumer = {
  name: 'webhooks',
  async handle(client, events) {
    const seqs = events.filter((e) => e.merchant_id !== null).map((e) => e.seq);
    if (seqs.length === 0) return;
    await client.query(
      `insert into webhook_deliveries (id, endpoint_id, event_id, ordering_key, event_seq, status, next_attempt_at, created_at)
       select gen_random_uuid(), w.id, e.id, e.object_id, e.seq, 'pending', now(), now()
         from events e
         join webhook_endpoints w
           on w.merchant_id = e.merchant_id and w.deleted_at is null and w.status = 'enabled'
          and (e.type = any(w.event_types) or '*' = any(w.event_types))
        where e.seq = any($1::bigint[])
       on conflict (endpoint_id, event_id) do nothing`,
      [seqs],
    );
  },
};
