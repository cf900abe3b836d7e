import type { JournalEventType } from '@kassa/contracts';
import { newUuid } from '../../kernel/ids.ts';
import { BatchEffects, batchStatement } from '../../platform/batch-effects.ts';
import type { Queryable } from '../../platform/db.ts';

export interface JournalEvent {
  readonly type: JournalEventType;
  /** The aggregate the event belongs to (account, payment, user…). */
  readonly streamId: string;
  readonly data: Record<string, unknown>;
}

/** One statement appends any number of events (bulk, through unnest). Bigints are written as
 * strings: no precision lost. */
const appendStatement = batchStatement<JournalEvent>(
  `insert into journal_events (id, type, stream_id, data)
  select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::jsonb[])`,
  (event) => [newUuid(), event.type, event.streamId, JSON.stringify(event.data, bigintAsString)],
);

/** Adds events to a ledger batch (one statement for all of the batch's events). */
export function addJournalEvents(effects: BatchEffects, events: readonly JournalEvent[]): void {
  for (const event of events) effects.add(appendStatement, event);
}

/**
 * Appends events to the journal in the caller's transaction, in one statement. The journal is
 * the truth (ARCHITECTURE §1.3): callers append in the same transaction as the change itself.
 */
export async function appendEvents(q: Queryable, events: readonly JournalEvent[]): Promise<void> {
  await BatchEffects.run(q, appendStatement, events);
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
