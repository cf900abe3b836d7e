import type { PublicEventType } from '@kassa/contracts';
import { newUuid } from '../../kernel/ids.ts';
import { unnestParams, type Queryable } from '../../platform/db.ts';
import { BatchEffects, batchStatement } from '../../platform/batch-effects.ts';
import { currentScope, currentTraceparent, noteTraceObject } from '../../platform/tracing.ts';

/**
 * A public event (shared/API.md event types) about one object, with the object as it is at the
 * moment of the change. It is written to the outbox (`events`) in the transaction of the change;
 * everything slow (webhooks, notifications) happens from there, after commit.
 */
export interface PublicEvent {
  readonly type: PublicEventType;
  readonly object: { readonly id: string } & Record<string, unknown>;
  /** Users who may read the event (payer, payee). */
  readonly userIds: readonly string[];
  /** The merchant it concerns (its webhooks receive it). */
  readonly merchantId: string | null;
}

/**
 * One statement inserts any number of events (user ids travel comma-joined: arrays of arrays
 * are not rectangular). Each carries the trace and request it was written in, so the worker's
 * handling of it (webhooks, notifications) continues that trace.
 */
const insertEventsSql = `insert into events (id, type, object_id, data, user_ids, merchant_id, traceparent, request_id)
  select id, type, object_id, data, case when users = '' then '{}'::uuid[] else string_to_array(users, ',')::uuid[] end, merchant_id, traceparent, request_id
    from unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::uuid[], $7::text[], $8::text[])
      as e(id, type, object_id, data, users, merchant_id, traceparent, request_id)`;

function eventRow(event: PublicEvent): unknown[] {
  noteTraceObject(event.object.id);
  return [
    newUuid(),
    event.type,
    event.object.id,
    JSON.stringify({ object: event.object }),
    event.userIds.join(','),
    event.merchantId,
    currentTraceparent(),
    currentScope()?.requestId ?? null,
  ];
}

const insertEvents = batchStatement<PublicEvent>(insertEventsSql, eventRow);

/** Adds events to a ledger batch (one statement for the whole batch). */
export function recordPublicEvents(effects: BatchEffects, events: readonly PublicEvent[]): void {
  for (const event of events) effects.add(insertEvents, event);
}

/** Appends events in the caller's transaction. */
export async function appendPublicEvents(
  q: Queryable,
  events: readonly PublicEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(eventRow);
  await q.query(insertEventsSql, unnestParams(rows));
}
