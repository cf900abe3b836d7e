import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../platform/db.ts';
import { appendEvents } from '../journal/index.ts';

/**
 * Cancels transfers and payments that waited for a second factor longer than `ttlSeconds`
 * (nothing had moved: they are `canceled` with reason `expired`). Rows are locked, so a
 * confirmation running at the same moment either finishes first or finds the payment canceled.
 * Returns how many expired.
 */
export async function expireStepUps(
  deps: { db: Db; clock: Clock },
  ttlSeconds: number,
  limit = 500,
): Promise<number> {
  const now = deps.clock.now();
  return deps.db.transaction(async (client) => {
    const expired = await client.query<{ id: string; kind: 'transfer' | 'payment' }>(
      `update payments set status = 'canceled', cancellation_reason = 'expired', updated_at = $1
        where id in (select id from payments where status = 'requires_action' and created_at < $2
                      order by created_at limit $3 for update skip locked)
        returning id, kind`,
      [now.toISOString(), new Date(now.getTime() - ttlSeconds * 1000).toISOString(), limit],
    );
    await appendEvents(
      client,
      expired.rows.map((row) => ({
        type:
          row.kind === 'transfer' ? ('transfer.created' as const) : ('payment.canceled' as const),
        streamId: row.id,
        data: { id: row.id, status: 'canceled', cancellation_reason: 'expired' },
      })),
    );
    return expired.rows.length;
  });
}
