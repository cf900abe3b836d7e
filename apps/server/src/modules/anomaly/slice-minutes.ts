import { encodeId, uuidV7Floor } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import {
  addMinutes,
  emptyMinute,
  isProcessorKind,
  processorSlice,
  sliceName,
  type SliceMinute,
} from './domain/anomaly-signals.ts';

/** Minutes since the epoch, `from` included, `until` not. */
export interface MinuteRange {
  readonly from: number;
  readonly until: number;
}

/** Counts by slice, then by minute. */
export type SliceMinutes = Map<string, Map<number, SliceMinute>>;

/**
 * Ids are UUIDv7 with the creation time in their first 48 bits, so each range is a scan of the
 * primary key; `created_at` then puts every row in its minute. The margin keeps a row whose id
 * and timestamp straddle a range edge (the same clock read twice) in its minute.
 */
const idMarginMs = 5_000;

/**
 * Payments per slice and minute over `ranges`, in one statement: attempts, and what became of
 * them. Declined: refused for a business reason (`failed`, risk blocks apart). Unknown: a top-up
 * or payout the processor left unanswered at least once (`outcome_unknown` now, or an attempt
 * that learned nothing recorded on its flow, since the worker resolves most within a minute).
 * Blocked: `risk_blocked`. Pending: not finished yet (a second factor, a review, the processor).
 * Top-ups and payouts count in the `processor` slice too.
 */
export async function readSliceMinutes(
  q: Queryable,
  ranges: readonly MinuteRange[],
): Promise<SliceMinutes> {
  const out: SliceMinutes = new Map();
  if (ranges.length === 0) return out;
  const { rows } = await q.query<{
    kind: string;
    merchant_id: string | null;
    currency: string;
    minute: bigint;
    attempts: number;
    succeeded: number;
    declined: number;
    unknown: number;
    blocked: number;
    pending: number;
  }>(
    `select p.kind, p.merchant_id, p.currency,
            floor(extract(epoch from p.created_at) / 60)::bigint as minute,
            count(*)::int as attempts,
            count(*) filter (where p.status in ('succeeded', 'requires_capture'))::int as succeeded,
            count(*) filter (
              where p.status = 'failed' and p.failure_code is distinct from 'risk_blocked')::int
              as declined,
            count(*) filter (
              where p.status = 'outcome_unknown'
                 or (f.last_error is not null and f.recovery_point <> 'refunding'))::int as unknown,
            count(*) filter (where p.failure_code = 'risk_blocked')::int as blocked,
            count(*) filter (
              where p.status in ('requires_action', 'processing', 'under_review'))::int
              as pending
       from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[])
              as r (id_from, id_until, at_from, at_until)
       join payments p on p.id >= r.id_from and p.id < r.id_until
                      and p.created_at >= r.at_from and p.created_at < r.at_until
       left join processor_flows f on f.payment_id = p.id
      group by 1, 2, 3, 4`,
    [
      ranges.map((r) => uuidV7Floor(r.from * 60_000 - idMarginMs)),
      ranges.map((r) => uuidV7Floor(r.until * 60_000 + idMarginMs)),
      ranges.map((r) => new Date(r.from * 60_000)),
      ranges.map((r) => new Date(r.until * 60_000)),
    ],
  );
  const add = (slice: string, minute: number, counts: SliceMinute) => {
    const minutes = out.get(slice) ?? new Map<number, SliceMinute>();
    out.set(slice, minutes);
    minutes.set(minute, addMinutes(minutes.get(minute) ?? emptyMinute, counts));
  };
  for (const row of rows) {
    const merchant = row.merchant_id === null ? null : encodeId('mer', row.merchant_id);
    const minute = Number(row.minute);
    add(sliceName(row.kind, merchant, row.currency), minute, row);
    if (isProcessorKind(row.kind)) add(processorSlice, minute, row);
  }
  return out;
}
