import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Db, DbClient, Queryable } from '../../platform/db.ts';
import { BatchEffects } from '../../platform/batch-effects.ts';
import { applyTransfers } from './domain/apply-transfers.ts';
import {
  transferFlags,
  type Account,
  type TransferInput,
  type TransferOutcome,
} from './domain/ledger-types.ts';
import type { LedgerWriter } from './ledger-writer.ts';
import {
  insertAccounts,
  loadForBatch,
  selectAccounts,
  selectExpiredPendingIds,
  writeBatch,
  type NewAccount,
} from './store/ledger-store.ts';
import { verifyLedger, type LedgerVerification } from './verify-ledger.ts';

export interface Ledger {
  readonly writer: LedgerWriter;
  openAccounts(q: Queryable, accounts: readonly NewAccount[]): Promise<void>;
  getAccounts(q: Queryable, ids: readonly string[]): Promise<Map<string, Account>>;
  /** Posts a batch in its own transaction with the caller's own link flags (operator batches). */
  postBatch(inputs: readonly TransferInput[]): Promise<TransferOutcome[]>;
  /** Posts inside the caller's transaction (for flows that lock their own rows first). */
  postInTransaction(client: DbClient, inputs: readonly TransferInput[]): Promise<TransferOutcome[]>;
  /** Voids pending transfers whose timeout passed; returns how many expired. */
  expirePending(limit: number): Promise<number>;
  verify(): Promise<LedgerVerification>;
}

export function createLedger(deps: { db: Db; clock: Clock; writer: LedgerWriter }): Ledger {
  const { db, clock, writer } = deps;

  async function postInTransaction(client: DbClient, inputs: readonly TransferInput[]) {
    const state = await loadForBatch(client, inputs);
    const effects = new BatchEffects(clock.now());
    const applied = applyTransfers(state, inputs, effects.now);
    writeBatch(effects, applied);
    await effects.flush(client);
    return applied.outcomes;
  }

  return {
    writer,
    openAccounts: insertAccounts,
    async getAccounts(q, ids) {
      const accounts = await selectAccounts(q, ids);
      return new Map(accounts.map((account) => [account.id, account]));
    },
    postBatch: (inputs) => db.transaction((client) => postInTransaction(client, inputs)),
    postInTransaction,
    async expirePending(limit) {
      const ids = await selectExpiredPendingIds(db.pool, clock.now(), limit);
      if (ids.length === 0) return 0;
      const outcomes = await db.transaction((client) =>
        postInTransaction(
          client,
          ids.map((pendingId) => ({
            id: newUuid(),
            pendingId,
            amount: 0n,
            code: 'expired',
            flags: transferFlags.voidPending,
            expiry: true,
          })),
        ),
      );
      return outcomes.filter((o) => o.status === 'created').length;
    },
    verify: () =>
      // One consistent snapshot for the replay and the stored balances.
      db.transaction((client) => verifyLedger(client), { snapshot: 'repeatable read, read only' }),
  };
}
