import type { Currency } from '../../kernel/money.ts';
import type { Queryable } from '../../platform/db.ts';

/**
 * Money moved without a second factor, per user and currency: hourly buckets for the rolling
 * 24-hour sum (25 buckets are read, so the window errs on the safe side by up to an hour) and
 * minute buckets for the 10-minute count, in UTC. They are read and counted under a per-user
 * lock by `kassa_step_up_decide` (migration 0017), so a total read is never stale for the
 * decision made on it; here a declined payment is taken back out, and old buckets go.
 *
 * `uncountSpend` takes a counted payment back out (it was declined: no money moved).
 */
export async function uncountSpend(
  q: Queryable,
  userId: string,
  currency: Currency,
  amountMinor: bigint,
  countedAt: Date,
): Promise<void> {
  // The buckets `kassa_step_up_decide` counted the payment in: the same date_trunc in UTC.
  await q.query(
    `update spend_windows set amount = greatest(amount - $4, 0), payments = greatest(payments - 1, 0)
      where user_id = $1 and currency = $2
        and ((granularity = 'hour' and bucket_start = date_trunc('hour', $3::timestamptz, 'UTC'))
          or (granularity = 'minute' and bucket_start = date_trunc('minute', $3::timestamptz, 'UTC')))`,
    [userId, currency, countedAt, amountMinor.toString()],
  );
}

/** Forgets buckets no window reads any more; returns how many. */
export async function reapSpendWindows(q: Queryable, now: Date): Promise<number> {
  const result = await q.query('delete from spend_windows where bucket_start < $1', [
    new Date(now.getTime() - 26 * 3_600_000).toISOString(),
  ]);
  return result.rowCount ?? 0;
}
