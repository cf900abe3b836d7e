import { createHmac, randomBytes } from 'node:crypto';
import { KassaError } from '../../kernel/errors.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Db, DbClient, Queryable } from '../../platform/db.ts';
import type { SealedColumn } from '../../platform/reseal.ts';
import type { SecretBox } from '../../platform/secret-box.ts';
import { base32Encode, matchTotp, otpauthUri } from './domain/totp.ts';
import { sha256 } from './secret-tokens.ts';

export const recoveryCodeCount = 10;
/** An enrolment not confirmed within this time must be started again (with the password). */
export const enrolmentTtlMs = 15 * 60_000;

/**
 * What second factors are kept with: the box that seals TOTP seeds, and the lookup key that keys
 * recovery-code digests (a recovery code carries about 50 bits: a plain digest would fall to a
 * brute force).
 */
export interface FactorSecrets {
  readonly box: SecretBox;
  readonly lookupKey: Buffer;
}

function newRecoveryCode(): string {
  const text = base32Encode(randomBytes(8)).toLowerCase().slice(0, 10);
  return `${text.slice(0, 5)}-${text.slice(5)}`;
}

function normalizeRecoveryCode(code: string): string {
  return code.trim().toLowerCase().replace(/\s/g, '');
}

/** The stored digest of a recovery code: HMAC(lookup key, SHA-256(code)). */
function recoveryDigest(lookupKey: Buffer, plainDigest: Buffer): Buffer {
  return createHmac('sha256', lookupKey).update(plainDigest).digest();
}

export async function twoFactorEnabled(q: Queryable, userId: string): Promise<boolean> {
  const rows = await q.query("select 1 from user_totp where user_id = $1 and status = 'enabled'", [
    userId,
  ]);
  return rows.rowCount === 1;
}

/** When the user's second factor was enabled (null: none). */
export async function factorEnabledAt(q: Queryable, userId: string): Promise<Date | null> {
  const rows = await q.query<{ enabled_at: Date | null }>(
    "select enabled_at from user_totp where user_id = $1 and status = 'enabled'",
    [userId],
  );
  return rows.rows[0]?.enabled_at ?? null;
}

/** Starts (or restarts) enrolment: a new secret, shown once, pending until confirmed. */
export async function startTotpEnrolment(
  db: Db,
  box: SecretBox,
  user: { id: string; email: string },
  now: Date,
): Promise<{ secret: string; otpauth_uri: string }> {
  if (await twoFactorEnabled(db.pool, user.id)) throw new KassaError('totp_already_enabled');
  const secret = randomBytes(20);
  await db.query(
    `insert into user_totp (user_id, secret_ciphertext, status, created_at) values ($1, $2, 'pending', $3)
     on conflict (user_id) do update set secret_ciphertext = excluded.secret_ciphertext, last_step = 0,
       created_at = excluded.created_at
     where user_totp.status = 'pending'`,
    [user.id, box.seal(secret), now.toISOString()],
  );
  return { secret: base32Encode(secret), otpauth_uri: otpauthUri(secret, user.email) };
}

/**
 * Checks a TOTP code (or, with `allowRecovery`, a recovery code) inside the caller's
 * transaction. A TOTP code is accepted once: its step must be newer than the last one used. A
 * recovery code is used up. A pending enrolment older than `enrolmentTtlMs` accepts nothing.
 */
export async function checkSecondFactor(
  client: DbClient,
  secrets: FactorSecrets,
  userId: string,
  code: string,
  now: Date,
  options: { allowRecovery: boolean; status: 'pending' | 'enabled' },
): Promise<'totp' | 'recovery' | null> {
  const rows = await client.query<{ secret_ciphertext: Buffer; last_step: bigint }>(
    `select secret_ciphertext, last_step from user_totp
      where user_id = $1 and status = $2 and (status = 'enabled' or created_at > $3) for update`,
    [userId, options.status, new Date(now.getTime() - enrolmentTtlMs).toISOString()],
  );
  const row = rows.rows[0];
  if (row === undefined) return null;
  const step = matchTotp(secrets.box.open(row.secret_ciphertext), code.trim(), now);
  if (step !== null) {
    if (step <= row.last_step) return null;
    await client.query('update user_totp set last_step = $2 where user_id = $1', [
      userId,
      step.toString(),
    ]);
    return 'totp';
  }
  if (!options.allowRecovery) return null;
  const plain = sha256(normalizeRecoveryCode(code));
  const used = await client.query(
    `update recovery_codes set used_at = $4 where id = (
       select id from recovery_codes
        where user_id = $1 and used_at is null
          and ((keyed and code_sha256 = $2) or (not keyed and code_sha256 = $3))
        limit 1 for update)
     returning id`,
    [userId, recoveryDigest(secrets.lookupKey, plain), plain, now.toISOString()],
  );
  return used.rowCount === 1 ? 'recovery' : null;
}

/** Replaces the user's recovery codes; returns the new ones (shown once). */
export async function newRecoveryCodes(
  client: DbClient,
  lookupKey: Buffer,
  userId: string,
): Promise<string[]> {
  await client.query('delete from recovery_codes where user_id = $1', [userId]);
  const codes = Array.from({ length: recoveryCodeCount }, newRecoveryCode);
  await client.query(
    `insert into recovery_codes (id, user_id, code_sha256, keyed)
     select unnest($1::uuid[]), $2, unnest($3::bytea[]), true`,
    [
      codes.map(() => newUuid()),
      userId,
      codes.map((code) => recoveryDigest(lookupKey, sha256(normalizeRecoveryCode(code)))),
    ],
  );
  return codes;
}

/** Confirms enrolment with a first valid code; returns the recovery codes (shown once). */
export async function confirmTotpEnrolment(
  client: DbClient,
  secrets: FactorSecrets,
  userId: string,
  code: string,
  now: Date,
): Promise<string[] | null> {
  const method = await checkSecondFactor(client, secrets, userId, code, now, {
    allowRecovery: false,
    status: 'pending',
  });
  if (method === null) return null;
  await client.query(
    "update user_totp set status = 'enabled', enabled_at = $2 where user_id = $1",
    [userId, now.toISOString()],
  );
  return newRecoveryCodes(client, secrets.lookupKey, userId);
}

export async function removeTotp(client: DbClient, userId: string): Promise<void> {
  await client.query('delete from recovery_codes where user_id = $1', [userId]);
  await client.query('delete from user_totp where user_id = $1', [userId]);
}

/** The sealed TOTP seeds, for `kassa keys rotate`. */
export function totpSealedColumns(box: SecretBox): SealedColumn[] {
  return [{ table: 'user_totp', key: 'user_id', column: 'secret_ciphertext', box }];
}

/**
 * Re-keys recovery codes stored before keyed digests (plain SHA-256): the stored digest is
 * wrapped in the HMAC, so the codes keep working. Returns how many rows it re-keyed.
 */
export async function rekeyRecoveryCodes(db: Db, lookupKey: Buffer): Promise<number> {
  let total = 0;
  for (;;) {
    const moved = await db.transaction(async (client) => {
      const rows = await client.query<{ id: string; code_sha256: Buffer }>(
        'select id, code_sha256 from recovery_codes where not keyed limit 500 for update skip locked',
      );
      if (rows.rows.length === 0) return 0;
      await client.query(
        `update recovery_codes r set code_sha256 = v.digest, keyed = true
           from unnest($1::uuid[], $2::bytea[]) as v(id, digest) where r.id = v.id`,
        [
          rows.rows.map((row) => row.id),
          rows.rows.map((row) => recoveryDigest(lookupKey, row.code_sha256)),
        ],
      );
      return rows.rows.length;
    });
    if (moved === 0) return total;
    total += moved;
  }
}
