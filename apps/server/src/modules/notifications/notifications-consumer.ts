import { newUuid } from '../../kernel/ids.ts';
import { formatMoney, isCurrency } from '../../kernel/money.ts';
import { unnestParams } from '../../platform/db.ts';
import type { OutboxConsumer } from '../events/index.ts';
import { notificationsFor } from './domain/notification-rules.ts';

/** The channel API processes LISTEN on to wake their notification streams. */
export const notificationChannel = 'kassa_notifications';

/**
 * The outbox consumer that turns events into alerts, in the relay's transaction (one per event,
 * recipient and kind: a replayed batch adds nothing), and wakes streams with NOTIFY (delivered
 * at commit).
 */
export function notificationsConsumer(options: { largePaymentMinor: number }): OutboxConsumer {
  const format = (amount: number, currency: string) =>
    isCurrency(currency)
      ? formatMoney({ amountMinor: BigInt(amount), currency })
      : `${amount} ${currency}`;
  return {
    name: 'notifications',
    async handle(client, events) {
      const rows: unknown[][] = [];
      for (const event of events) {
        const drafts = notificationsFor(
          {
            type: event.type,
            object: event.data.object as Record<string, unknown>,
            userIds: event.user_ids,
            merchantId: event.merchant_id,
          },
          { largePaymentMinor: options.largePaymentMinor, format },
        );
        for (const d of drafts)
          rows.push([
            newUuid(),
            'userId' in d.recipient ? d.recipient.userId : null,
            'merchantId' in d.recipient ? d.recipient.merchantId : null,
            d.type,
            d.title,
            d.body,
            event.object_id,
            event.id,
          ]);
      }
      if (rows.length === 0) return;
      const inserted = await client.query<{ user_id: string | null; merchant_id: string | null }>(
        `insert into notifications (id, user_id, merchant_id, type, title, body, object_id, event_id)
         select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[])
         on conflict do nothing returning user_id, merchant_id`,
        unnestParams(rows),
      );
      const recipients = new Set(inserted.rows.map((r) => r.user_id ?? `m:${r.merchant_id ?? ''}`));
      for (const recipient of recipients)
        await client.query('select pg_notify($1, $2)', [notificationChannel, recipient]);
    },
  };
}
