import type { Queryable } from '../../platform/db.ts';
import { clientBucket } from '../../platform/client-address.ts';

/** How long a log-in keeps its address known. */
export const knownAddressDays = 30;

/**
 * Whether the account with this email logged in from the client's address bucket within
 * `knownAddressDays`. Such attempts skip the per-email brake (still under the per-address
 * lockout): the owner's own phone and home keep working while a stranger sprays guesses.
 */
export async function isKnownAddress(
  q: Queryable,
  email: string,
  address: string,
  now: Date,
): Promise<boolean> {
  const rows = await q.query(
    `select 1 from login_addresses a join users u on u.id = a.user_id
      where lower(u.email) = $1 and a.bucket = $2 and a.last_login_at > $3`,
    [
      email.trim().toLowerCase(),
      clientBucket(address),
      new Date(now.getTime() - knownAddressDays * 86_400_000).toISOString(),
    ],
  );
  return (rows.rowCount ?? 0) > 0;
}

/** A completed log-in (every factor passed) makes its address bucket known. */
export async function rememberAddress(
  q: Queryable,
  userId: string,
  address: string,
  now: Date,
): Promise<void> {
  await q.query(
    `insert into login_addresses (user_id, bucket, last_login_at) values ($1, $2, $3)
     on conflict (user_id, bucket) do update set last_login_at = excluded.last_login_at`,
    [userId, clientBucket(address), now.toISOString()],
  );
}

/** Forgets addresses not used for `knownAddressDays`; returns how many. */
export async function reapKnownAddresses(q: Queryable, now: Date): Promise<number> {
  const result = await q.query('delete from login_addresses where last_login_at < $1', [
    new Date(now.getTime() - knownAddressDays * 86_400_000).toISOString(),
  ]);
  return result.rowCount ?? 0;
}
