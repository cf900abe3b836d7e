import { newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';

export type ListSubject = 'user' | 'device' | 'payee';

/** An operator's allow or block entry for a user, a device or a payee wallet. */
export interface RiskListEntry {
  readonly id: string;
  readonly subject: ListSubject;
  readonly value: string;
  readonly action: 'allow' | 'block';
  readonly note: string | null;
  readonly expiresAt: Date | null;
  readonly createdAt: Date;
}

type Row = {
  id: string;
  subject: ListSubject;
  value: string;
  action: 'allow' | 'block';
  note: string | null;
  expires_at: Date | null;
  created_at: Date;
};

const fromRow = (r: Row): RiskListEntry => ({
  id: r.id,
  subject: r.subject,
  value: r.value,
  action: r.action,
  note: r.note,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
});

export async function addListEntry(
  q: Queryable,
  entry: Omit<RiskListEntry, 'id'>,
): Promise<RiskListEntry> {
  const id = newUuid();
  await q.query(
    `insert into risk_lists (id, subject, value, action, note, expires_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      id,
      entry.subject,
      entry.value,
      entry.action,
      entry.note,
      entry.expiresAt?.toISOString() ?? null,
      entry.createdAt.toISOString(),
    ],
  );
  return { id, ...entry };
}

/** Entries in force now (not expired), newest first. */
export async function activeListEntries(q: Queryable, now: Date): Promise<RiskListEntry[]> {
  const { rows } = await q.query<Row>(
    `select id, subject, value, action, note, expires_at, created_at from risk_lists
      where expires_at is null or expires_at > $1 order by created_at desc limit 500`,
    [now.toISOString()],
  );
  return rows.map(fromRow);
}

/** Removes an entry; false when there was none. */
export async function removeListEntry(q: Queryable, id: string): Promise<boolean> {
  const result = await q.query('delete from risk_lists where id = $1', [id]);
  return (result.rowCount ?? 0) > 0;
}
