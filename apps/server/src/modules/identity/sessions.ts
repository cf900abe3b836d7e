import { KassaError } from '../../kernel/errors.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Db, Queryable } from '../../platform/db.ts';
import { signAccessToken, type AccessTokenKeys } from './access-tokens.ts';
import { newSecret, sha256 } from './secret-tokens.ts';

export interface SessionTokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
}

export interface SessionSettings {
  readonly keys: AccessTokenKeys;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

/** Starts a session: a short-lived access token and a refresh token that opens a new family. */
export async function openSession(
  db: Db,
  settings: SessionSettings,
  userId: string,
  now: Date,
  deviceId: string | null = null,
): Promise<SessionTokens> {
  return issueTokens(db, settings, userId, newUuid(), now, deviceId);
}

async function issueTokens(
  db: Db,
  settings: SessionSettings,
  userId: string,
  familyId: string,
  now: Date,
  deviceId: string | null,
) {
  const refreshToken = `rt_${newSecret(32)}`;
  await db.query(
    `insert into refresh_tokens (id, user_id, family_id, token_sha256, expires_at, device_id) values ($1, $2, $3, $4, $5, $6)`,
    [
      newUuid(),
      userId,
      familyId,
      sha256(refreshToken),
      new Date(now.getTime() + settings.refreshTokenTtlSeconds * 1000).toISOString(),
      deviceId,
    ],
  );
  const accessToken = await signAccessToken(
    settings.keys,
    { userId, sessionFamilyId: familyId, deviceId },
    now,
    settings.accessTokenTtlSeconds,
  );
  return {
    access_token: accessToken,
    refresh_token: refreshToken,
    token_type: 'Bearer' as const,
    expires_in: settings.accessTokenTtlSeconds,
  };
}

/**
 * Rotates a refresh token: the old one dies, a new one is issued in the same family. Presenting
 * a token that was already used is taken as theft: the whole family is revoked. A session bound
 * to a device is refreshed only with a fresh signature by that device's key (`deviceSigned`
 * checks the request's `Kassa-Signature`); a missing or bad one is taken as theft too.
 */
export async function refreshSession(
  db: Db,
  settings: SessionSettings,
  refreshToken: string,
  now: Date,
  /** Whether the request carries a valid signature by this device of this user. */
  deviceSigned: (userId: string, deviceId: string) => Promise<boolean>,
  /** Told about a family revoked for reuse or theft, so its access tokens die at once. */
  onRevoked: (familyId: string) => void = () => undefined,
): Promise<SessionTokens> {
  let revokedFamily: string | null = null;
  const claimed = await db.transaction(async (client) => {
    const rows = await client.query<{
      id: string;
      user_id: string;
      family_id: string;
      used_at: Date | null;
      revoked_at: Date | null;
      expires_at: Date;
      device_id: string | null;
    }>(
      'select id, user_id, family_id, used_at, revoked_at, expires_at, device_id from refresh_tokens where token_sha256 = $1 for update',
      [sha256(refreshToken)],
    );
    const row = rows.rows[0];
    if (row === undefined) return null;
    // Reuse, or a device-bound token presented without that device's signature, is taken as
    // theft: the whole family dies.
    const stolen =
      row.used_at !== null ||
      (row.device_id !== null &&
        row.revoked_at === null &&
        !(await deviceSigned(row.user_id, row.device_id)));
    if (stolen) {
      await client.query(
        'update refresh_tokens set revoked_at = coalesce(revoked_at, $2) where family_id = $1',
        [row.family_id, now.toISOString()],
      );
      revokedFamily = row.family_id;
      return null;
    }
    if (row.revoked_at !== null || row.expires_at.getTime() <= now.getTime()) return null;
    await client.query('update refresh_tokens set used_at = $2 where id = $1', [
      row.id,
      now.toISOString(),
    ]);
    return { userId: row.user_id, familyId: row.family_id, deviceId: row.device_id };
  });
  if (revokedFamily !== null) onRevoked(revokedFamily);
  if (claimed === null) throw new KassaError('invalid_refresh_token');
  return issueTokens(db, settings, claimed.userId, claimed.familyId, now, claimed.deviceId);
}

export async function revokeSessionFamily(db: Db, familyId: string, now: Date): Promise<void> {
  await db.query(
    'update refresh_tokens set revoked_at = coalesce(revoked_at, $2) where family_id = $1',
    [familyId, now.toISOString()],
  );
}

/**
 * Revokes every session of the user except `keepFamilyId` (null: all of them); returns the
 * families revoked, so the caller tells this process's revocation cache at once.
 */
export async function revokeUserSessions(
  q: Queryable,
  userId: string,
  keepFamilyId: string | null,
  now: Date,
): Promise<string[]> {
  const revoked = await q.query<{ family_id: string }>(
    `update refresh_tokens set revoked_at = coalesce(revoked_at, $3)
      where user_id = $1 and ($2::uuid is null or family_id <> $2) and revoked_at is null
      returning family_id`,
    [userId, keepFamilyId, now.toISOString()],
  );
  return [...new Set(revoked.rows.map((row) => row.family_id))];
}
