import { encodeId } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';

export type Recipient =
  { readonly userId: string } | { readonly merchantId: string } | { readonly operator: true };

/** What the worker NOTIFYs and streams subscribe to: a user id, `m:<merchant id>`, `operator`. */
export function recipientKey(recipient: Recipient): string {
  if ('userId' in recipient) return recipient.userId;
  if ('merchantId' in recipient) return `m:${recipient.merchantId}`;
  return 'operator';
}

interface Row {
  id: string;
  type: string;
  title: string;
  body: string;
  object_id: string | null;
  event_id: string;
  read_at: Date | null;
  created_at: Date;
}

export function notificationView(row: Row) {
  return {
    id: encodeId('ntf', row.id),
    object: 'notification' as const,
    type: row.type,
    title: row.title,
    body: row.body,
    related_object: row.object_id,
    event: encodeId('evt', row.event_id),
    read: row.read_at !== null,
    created_at: row.created_at.toISOString(),
  };
}

/** The recipient's rows: a condition on `$1` (the operator's ignores its value). */
function owner(recipient: Recipient): [string, string | null] {
  if ('userId' in recipient) return ['user_id = $1', recipient.userId];
  if ('merchantId' in recipient) return ['merchant_id = $1', recipient.merchantId];
  return ['operator and $1::text is null', null];
}

/** Newest first; `after` (a uuid) returns only newer ones, oldest first (for the stream). */
export async function listNotifications(
  q: Queryable,
  recipient: Recipient,
  options: { after?: string | null; startingAfter?: string | null; limit: number },
) {
  const [where, id] = owner(recipient);
  if (options.after !== undefined && options.after !== null) {
    const rows = await q.query<Row>(
      `select * from notifications where ${where} and id > $2 order by id limit $3`,
      [id, options.after, options.limit],
    );
    return rows.rows;
  }
  const rows = await q.query<Row>(
    `select * from notifications where ${where} and ($2::uuid is null or id < $2) order by id desc limit $3`,
    [id, options.startingAfter ?? null, options.limit],
  );
  return rows.rows;
}

export async function unreadCount(q: Queryable, recipient: Recipient): Promise<number> {
  const [where, id] = owner(recipient);
  const rows = await q.query<{ n: string }>(
    `select count(*)::text as n from notifications where ${where} and read_at is null`,
    [id],
  );
  return Number(rows.rows[0]?.n ?? 0);
}

export async function markRead(
  q: Queryable,
  recipient: Recipient,
  notificationId: string,
  now: Date,
) {
  const [where, id] = owner(recipient);
  const rows = await q.query<Row>(
    `update notifications set read_at = coalesce(read_at, $3) where ${where} and id = $2 returning *`,
    [id, notificationId, now],
  );
  return rows.rows[0] === undefined ? null : notificationView(rows.rows[0]);
}
