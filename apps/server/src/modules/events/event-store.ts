import { encodeId } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';

export interface EventRow {
  seq: string;
  id: string;
  type: string;
  version: number;
  object_id: string;
  data: { object: unknown };
  merchant_id: string | null;
  created_at: Date;
  /** The trace the event was written in, and the request that caused it (null: none). */
  traceparent?: string | null;
  request_id?: string | null;
}

/** An event as a consumer gets it: with its readers and its place in commit order. */
export type RelayedEvent = EventRow & {
  readonly user_ids: readonly string[];
  /** The writing transaction's id: `(tx_id, seq)` is the event's place in commit order. */
  readonly tx_id: string;
};

export const eventColumns =
  'seq, id, type, version, object_id, data, merchant_id, created_at, traceparent, request_id';

export function eventView(row: EventRow) {
  return {
    id: encodeId('evt', row.id),
    object: 'event' as const,
    type: row.type,
    version: row.version,
    created_at: row.created_at.toISOString(),
    data: row.data,
  };
}

export type EventReader = { readonly userId: string } | { readonly merchantId: string };

function ownership(reader: EventReader): [string, string] {
  // `@>`, not `= any(user_ids)`: only the containment operator can use the GIN index on
  // user_ids; with `= any` a user's page scanned every event newer than it.
  return 'userId' in reader
    ? ['user_ids @> array[$1::uuid]', reader.userId]
    : ['merchant_id = $1::uuid', reader.merchantId];
}

/** The reader's events, newest first (ids are time-ordered). */
export async function listEvents(
  q: Queryable,
  reader: EventReader,
  filter: {
    type: string | null;
    startingAfter: string | null;
    /** Only events newer than this one: the page just before it (for following new events). */
    endingBefore: string | null;
    limit: number;
  },
): Promise<{ data: ReturnType<typeof eventView>[]; hasMore: boolean }> {
  const [owned, owner] = ownership(reader);
  const newer = filter.endingBefore !== null;
  const rows = await q.query<EventRow>(
    `select ${eventColumns} from events
      where ${owned} and ($2::text is null or type = $2) and ($3::uuid is null or id < $3)
        and ($4::uuid is null or id > $4)
      order by id ${newer ? 'asc' : 'desc'} limit $5`,
    [owner, filter.type, filter.startingAfter, filter.endingBefore, filter.limit + 1],
  );
  const page = rows.rows.slice(0, filter.limit);
  return {
    data: (newer ? page.reverse() : page).map(eventView),
    hasMore: rows.rows.length > filter.limit,
  };
}

export async function getEvent(q: Queryable, reader: EventReader, id: string) {
  const [owned, owner] = ownership(reader);
  const rows = await q.query<EventRow>(
    `select ${eventColumns} from events where ${owned} and id = $2`,
    [owner, id],
  );
  return rows.rows[0] === undefined ? null : eventView(rows.rows[0]);
}

/** The outbox rows that messages name, by id: the only version of an event a consumer acts on. */
export async function storedEvents(
  q: Queryable,
  ids: readonly string[],
): Promise<Map<string, RelayedEvent>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<RelayedEvent>(
    `select ${eventColumns}, user_ids::text[] as user_ids, tx_id::text from events
      where id = any($1::uuid[])`,
    [[...new Set(ids)]],
  );
  return new Map(rows.rows.map((row) => [row.id, row]));
}
