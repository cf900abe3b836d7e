import type { Currency } from '../../kernel/money.ts';
import type { DbClient, Queryable } from '../../platform/db.ts';
import { velocityWindowMinutes } from './domain/step-up-rules.ts';

/**
 * Money moved without a second factor, per user and currency: hourly buckets for the rolling
 * 24-hour sum (25 buckets are read, so the window errs on the safe side by up to an hour) and
 * minute buckets for the 10-minute count. Reads and writes run under the caller's per-user
 * lock (see step-up-policy.ts), so a total read is never stale for the decision made on it.
 */
export interface SpendTotals {
  readonly dayMinor: bigint;
  readonly recentPayments: number;
}

function buckets(at: Date): { hour: string; minute: string } {
  const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  const hour = new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
  return { hour: hour.toISOString(), minute: minute.toISOString() };
}

/** What the user moved without a second factor in the last 24 hours and 10 minutes. */
export async function spendTotals(
  q: Queryable,
  userId: string,
  currency: Currency,
  now: Date,
): Promise<SpendTotals> {
  const rows = await q.query<{ day: string; recent: number }>(
    `select coalesce(sum(amount) filter (where granularity = 'hour'), 0)::text as day,
            coalesce(sum(payments) filter (where granularity = 'minute' and bucket_start > $4), 0)::int as recent
       from spend_windows
      where user_id = $1 and currency = $2 and bucket_start > $3`,
    [
      userId,
      currency,
      new Date(now.getTime() - 25 * 3_600_000).toISOString(),
      new Date(now.getTime() - velocityWindowMinutes * 60_000).toISOString(),
    ],
  );
  const totals = rows.rows[0];
  return { dayMinor: BigInt(totals?.day ?? '0'), recentPayments: totals?.recent ?? 0 };
}

/** Counts a payment that moves money without a second factor. */
export async function countSpend(
  client: DbClient,
  userId: string,
  currency: Currency,
  amountMinor: bigint,
  at: Date,
): Promise<void> {
  const { hour, minute } = buckets(at);
  await client.query(
    `insert into spend_windows as w (user_id, currency, granularity, bucket_start, amount, payments)
     values ($1, $2, 'hour', $3, $5, 1), ($1, $2, 'minute', $4, $5, 1)
     on conflict (user_id, currency, granularity, bucket_start) do update
       set amount = w.amount + excluded.amount, payments = w.payments + 1`,
    [userId, currency, hour, minute, amountMinor.toString()],
  );
}

/** Takes a counted payment back out (it was declined: no money moved). */
export async function uncountSpend(
  q: Queryable,
  userId: string,
  currency: Currency,
  amountMinor: bigint,
  countedAt: Date,
): Promise<void> {
  const { hour, minute } = buckets(countedAt);
  await q.query(
    `update spend_windows set amount = greatest(amount - $5, 0), payments = greatest(payments - 1, 0)
      where user_id = $1 and currency = $2
        and ((granularity = 'hour' and bucket_start = $3) or (granularity = 'minute' and bucket_start = $4))`,
    [userId, currency, hour, minute, amountMinor.toString()],
  );
}

/** Forgets buckets no window reads any more; returns how many. */
export async function reapSpendWindows(q: Queryable, now: Date): Promise<number> {
  const result = await q.query('delete from spend_windows where bucket_start < $1', [
    new Date(now.getTime() - 26 * 3_600_000).toISOString(),
  ]);
  return result.rowCount ?? 0;
}
