import type { Currency } from '../../kernel/money.ts';
import type { Db } from '../../platform/db.ts';
import { MemoCache } from '../../platform/memo-cache.ts';
import {
  getMerchant,
  getWallet,
  listWallets,
  type MerchantRecord,
  type WalletRecord,
} from '../identity/index.ts';

/**
 * Lookups on the payment path (whose wallet is this, which wallet does this user pay from, what
 * is this merchant), cached in process because the facts they return do not change: a wallet
 * keeps its owner and currency, a merchant its account and fee. Missing rows are never cached.
 */
export function createDirectory(db: Db) {
  const wallets = new MemoCache<WalletRecord | null>(100_000, 60_000);
  const userWallets = new MemoCache<WalletRecord[] | null>(100_000, 60_000);
  const merchants = new MemoCache<MerchantRecord | null>(10_000, 60_000);
  return {
    wallet: (walletId: string) => wallets.get(walletId, () => getWallet(db.pool, walletId)),
    async userWallet(userId: string, currency: Currency): Promise<WalletRecord | undefined> {
      const list = await userWallets.get(userId, async () => {
        const found = await listWallets(db.pool, userId);
        return found.length === 0 ? null : found;
      });
      return list?.find((w) => w.currency === currency);
    },
    merchant: (merchantId: string) =>
      merchants.get(merchantId, () => getMerchant(db.pool, merchantId)),
  };
}

export type Directory = ReturnType<typeof createDirectory>;
