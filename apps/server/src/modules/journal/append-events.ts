import type { JournalEventType } from '@kassa/contracts';
import { newUuid } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';

export interface JournalEvent {
  readonly type: JournalEventType;
  /** The aggregate the event belongs to (account, payment, user…). */
  readonly streamId: string;
  readonly data: Record<string, unknown>;
}

/**
 * Appends events to the journal in the caller's transaction, in one statement. The journal is
 * the truth (ARCHITECTURE §1.3): callers append in the same transaction as the change itself.
 * Bigint values in `data` are written as strings so no precision is lost in JSON.
 */
export async function appendEvents(q: Queryable, events: readonly JournalEvent[]): Promise<void> {
  if (events.length === 0) return;
  await q.query(
    `insert into journal_events (id, type, stream_id, data)
     select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::jsonb[])`,
    [
      events.map(() => newUuid()),
      events.map((event) => event.type),
      events.map((event) => event.streamId),
      events.map((event) => JSON.stringify(event.data, bigintAsString)),
    ],
  );
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
