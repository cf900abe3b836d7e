import { encodeId, newUuid } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { Queryable } from '../../platform/db.ts';
import { appendEvents } from '../journal/index.ts';
import { accountFlags, type Ledger } from '../ledger/index.ts';
import { issueApiKey } from './api-keys.ts';
import { sha256 } from './secret-tokens.ts';

export interface MerchantRecord {
  readonly id: string;
  readonly name: string;
  /** The legal name the operator verified (null: not verified). */
  readonly verifiedName: string | null;
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
    verified_name: merchant.verifiedName,
    category: merchant.category,
    currency: merchant.currency,
    fee_bps: merchant.feeBps,
    created_at: merchant.createdAt.toISOString(),
  };
}

/**
 * Creates a merchant, its settlement account (which cannot go below zero) and a secret API key
 * (`sk_live_…`). The key is returned once and only its SHA-256 digest is stored.
 */
export async function createMerchant(
  q: Queryable,
  ledger: Ledger,
  input: {
    name: string;
    verifiedName: string;
    category: string;
    currency: Currency;
    feeBps: number;
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
    `insert into merchants (id, name, verified_name, category, currency, fee_bps, account_id)
     values ($1, $2, $3, $4, $5, $6, $7) returning created_at`,
    [id, input.name, input.verifiedName, input.category, input.currency, input.feeBps, accountId],
  );
  const { secret: secretKey } = await issueApiKey(q, id);
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
      verifiedName: input.verifiedName,
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
    verified_name: string | null;
    category: string;
    currency: Currency;
    fee_bps: number;
    account_id: string;
    created_at: Date;
  }>(
    'select id, name, verified_name, category, currency, fee_bps, account_id, created_at from merchants where id = $1',
    [merchantId],
  );
  const row = rows.rows[0];
  return row === undefined
    ? null
    : {
        id: row.id,
        name: row.name,
        verifiedName: row.verified_name,
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
  changes: {
    readonly name?: string | undefined;
    readonly category?: string | undefined;
    readonly verified_name?: string | undefined;
  },
): Promise<MerchantRecord | null> {
  const updated = await q.query<{ id: string }>(
    `update merchants set name = coalesce($2, name), category = coalesce($3, category),
        verified_name = coalesce($4, verified_name)
      where id = $1 returning id`,
    [merchantId, changes.name ?? null, changes.category ?? null, changes.verified_name ?? null],
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
        ...(changes.verified_name === undefined ? {} : { verified_name: changes.verified_name }),
      },
    },
  ]);
  return getMerchant(q, merchantId);
}

/** The merchant of a live (not revoked, not expired after a roll) secret key. */
export async function merchantForSecretKey(
  q: Queryable,
  secretKey: string,
  now: Date,
): Promise<{
  merchantId: string;
  mode: 'test' | 'live';
  keyId: string;
  expiring: boolean;
} | null> {
  const rows = await q.query<{
    id: string;
    merchant_id: string;
    mode: 'test' | 'live';
    expiring: boolean;
  }>(
    `select id, merchant_id, mode, expires_at is not null as expiring from merchant_api_keys
      where secret_sha256 = $1 and revoked_at is null and (expires_at is null or expires_at > $2)`,
    [sha256(secretKey), now.toISOString()],
  );
  const row = rows.rows[0];
  return row === undefined
    ? null
    : { merchantId: row.merchant_id, mode: row.mode, keyId: row.id, expiring: row.expiring };
}
