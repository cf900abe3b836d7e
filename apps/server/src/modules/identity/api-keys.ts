import { encodeId, newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import { newSecret, sha256 } from './secret-tokens.ts';

/**
 * Merchant secret keys. A key is high-entropy, so only its SHA-256 is stored (never
 * recoverable), with a visible prefix to tell keys apart. Keys are `sk_live_…`: they move real
 * money, and Kassa has no separate test mode (keys issued earlier as `sk_test_…` move real
 * money too and are listed as such). A key can be rolled (a new key now; the old one keeps
 * working until `expires_at`, so deployments can switch over) or revoked (refused at once).
 */
export interface ApiKeyRecord {
  readonly id: string;
  readonly merchantId: string;
  readonly mode: 'test' | 'live';
  readonly prefix: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

interface Row {
  id: string;
  merchant_id: string;
  mode: 'test' | 'live';
  display_prefix: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const columns = 'id, merchant_id, mode, display_prefix, created_at, expires_at, revoked_at';

function fromRow(row: Row): ApiKeyRecord {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    mode: row.mode,
    prefix: row.display_prefix,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export function apiKeyView(key: ApiKeyRecord, now: Date, currentKeyId: string | null) {
  const live =
    key.revokedAt === null && (key.expiresAt === null || key.expiresAt.getTime() > now.getTime());
  return {
    id: encodeId('key', key.id),
    object: 'api_key' as const,
    merchant: encodeId('mer', key.merchantId),
    prefix: `${key.prefix}…`,
    livemode: true,
    status: key.revokedAt !== null ? 'revoked' : live ? 'active' : 'expired',
    /** The key this request was made with. */
    current: key.id === currentKeyId,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/** Issues a new secret key for a merchant; the secret is returned once and never stored. */
export async function issueApiKey(
  q: Queryable,
  merchantId: string,
): Promise<{ key: ApiKeyRecord; secret: string }> {
  const secret = `sk_live_${newSecret(24)}`;
  const rows = await q.query<Row>(
    `insert into merchant_api_keys (id, merchant_id, mode, display_prefix, secret_sha256)
     values ($1, $2, 'live', $3, $4) returning ${columns}`,
    [newUuid(), merchantId, secret.slice(0, 12), sha256(secret)],
  );
  return { key: fromRow(rows.rows[0]!), secret };
}

export async function listApiKeys(q: Queryable, merchantId: string): Promise<ApiKeyRecord[]> {
  const rows = await q.query<Row>(
    `select ${columns} from merchant_api_keys where merchant_id = $1 order by created_at desc, id desc`,
    [merchantId],
  );
  return rows.rows.map(fromRow);
}

/** A merchant's key, locked for a change; null when it is not this merchant's. */
export async function lockApiKey(
  q: Queryable,
  merchantId: string,
  keyId: string,
): Promise<ApiKeyRecord | null> {
  const rows = await q.query<Row>(
    `select ${columns} from merchant_api_keys where id = $1 and merchant_id = $2 for update`,
    [keyId, merchantId],
  );
  return rows.rows[0] === undefined ? null : fromRow(rows.rows[0]);
}

/** Lets the key work until `until` (a roll's grace), unless it ends sooner already. */
export async function expireApiKey(q: Queryable, keyId: string, until: Date): Promise<void> {
  await q.query(
    `update merchant_api_keys set expires_at = least(coalesce(expires_at, $2), $2) where id = $1`,
    [keyId, until.toISOString()],
  );
}

export async function revokeApiKey(
  q: Queryable,
  keyId: string,
  now: Date,
  reason: string,
): Promise<void> {
  await q.query(
    `update merchant_api_keys set revoked_at = coalesce(revoked_at, $2), revoked_reason = coalesce(revoked_reason, $3)
      where id = $1`,
    [keyId, now.toISOString(), reason],
  );
}
