import { decodeId, encodeId, type IdPrefix } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';

/** What `kassa trace` can be asked about: a request, or a payment of any kind. */
export const traceSubjectPrefixes = ['req', 'pay', 'trf', 'top', 'po', 'fnd'] as const;

/** Rows of each kind read at most: a story stays printable and its queries bounded. */
export const storyRowsMax = 5_000;

export type StoryEntry =
  | {
      readonly kind: 'span';
      readonly at: Date;
      readonly durationMs: number;
      readonly name: string;
      readonly service: string;
      readonly traceId: string;
      readonly spanId: string;
      readonly parentSpanId: string | null;
      /** 0 unset, 1 ok, 2 error (OpenTelemetry's codes). */
      readonly status: number;
      readonly statusMessage: string | null;
      readonly requestId: string | null;
      readonly objectId: string | null;
      readonly attributes: Record<string, unknown>;
    }
  | {
      readonly kind: 'log';
      readonly at: Date;
      readonly level: number;
      readonly service: string;
      readonly message: string | null;
      readonly traceId: string | null;
      readonly requestId: string | null;
      readonly actor: string | null;
      readonly line: Record<string, unknown>;
    }
  | {
      readonly kind: 'journal';
      readonly at: Date;
      readonly type: string;
      readonly streamId: string;
      readonly data: unknown;
    }
  | {
      readonly kind: 'event';
      readonly at: Date;
      readonly id: string;
      readonly type: string;
      readonly objectId: string;
      readonly traceId: string | null;
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'webhook';
      readonly at: Date;
      readonly eventId: string;
      readonly endpoint: string;
      readonly status: string;
      readonly attempts: number;
      readonly lastStatus: number | null;
      readonly lastError: string | null;
      readonly deliveredAt: Date | null;
    };

export interface StoryPayment {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly amount: string;
  readonly currency: string;
  readonly createdAt: Date;
  /** The stored risk decision (null on payments scored before issue 15). */
  readonly risk: unknown;
  /** A top-up's or payout's processor flow: how far it got and what the processor said. */
  readonly processorFlow: Record<string, unknown> | null;
}

export interface TraceStory {
  readonly subject: string;
  readonly traceIds: readonly string[];
  readonly payments: readonly StoryPayment[];
  /** In time order. */
  readonly entries: readonly StoryEntry[];
  /** A kind of row stopped at `storyRowsMax`. */
  readonly truncated: boolean;
}

const paymentPrefixes = ['pay', 'trf', 'top', 'po', 'fnd'] as const satisfies IdPrefix[];

/** The uuid of a payment's wire id, whatever its kind; null for anything else. */
function paymentUuid(wire: string): string | null {
  for (const prefix of paymentPrefixes) {
    const uuid = decodeId(prefix, wire);
    if (uuid !== null) return uuid;
  }
  return null;
}

const traceIdOf = (traceparent: string | null) => traceparent?.split('-')[1] ?? null;

/**
 * Everything recorded about a request (`req_…`) or a payment (`pay_…`, `trf_…`, `top_…`,
 * `po_…`, `fnd_…`): the traces it ran in (spans of every process, log lines), and for the
 * payments involved their journal events, public events, webhook deliveries, processor flow and
 * risk decision. Every query is by index. Throws `RangeError` for an id of another kind.
 */
export async function traceStory(q: Queryable, subject: string): Promise<TraceStory> {
  const isRequest = subject.startsWith('req_');
  if (!isRequest && paymentUuid(subject) === null)
    throw new RangeError(`${subject} is neither a request id (req_…) nor a payment id`);
  const traceIds = new Set<string>();
  let objects: string[];
  if (isRequest) {
    const rows = await q.query<{ trace_id: string; object_id: string | null }>(
      `select distinct s.trace_id, o.object_id
         from (select trace_id from trace_spans where request_id = $1
               union select trace_id from trace_logs where request_id = $1 and trace_id is not null) s
         left join trace_spans o on o.trace_id = s.trace_id and o.object_id is not null`,
      [subject],
    );
    for (const row of rows.rows) traceIds.add(row.trace_id);
    objects = [...new Set(rows.rows.flatMap((r) => (r.object_id === null ? [] : [r.object_id])))];
  } else {
    objects = [subject];
    const rows = await q.query<{ trace_id: string }>(
      'select distinct trace_id from trace_spans where object_id = $1',
      [subject],
    );
    for (const row of rows.rows) traceIds.add(row.trace_id);
  }
  const business = await businessRows(
    q,
    objects.filter((o) => paymentUuid(o) !== null),
  );
  if (!isRequest)
    for (const entry of business.entries)
      if (entry.kind === 'event' && entry.traceId !== null) traceIds.add(entry.traceId);
  const traced = await tracedRows(q, [...traceIds], isRequest ? subject : null);
  const entries = [...traced.entries, ...business.entries].sort(
    (a, b) => a.at.getTime() - b.at.getTime(),
  );
  return {
    subject,
    traceIds: [...traceIds],
    payments: business.payments,
    entries,
    truncated: traced.truncated || business.truncated,
  };
}

async function tracedRows(
  q: Queryable,
  traceIds: readonly string[],
  requestId: string | null,
): Promise<{ entries: StoryEntry[]; truncated: boolean }> {
  const spans = await q.query<{
    trace_id: string;
    span_id: string;
    parent_span_id: string | null;
    name: string;
    service: string;
    started_at: Date;
    duration_us: bigint;
    status_code: number;
    status_message: string | null;
    request_id: string | null;
    object_id: string | null;
    attributes: Record<string, unknown>;
  }>(`select * from trace_spans where trace_id = any($1::text[]) order by started_at limit $2`, [
    traceIds,
    storyRowsMax,
  ]);
  // A request's log lines written outside any span (none today) are part of its story too.
  const logs = await q.query<{
    at: Date;
    level: number;
    service: string;
    message: string | null;
    trace_id: string | null;
    request_id: string | null;
    actor: string | null;
    line: Record<string, unknown>;
  }>(
    `select * from trace_logs where trace_id = any($1::text[])
     union select * from trace_logs where request_id = $2 and trace_id is null
     order by at limit $3`,
    [traceIds, requestId, storyRowsMax],
  );
  const entries: StoryEntry[] = [
    ...spans.rows.map((s) => ({
      kind: 'span' as const,
      at: s.started_at,
      durationMs: Number(s.duration_us) / 1000,
      name: s.name,
      service: s.service,
      traceId: s.trace_id,
      spanId: s.span_id,
      parentSpanId: s.parent_span_id,
      status: s.status_code,
      statusMessage: s.status_message,
      requestId: s.request_id,
      objectId: s.object_id,
      attributes: s.attributes,
    })),
    ...logs.rows.map((l) => ({
      kind: 'log' as const,
      at: l.at,
      level: l.level,
      service: l.service,
      message: l.message,
      traceId: l.trace_id,
      requestId: l.request_id,
      actor: l.actor,
      line: l.line,
    })),
  ];
  return {
    entries,
    truncated: spans.rows.length === storyRowsMax || logs.rows.length === storyRowsMax,
  };
}

async function businessRows(
  q: Queryable,
  wireIds: readonly string[],
): Promise<{ payments: StoryPayment[]; entries: StoryEntry[]; truncated: boolean }> {
  if (wireIds.length === 0) return { payments: [], entries: [], truncated: false };
  const uuids = wireIds.map((w) => paymentUuid(w) ?? '');
  const payments = await q.query<{
    id: string;
    kind: string;
    status: string;
    amount: bigint;
    currency: string;
    created_at: Date;
    risk: unknown;
    flow: Record<string, unknown> | null;
  }>(
    `select p.id, p.kind, p.status, p.amount, p.currency, p.created_at, p.risk,
            (select jsonb_build_object('recovery_point', f.recovery_point,
                      'processor_key', f.processor_key, 'processor_object_id', f.processor_object_id,
                      'attempts', f.attempts, 'last_error', f.last_error, 'updated_at', f.updated_at)
               from processor_flows f where f.payment_id = p.id) as flow
       from payments p where p.id = any($1::uuid[])`,
    [uuids],
  );
  const journal = await q.query<{
    recorded_at: Date;
    type: string;
    stream_id: string;
    data: unknown;
  }>(
    `select recorded_at, type, stream_id, data from journal_events
      where stream_id = any($1::uuid[]) order by seq limit $2`,
    [uuids, storyRowsMax],
  );
  const events = await q.query<{
    id: string;
    type: string;
    object_id: string;
    created_at: Date;
    traceparent: string | null;
    request_id: string | null;
  }>(
    `select id, type, object_id, created_at, traceparent, request_id from events
      where object_id = any($1::text[]) order by seq limit $2`,
    [wireIds, storyRowsMax],
  );
  const deliveries = await q.query<{
    event_id: string;
    endpoint_id: string;
    status: string;
    attempts: number;
    last_status: number | null;
    last_error: string | null;
    created_at: Date;
    delivered_at: Date | null;
  }>(
    `select event_id, endpoint_id, status, attempts, last_status, last_error, created_at, delivered_at
       from webhook_deliveries where event_id = any($1::uuid[]) limit $2`,
    [events.rows.map((e) => e.id), storyRowsMax],
  );
  const kindPrefix: Record<string, IdPrefix> = {
    transfer: 'trf',
    payment: 'pay',
    funding: 'fnd',
    topup: 'top',
    payout: 'po',
  };
  return {
    payments: payments.rows.map((p) => ({
      id: encodeId(kindPrefix[p.kind] ?? 'pay', p.id),
      kind: p.kind,
      status: p.status,
      amount: p.amount.toString(),
      currency: p.currency,
      createdAt: p.created_at,
      risk: p.risk,
      processorFlow: p.flow,
    })),
    entries: [
      ...journal.rows.map((j) => ({
        kind: 'journal' as const,
        at: j.recorded_at,
        type: j.type,
        streamId: j.stream_id,
        data: j.data,
      })),
      ...events.rows.map((e) => ({
        kind: 'event' as const,
        at: e.created_at,
        id: encodeId('evt', e.id),
        type: e.type,
        objectId: e.object_id,
        traceId: traceIdOf(e.traceparent),
        requestId: e.request_id,
      })),
      ...deliveries.rows.map((d) => ({
        kind: 'webhook' as const,
        at: d.created_at,
        eventId: encodeId('evt', d.event_id),
        endpoint: encodeId('we', d.endpoint_id),
        status: d.status,
        attempts: d.attempts,
        lastStatus: d.last_status,
        lastError: d.last_error,
        deliveredAt: d.delivered_at,
      })),
    ],
    truncated: [journal, events, deliveries].some((r) => r.rows.length === storyRowsMax),
  };
}
