import { newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';

/** A user's passkey as stored (the public key only: the private key never leaves the phone). */
export interface PasskeyRecord {
  readonly id: string;
  readonly userId: string;
  readonly credentialId: string;
  readonly publicKey: Uint8Array<ArrayBuffer>;
  readonly counter: number;
  readonly transports: readonly string[];
  readonly name: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

type Row = {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Buffer;
  counter: string;
  transports: string[];
  name: string;
  created_at: Date;
  last_used_at: Date | null;
};

const columns =
  'id, user_id, credential_id, public_key, counter, transports, name, created_at, last_used_at';

const fromRow = (r: Row): PasskeyRecord => ({
  id: r.id,
  userId: r.user_id,
  credentialId: r.credential_id,
  publicKey: new Uint8Array(
    r.public_key.buffer.slice(
      r.public_key.byteOffset,
      r.public_key.byteOffset + r.public_key.byteLength,
    ),
  ) as Uint8Array<ArrayBuffer>,
  counter: Number(r.counter),
  transports: r.transports,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

export const challengeTtlMs = 5 * 60_000;

export async function storeChallenge(
  q: Queryable,
  input: { userId: string | null; purpose: 'register' | 'login'; challenge: string },
  now: Date,
): Promise<string> {
  const id = newUuid(now.getTime());
  await q.query(
    `insert into webauthn_challenges (id, user_id, purpose, challenge, expires_at)
     values ($1, $2, $3, $4, $5)`,
    [id, input.userId, input.purpose, input.challenge, new Date(now.getTime() + challengeTtlMs)],
  );
  return id;
}

/** Takes a challenge once (used, or expired: null). */
export async function takeChallenge(
  q: Queryable,
  input: { id: string; userId: string | null; purpose: 'register' | 'login' },
  now: Date,
): Promise<string | null> {
  const { rows } = await q.query<{ challenge: string }>(
    `update webauthn_challenges set used_at = $4
      where id = $1 and purpose = $3 and user_id is not distinct from $2
        and used_at is null and expires_at > $4
      returning challenge`,
    [input.id, input.userId, input.purpose, now],
  );
  return rows[0]?.challenge ?? null;
}

export async function addPasskey(
  q: Queryable,
  input: Omit<PasskeyRecord, 'id' | 'lastUsedAt'>,
): Promise<PasskeyRecord | null> {
  const { rows } = await q.query<Row>(
    `insert into passkeys (id, user_id, credential_id, public_key, counter, transports, name,
                           created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (credential_id) do nothing
     returning ${columns}`,
    [
      newUuid(input.createdAt.getTime()),
      input.userId,
      input.credentialId,
      Buffer.from(input.publicKey),
      input.counter,
      input.transports,
      input.name,
      input.createdAt,
    ],
  );
  return rows[0] === undefined ? null : fromRow(rows[0]);
}

export async function passkeyByCredential(
  q: Queryable,
  credentialId: string,
): Promise<PasskeyRecord | null> {
  const { rows } = await q.query<Row>(`select ${columns} from passkeys where credential_id = $1`, [
    credentialId,
  ]);
  return rows[0] === undefined ? null : fromRow(rows[0]);
}

export async function listPasskeys(q: Queryable, userId: string): Promise<PasskeyRecord[]> {
  const { rows } = await q.query<Row>(
    `select ${columns} from passkeys where user_id = $1 order by created_at`,
    [userId],
  );
  return rows.map(fromRow);
}

/**
 * Records a use: the counter must move forward (0 stays 0 for authenticators that keep none).
 * False when it did not: a cloned authenticator, refused.
 */
export async function usePasskey(
  q: Queryable,
  id: string,
  counter: number,
  now: Date,
): Promise<boolean> {
  const result = await q.query(
    `update passkeys set counter = $2, last_used_at = $3
      where id = $1 and (counter < $2 or (counter = 0 and $2 = 0))`,
    [id, counter, now],
  );
  return result.rowCount === 1;
}

export async function removePasskey(q: Queryable, userId: string, id: string): Promise<boolean> {
  const result = await q.query('delete from passkeys where id = $1 and user_id = $2', [id, userId]);
  return result.rowCount === 1;
}
