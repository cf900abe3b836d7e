import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../platform/db.ts';
import type { Ledger } from '../ledger/index.ts';
import { listUnderReview } from './payment-record.ts';
import { expireReviewCommand } from './review-command.ts';

/**
 * Releases payments held for review past their deadline (`RISK_REVIEW_TTL_SECONDS`): the hold
 * is voided and the payment canceled with reason `review_expired`. Safe from many workers: each
 * payment row is locked and re-checked. Returns how many were released.
 */
export async function expireReviews(
  deps: { db: Db; ledger: Ledger; clock: Clock },
  limit = 200,
): Promise<number> {
  let total = 0;
  // Until none is due: the worker runs this before the ledger's own expiry of pending transfers.
  for (;;) {
    const due = await listUnderReview(deps.db.pool, { dueBy: deps.clock.now(), limit });
    const released = await Promise.all(
      due.map((p) => deps.ledger.writer.execute(expireReviewCommand(deps.clock, p.id))),
    );
    const count = released.filter(Boolean).length;
    total += count;
    if (due.length < limit || count === 0) return total;
  }
}
