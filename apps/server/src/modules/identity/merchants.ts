import { encodeId, newUuid } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { Queryable } from '../../platform/db.ts';
import { appendEvents } from '../journal/index.ts';
import { accountFlags, type Ledger } from '../ledger/index.ts';
import { newSecret, sha256 } from './secret-tokens.ts';

export interface MerchantRecord {
  readonly id: string;
  readonly name: string;
  readonly category: string;
  readonly currency: Currency;
  readonly feeBps: number;
  readonly accountId: string;
  readonly createdAt: Date;
}

export const defaultFeeBps = 290;

export function merchantView(merchant: MerchantRecord) {
  return {
    id: encodeId('mer', merchant.id),
    object: 'merchant' as const,
    name: merchant.name,
    category: merchant.category,
    currency: merchant.currency,
    fee_bps: merchant.feeBps,
    created_at: merchant.createdAt.toISOString(),
  };
}

/**
 * Creates a merchant, its settlement account (which cannot go below zero) and a secret API key.
 * The key is returned once and only its SHA-256 digest is stored.
 */
export async function createMerchant(
  q: Queryable,
  ledger: Ledger,
  input: {
    name: string;
    category: string;
    currency: Currency;
    feeBps: number;
    mode: 'test' | 'live';
  },
): Promise<{ merchant: MerchantRecord; secretKey: string }> {
  const id = newUuid();
  const accountId = newUuid();
  await ledger.openAccounts(q, [
    {
      id: accountId,
      currency: input.currency,
      code: 'merchant',
      flags: accountFlags.debitsMustNotExceedCredits,
    },
  ]);
  const rows = await q.query<{ created_at: Date }>(
    `insert into merchants (id, name, category, currency, fee_bps, account_id)
     values ($1, $2, $3, $4, $5, $6) returning created_at`,
    [id, input.name, input.category, input.currency, input.feeBps, accountId],
  );
  const secretKey = `sk_${input.mode}_${newSecret(24)}`;
  await q.query(
    `insert into merchant_api_keys (id, merchant_id, mode, display_prefix, secret_sha256)
     values ($1, $2, $3, $4, $5)`,
    [newUuid(), id, input.mode, secretKey.slice(0, 12), sha256(secretKey)],
  );
  await appendEvents(q, [
    {
      type: 'merchant.created',
      streamId: id,
      data: { merchant_id: id, account_id: accountId, currency: input.currency },
    },
  ]);
  return {
    merchant: {
      id,
      name: input.name,
      category: input.category,
      currency: input.currency,
      feeBps: input.feeBps,
      accountId,
      createdAt: rows.rows[0]?.created_at ?? new Date(0),
    },
    secretKey,
  };
}

export async function getMerchant(
  q: Queryable,
  merchantId: string,
): Promise<MerchantRecord | null> {
  const rows = await q.query<{
    id: string;
    name: string;
    category: string;
    currency: Currency;
    fee_bps: number;
    account_id: string;
    created_at: Date;
  }>(
    'select id, name, category, currency, fee_bps, account_id, created_at from merchants where id = $1',
    [merchantId],
  );
  const row = rows.rows[0];
  return row === undefined
    ? null
    : {
        id: row.id,
        name: row.name,
        category: row.category,
        currency: row.currency,
        feeBps: row.fee_bps,
        accountId: row.account_id,
        createdAt: row.created_at,
      };
}

/**
 * Changes how payers see a merchant (name, category) and journals the change; null when there
 * is no such merchant. Runs in the caller's transaction, which also writes the public event.
 */
export async function updateMerchantProfile(
  q: Queryable,
  merchantId: string,
  changes: { readonly name?: string | undefined; readonly category?: string | undefined },
): Promise<MerchantRecord | null> {
  const updated = await q.query<{ id: string }>(
    `update merchants set name = coalesce($2, name), category = coalesce($3, category)
      where id = $1 returning id`,
    [merchantId, changes.name ?? null, changes.category ?? null],
  );
  if (updated.rowCount === 0) return null;
  await appendEvents(q, [
    {
      type: 'merchant.updated',
      streamId: merchantId,
      data: {
        merchant_id: merchantId,
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.category === undefined ? {} : { category: changes.category }),
      },
    },
  ]);
  return getMerchant(q, merchantId);
}

export async function merchantForSecretKey(
  q: Queryable,
  secretKey: string,
): Promise<{ merchantId: string; mode: 'test' | 'live' } | null> {
  const rows = await q.query<{ merchant_id: string; mode: 'test' | 'live' }>(
    'select merchant_id, mode from merchant_api_keys where secret_sha256 = $1 and revoked_at is null',
    [sha256(secretKey)],
  );
  const row = rows.rows[0];
  return row === undefined ? null : { merchantId: row.merchant_id, mode: row.mode };
}
