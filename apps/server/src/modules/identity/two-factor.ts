import { randomBytes } from 'node:crypto';
import { KassaError } from '../../kernel/errors.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Db, DbClient, Queryable } from '../../platform/db.ts';
import { appendAudit, selfAction } from '../audit/index.ts';
import { base32Encode, matchTotp, otpauthUri } from './domain/totp.ts';
import type { SecretBox } from './secret-box.ts';
import { sha256 } from './secret-tokens.ts';

export const recoveryCodeCount = 10;

function newRecoveryCode(): string {
  const text = base32Encode(randomBytes(8)).toLowerCase().slice(0, 10);
  return `${text.slice(0, 5)}-${text.slice(5)}`;
}

function normalizeRecoveryCode(code: string): string {
  return code.trim().toLowerCase().replace(/\s/g, '');
}

export async function twoFactorEnabled(q: Queryable, userId: string): Promise<boolean> {
  const rows = await q.query("select 1 from user_totp where user_id = $1 and status = 'enabled'", [
    userId,
  ]);
  return rows.rowCount === 1;
}

/** Starts (or restarts) enrolment: a new secret, shown once, pending until confirmed. */
export async function startTotpEnrolment(
  db: Db,
  box: SecretBox,
  user: { id: string; email: string },
): Promise<{ secret: string; otpauth_uri: string }> {
  if (await twoFactorEnabled(db.pool, user.id)) throw new KassaError('totp_already_enabled');
  const secret = randomBytes(20);
  await db.query(
    `insert into user_totp (user_id, secret_ciphertext, status) values ($1, $2, 'pending')
     on conflict (user_id) do update set secret_ciphertext = excluded.secret_ciphertext, last_step = 0, created_at = now()
     where user_totp.status = 'pending'`,
    [user.id, box.seal(secret)],
  );
  return { secret: base32Encode(secret), otpauth_uri: otpauthUri(secret, user.email) };
}

/**
 * Checks a TOTP code (or, with `allowRecovery`, a recovery code) inside the caller's
 * transaction. A TOTP code is accepted once: its step must be newer than the last one used. A
 * recovery code is used up.
 */
export async function checkSecondFactor(
  client: DbClient,
  box: SecretBox,
  userId: string,
  code: string,
  now: Date,
  options: { allowRecovery: boolean; status: 'pending' | 'enabled' },
): Promise<'totp' | 'recovery' | null> {
  const rows = await client.query<{ secret_ciphertext: Buffer; last_step: bigint }>(
    'select secret_ciphertext, last_step from user_totp where user_id = $1 and status = $2 for update',
    [userId, options.status],
  );
  const row = rows.rows[0];
  if (row === undefined) return null;
  const step = matchTotp(box.open(row.secret_ciphertext), code.trim(), now);
  if (step !== null) {
    if (step <= row.last_step) return null;
    await client.query('update user_totp set last_step = $2 where user_id = $1', [
      userId,
      step.toString(),
    ]);
    return 'totp';
  }
  if (!options.allowRecovery) return null;
  const used = await client.query(
    `update recovery_codes set used_at = $3 where id = (
       select id from recovery_codes where user_id = $1 and code_sha256 = $2 and used_at is null limit 1 for update)
     returning id`,
    [userId, sha256(normalizeRecoveryCode(code)), now.toISOString()],
  );
  return used.rowCount === 1 ? 'recovery' : null;
}

/** Confirms enrolment with a first valid code; returns the recovery codes (shown once). */
export async function confirmTotpEnrolment(
  db: Db,
  box: SecretBox,
  userId: string,
  code: string,
  now: Date,
  where: { ip: string },
): Promise<string[] | null> {
  return db.transaction(async (client) => {
    const method = await checkSecondFactor(client, box, userId, code, now, {
      allowRecovery: false,
      status: 'pending',
    });
    if (method === null) return null;
    await client.query(
      "update user_totp set status = 'enabled', enabled_at = $2 where user_id = $1",
      [userId, now.toISOString()],
    );
    await client.query('delete from recovery_codes where user_id = $1', [userId]);
    const codes = Array.from({ length: recoveryCodeCount }, newRecoveryCode);
    for (const recovery of codes) {
      await client.query(
        'insert into recovery_codes (id, user_id, code_sha256) values ($1, $2, $3)',
        [newUuid(), userId, sha256(normalizeRecoveryCode(recovery))],
      );
    }
    await appendAudit(client, selfAction(userId, '2fa.enabled', where.ip), now);
    return codes;
  });
}

export async function removeTotp(client: DbClient, userId: string): Promise<void> {
  await client.query('delete from recovery_codes where user_id = $1', [userId]);
  await client.query('delete from user_totp where user_id = $1', [userId]);
}
