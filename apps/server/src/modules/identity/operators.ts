import { newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';
import { newSecret, sha256 } from './secret-tokens.ts';

/**
 * Named operator accounts. The bootstrap operator key (KASSA_OPERATOR_KEY) creates them; each
 * has its own key (`opk_…`, shown once, stored as a SHA-256 digest), so that changes which need
 * two people (a risk rule set: one submits, another approves) know who is who.
 */
export interface OperatorRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly disabledAt: Date | null;
}

type Row = { id: string; name: string; created_at: Date; disabled_at: Date | null };

const fromRow = (r: Row): OperatorRecord => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
});

export const operatorKeyPrefix = 'opk_';

/** Creates an account; null when the name is taken. The key is returned once, never stored. */
export async function createOperator(
  q: Queryable,
  name: string,
  now: Date,
): Promise<{ operator: OperatorRecord; key: string } | null> {
  const id = newUuid(now.getTime());
  const key = `${operatorKeyPrefix}${newSecret(24)}`;
  const { rows } = await q.query<Row>(
    `insert into operators (id, name, key_hash, created_at) values ($1, $2, $3, $4)
     on conflict (name) do nothing returning id, name, created_at, disabled_at`,
    [id, name, sha256(key), now.toISOString()],
  );
  const row = rows[0];
  return row === undefined ? null : { operator: fromRow(row), key };
}

/** The enabled account a key belongs to. */
export async function operatorForKey(q: Queryable, key: string): Promise<OperatorRecord | null> {
  const { rows } = await q.query<Row>(
    `select id, name, created_at, disabled_at from operators
      where key_hash = $1 and disabled_at is null`,
    [sha256(key)],
  );
  const row = rows[0];
  return row === undefined ? null : fromRow(row);
}

export async function listOperators(q: Queryable): Promise<OperatorRecord[]> {
  const { rows } = await q.query<Row>(
    'select id, name, created_at, disabled_at from operators order by created_at, id',
  );
  return rows.map(fromRow);
}

/** Disables an account (its key stops working at once); false when there is no such account. */
export async function disableOperator(q: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await q.query(
    'update operators set disabled_at = coalesce(disabled_at, $2) where id = $1',
    [id, now.toISOString()],
  );
  return (result.rowCount ?? 0) > 0;
}
