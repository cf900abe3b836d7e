import { KassaError } from '../../kernel/errors.ts';
import { encodeId, newUuid } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { Db, Queryable } from '../../platform/db.ts';
import { appendEvents } from '../journal/index.ts';
import { accountFlags, type Ledger } from '../ledger/index.ts';
import { decoyPasswordHash, hashPassword, passwordLengthMin, verifyPassword } from './passwords.ts';

export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly createdAt: Date;
}

export interface WalletRecord {
  readonly id: string;
  readonly userId: string;
  readonly currency: Currency;
}

export function userView(user: UserRecord) {
  return {
    id: encodeId('usr', user.id),
    object: 'user' as const,
    email: user.email,
    name: user.name,
    created_at: user.createdAt.toISOString(),
  };
}

export interface SignUpResult {
  readonly user: UserRecord;
  readonly wallet: WalletRecord;
  /**
   * Set when the email already had an account. `user` and `wallet` are then a decoy that was
   * never stored: the caller answers exactly as for a new account, so sign-up does not reveal
   * which emails have accounts, and tells the real owner instead.
   */
  readonly existingUserId?: string;
}

/**
 * Creates a user with a wallet in one transaction. The password is hashed before the
 * transaction so that argon2's cost never holds a database connection.
 */
export async function createUser(
  q: Queryable,
  ledger: Ledger,
  input: { email: string; passwordHash: string; name: string; currency: Currency },
): Promise<SignUpResult> {
  const userId = newUuid();
  const walletId = newUuid();
  const inserted = await q.query<{ created_at: Date }>(
    `insert into users (id, email, name, password_hash) values ($1, $2, $3, $4)
     on conflict do nothing returning created_at`,
    [userId, input.email, input.name, input.passwordHash],
  );
  const row = inserted.rows[0];
  if (row === undefined) {
    const existing = await q.query<{ id: string }>(
      'select id from users where lower(email) = lower($1)',
      [input.email],
    );
    return {
      user: { id: userId, email: input.email, name: input.name, createdAt: new Date() },
      wallet: { id: walletId, userId, currency: input.currency },
      existingUserId: existing.rows[0]?.id ?? '',
    };
  }
  await ledger.openAccounts(q, [
    {
      id: walletId,
      currency: input.currency,
      code: 'user_wallet',
      flags: accountFlags.debitsMustNotExceedCredits,
    },
  ]);
  await q.query('insert into wallets (id, user_id, currency) values ($1, $2, $3)', [
    walletId,
    userId,
    input.currency,
  ]);
  await appendEvents(q, [
    {
      type: 'user.signed_up',
      streamId: userId,
      data: { user_id: userId, wallet_id: walletId, currency: input.currency },
    },
  ]);
  return {
    user: { id: userId, email: input.email, name: input.name, createdAt: row.created_at },
    wallet: { id: walletId, userId, currency: input.currency },
  };
}

export async function preparePasswordHash(password: string): Promise<string> {
  if (password.length < passwordLengthMin) {
    throw new KassaError('weak_password', undefined, { param: 'password' });
  }
  return hashPassword(password);
}

/** Checks a password. Unknown emails cost the same argon2 verification as known ones. */
export async function checkCredentials(
  db: Db,
  email: string,
  password: string,
): Promise<UserRecord | null> {
  const rows = await db.query<{
    id: string;
    email: string;
    name: string;
    password_hash: string;
    created_at: Date;
  }>(
    'select id, email, name, password_hash, created_at from users where lower(email) = lower($1)',
    [email],
  );
  const row = rows[0];
  const passwordHash = row?.password_hash ?? (await decoyPasswordHash());
  const valid = await verifyPassword(passwordHash, password);
  if (row === undefined || !valid) return null;
  return { id: row.id, email: row.email, name: row.name, createdAt: row.created_at };
}

export async function getUser(q: Queryable, userId: string): Promise<UserRecord | null> {
  const rows = await q.query<{ id: string; email: string; name: string; created_at: Date }>(
    'select id, email, name, created_at from users where id = $1',
    [userId],
  );
  const row = rows.rows[0];
  return row === undefined
    ? null
    : { id: row.id, email: row.email, name: row.name, createdAt: row.created_at };
}

export async function listWallets(q: Queryable, userId: string): Promise<WalletRecord[]> {
  const rows = await q.query<{ id: string; user_id: string; currency: Currency }>(
    'select id, user_id, currency from wallets where user_id = $1 order by created_at',
    [userId],
  );
  return rows.rows.map((row) => ({ id: row.id, userId: row.user_id, currency: row.currency }));
}

export async function getWallet(q: Queryable, walletId: string): Promise<WalletRecord | null> {
  const rows = await q.query<{ id: string; user_id: string; currency: Currency }>(
    'select id, user_id, currency from wallets where id = $1',
    [walletId],
  );
  const row = rows.rows[0];
  return row === undefined ? null : { id: row.id, userId: row.user_id, currency: row.currency };
}

/** A recipient named by user id (`usr_…`), wallet id (`wal_…`) or email, in one currency. */
export async function findRecipientWallet(
  q: Queryable,
  recipient: { userId?: string; walletId?: string; email?: string },
  currency: Currency,
): Promise<WalletRecord | null> {
  const rows = await q.query<{ id: string; user_id: string; currency: Currency }>(
    `select w.id, w.user_id, w.currency from wallets w join users u on u.id = w.user_id
      where w.currency = $4 and (u.id = $1 or w.id = $2 or lower(u.email) = lower($3))
      limit 1`,
    [recipient.userId ?? null, recipient.walletId ?? null, recipient.email ?? null, currency],
  );
  const row = rows.rows[0];
  return row === undefined ? null : { id: row.id, userId: row.user_id, currency: row.currency };
}
