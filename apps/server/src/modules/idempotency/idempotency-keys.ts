import { batchStatement, type BatchEffects } from '../../platform/batch-effects.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db, DbClient, Queryable } from '../../platform/db.ts';
import { sameRequest } from './domain/request-fingerprint.ts';

/** What a caller sent: the key, who it belongs to, and the request's fingerprint. */
export interface IdempotencyClaim {
  /** The caller: `user:<id>`, `merchant:<id>`, `operator`, or `anonymous`. */
  readonly scope: string;
  readonly key: string;
  /** Keyed (HMAC) fingerprint of the request, without its secrets (`requestFingerprint`). */
  readonly fingerprint: Buffer;
}

export interface StoredResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

export type ClaimOutcome =
  { readonly status: 'claimed' } | { readonly status: 'replay'; readonly response: StoredResponse };

/**
 * Claims one key inside the caller's transaction (see `claimIdempotencyKeys`). A concurrent
 * request with the same key blocks on the unique index until the first commits, then sees its
 * stored response: both callers get the same answer and the effect happens once. Throws
 * `idempotency_key_reused` for the same key with a different request and
 * `idempotency_key_in_progress` while another holder still runs.
 */
export async function claimIdempotencyKey(
  client: DbClient,
  claim: IdempotencyClaim,
): Promise<ClaimOutcome> {
  const [outcome] = await claimIdempotencyKeys(client, [claim]);
  if (outcome === undefined) throw new KassaError('internal_error', 'no claim outcome');
  if (outcome instanceof KassaError) throw outcome;
  return outcome;
}

export async function completeIdempotencyKey(
  client: Queryable,
  claim: Pick<IdempotencyClaim, 'scope' | 'key'>,
  response: StoredResponse,
): Promise<void> {
  await client.query(
    `update idempotency_keys set status = 'completed', response_status = $3, response_body = $4, completed_at = now()
      where scope = $1 and key = $2`,
    [claim.scope, claim.key, response.statusCode, JSON.stringify(response.body)],
  );
}

/**
 * Claims many keys at once (one batch of the ledger writer) with one insert, plus one read for
 * the keys that were already there. Keys are inserted in a fixed order so that two batches
 * claiming overlapping keys cannot deadlock. Each claim gets its own outcome or error.
 */
export async function claimIdempotencyKeys(
  client: DbClient,
  claims: readonly IdempotencyClaim[],
): Promise<(ClaimOutcome | KassaError)[]> {
  if (claims.length === 0) return [];
  const order = claims.map((_, i) => i).sort((a, b) => compareClaims(claims[a]!, claims[b]!));
  let inserted;
  try {
    inserted = await client.query<{ scope: string; key: string }>(
      `insert into idempotency_keys (scope, key, request_sha256, status)
       select scope, key, sha, 'in_progress' from unnest($1::text[], $2::text[], $3::bytea[]) as c(scope, key, sha)
       on conflict do nothing returning scope, key`,
      [
        order.map((i) => claims[i]!.scope),
        order.map((i) => claims[i]!.key),
        order.map((i) => claims[i]!.fingerprint),
      ],
    );
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') {
      throw new KassaError('idempotency_key_in_progress', 'key held by a running request', {
        cause: error,
        retryAfterSeconds: 1,
      });
    }
    throw error;
  }
  const fresh = new Set(inserted.rows.map((row) => `${row.scope}\u0000${row.key}`));
  const taken = claims.filter((c) => !fresh.has(`${c.scope}\u0000${c.key}`));
  const existing = new Map<
    string,
    {
      request_sha256: Buffer;
      status: string;
      response_status: number | null;
      response_body: unknown;
    }
  >();
  if (taken.length > 0) {
    const rows = await client.query<{
      scope: string;
      key: string;
      request_sha256: Buffer;
      status: string;
      response_status: number | null;
      response_body: unknown;
    }>(
      `select k.scope, k.key, k.request_sha256, k.status, k.response_status, k.response_body
         from idempotency_keys k join unnest($1::text[], $2::text[]) as c(scope, key) on k.scope = c.scope and k.key = c.key`,
      [taken.map((c) => c.scope), taken.map((c) => c.key)],
    );
    for (const row of rows.rows) existing.set(`${row.scope}\u0000${row.key}`, row);
  }
  return claims.map((claim) => {
    const id = `${claim.scope}\u0000${claim.key}`;
    if (fresh.has(id)) return { status: 'claimed' } as const;
    const row = existing.get(id);
    if (row === undefined)
      return new KassaError('idempotency_key_in_progress', 'key changed hands', {
        retryAfterSeconds: 1,
      });
    if (!sameRequest(row.request_sha256, claim.fingerprint))
      return new KassaError('idempotency_key_reused', undefined, { param: 'Idempotency-Key' });
    if (row.status !== 'completed' || row.response_status === null) {
      return new KassaError('idempotency_key_in_progress', undefined, { retryAfterSeconds: 1 });
    }
    return {
      status: 'replay',
      response: { statusCode: row.response_status, body: row.response_body },
    } as const;
  });
}

function compareClaims(a: IdempotencyClaim, b: IdempotencyClaim): number {
  if (a.scope !== b.scope) return a.scope < b.scope ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** One statement completes any number of keys (a batch's responses), at the batch's time. */
const completeKeys = batchStatement<{
  claim: Pick<IdempotencyClaim, 'scope' | 'key'>;
  response: StoredResponse;
  at: Date;
}>(
  `update idempotency_keys k
    set status = 'completed', response_status = v.status, response_body = v.body, completed_at = v.at
   from unnest($1::text[], $2::text[], $3::int[], $4::json[], $5::timestamptz[]) as v(scope, key, status, body, at)
  where k.scope = v.scope and k.key = v.key`,
  ({ claim, response, at }) => [
    claim.scope,
    claim.key,
    response.statusCode,
    JSON.stringify(response.body),
    at.toISOString(),
  ],
);

/** Adds the completion of a key with its stored response to a ledger batch. */
export function addKeyCompletion(
  effects: BatchEffects,
  claim: Pick<IdempotencyClaim, 'scope' | 'key'>,
  response: StoredResponse,
): void {
  effects.add(completeKeys, { claim, response, at: effects.now });
}

/**
 * Runs `work` exactly once per key, in one transaction with the claim. `work` returns the
 * response to store; a thrown error rolls everything back and stores nothing, so a retry runs
 * the work again.
 */
export async function runIdempotent(
  db: Db,
  claim: IdempotencyClaim | null,
  work: (client: DbClient) => Promise<StoredResponse>,
): Promise<StoredResponse & { readonly replayed: boolean }> {
  return db.transaction(async (client) => {
    if (claim !== null) {
      const outcome = await claimIdempotencyKey(client, claim);
      if (outcome.status === 'replay') return { ...outcome.response, replayed: true };
    }
    const response = await work(client);
    if (claim !== null) await completeIdempotencyKey(client, claim, response);
    return { ...response, replayed: false };
  });
}

/** Deletes keys older than the retention (at least 7 days, API.md); returns how many. */
export async function reapIdempotencyKeys(
  db: Db,
  olderThan: Date,
  batchSizeMax = 10_000,
): Promise<number> {
  const rows = await db.query<{ n: string }>(
    `with doomed as (
       select scope, key from idempotency_keys where created_at < $1 limit $2
     ), gone as (
       delete from idempotency_keys k using doomed d where k.scope = d.scope and k.key = d.key returning 1
     ) select count(*)::text as n from gone`,
    [olderThan.toISOString(), batchSizeMax],
  );
  return Number(rows[0]?.n ?? 0);
}
