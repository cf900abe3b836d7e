import { decodeId } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import type { ReadCache } from '../../platform/redis-cache.ts';
import type { OutboxConsumer } from '../events/index.ts';
import { getMerchant, type MerchantRecord } from './merchants.ts';

/** A missed invalidation heals after this. */
const ttlSeconds = 300;

const key = (merchantId: string) => `merchant:${merchantId}`;

/**
 * Merchant profiles (what a payer sees before paying: name, category, currency), read through
 * Redis. The API drops a profile right after committing a change to it, and the `cache` outbox
 * consumer drops it again from the `merchant.updated` event, so a process that died between its
 * commit and its delete, or another region's cache, cannot keep an old name past the event.
 * Money never reads this: the payment path takes the merchant's account and fee from
 * PostgreSQL (the payments directory).
 */
export function createMerchantProfiles(db: Db, cache: ReadCache) {
  return {
    async get(merchantId: string): Promise<MerchantRecord | null> {
      const hit = await cache.get<MerchantRecord & { createdAt: string }>(key(merchantId));
      if (hit !== null) return { ...hit, createdAt: new Date(hit.createdAt) };
      const merchant = await getMerchant(db.pool, merchantId);
      if (merchant !== null) await cache.set(key(merchantId), merchant, ttlSeconds);
      return merchant;
    },
    forget: (merchantIds: readonly string[]) => cache.delete(merchantIds.map(key)),
    /** Drops cached profiles named by `merchant.updated` events. */
    invalidation: {
      name: 'cache',
      async handle(_client, events) {
        const ids = events
          .filter((e) => e.type === 'merchant.updated')
          .map((e) => decodeId('mer', e.object_id))
          .filter((id) => id !== null);
        await cache.delete(ids.map(key));
      },
    } satisfies OutboxConsumer,
  };
}

export type MerchantProfiles = ReturnType<typeof createMerchantProfiles>;
