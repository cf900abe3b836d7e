import type { Clock } from '../kernel/clock.ts';
import type { Db } from '../platform/db.ts';
import type { Logger } from '../platform/log.ts';
import { reapIdempotencyKeys } from '../modules/idempotency/index.ts';
import type { Ledger } from '../modules/ledger/index.ts';
import { expireHolds } from '../modules/payments/index.ts';

export interface Worker {
  /** Runs every job once (tests and `kassa` commands call this directly). */
  runOnce(): Promise<{ holdsExpired: number; pendingExpired: number; keysReaped: number }>;
  stop(): Promise<void>;
}

/**
 * Background jobs, safe to run in any number of processes at once (each job locks the rows it
 * changes): expiry of payment holds and other pending transfers, and the reaper of idempotency
 * keys older than their retention.
 */
export function startWorker(deps: {
  db: Db;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  idempotencyKeyTtlHours: number;
}): Worker {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  async function runOnce() {
    const holdsExpired = await expireHolds(deps);
    const pendingExpired = await deps.ledger.expirePending(500);
    const cutoff = new Date(deps.clock.now().getTime() - deps.idempotencyKeyTtlHours * 3_600_000);
    const keysReaped = await reapIdempotencyKeys(deps.db, cutoff);
    if (holdsExpired + pendingExpired + keysReaped > 0) {
      deps.logger.info({ holdsExpired, pendingExpired, keysReaped }, 'worker jobs ran');
    }
    return { holdsExpired, pendingExpired, keysReaped };
  }

  const timer = setInterval(() => {
    if (stopped) return;
    running = runOnce().catch((error: unknown) =>
      deps.logger.error({ err: error }, 'worker job failed'),
    );
  }, deps.intervalMs);
  timer.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
