import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../platform/db.ts';
import type { Ledger } from '../ledger/index.ts';
import { expireHoldCommand } from './cancel-command.ts';

/** Cancels held payments past their capture deadline; returns how many were released. */
export async function expireHolds(
  deps: { db: Db; ledger: Ledger; clock: Clock },
  limit = 500,
): Promise<number> {
  const rows = await deps.db.query<{ id: string }>(
    `select id from payments where status = 'requires_capture' and hold_expires_at <= $1
      order by hold_expires_at limit $2`,
    [deps.clock.now().toISOString(), limit],
  );
  const released = await Promise.all(
    rows.map((row) => deps.ledger.writer.execute(expireHoldCommand(deps.clock, row.id))),
  );
  return released.filter(Boolean).length;
}
