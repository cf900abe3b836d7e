import type { JournalEventType } from '@kassa/contracts';
import { newUuid } from '../../kernel/ids.ts';
import { unnestParams, type Queryable } from '../../platform/db.ts';

export interface JournalEvent {
  readonly type: JournalEventType;
  /** The aggregate the event belongs to (account, payment, user…). */
  readonly streamId: string;
  readonly data: Record<string, unknown>;
}

/** One statement appends any number of events (bulk, through unnest). */
export const appendEventsSql = `insert into journal_events (id, type, stream_id, data)
  select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::jsonb[])`;

/** An event as a row of `appendEventsSql`. Bigints are written as strings: no precision lost. */
export function journalRow(event: JournalEvent): unknown[] {
  return [newUuid(), event.type, event.streamId, JSON.stringify(event.data, bigintAsString)];
}

/**
 * Appends events to the journal in the caller's transaction, in one statement. The journal is
 * the truth (ARCHITECTURE §1.3): callers append in the same transaction as the change itself.
 */
export async function appendEvents(q: Queryable, events: readonly JournalEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(journalRow);
  await q.query(appendEventsSql, unnestParams(rows));
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
