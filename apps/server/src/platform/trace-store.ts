import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import type { Queryable } from './db.ts';

/**
 * Spans and log lines in PostgreSQL (migration 0025), for when no OTLP collector is configured.
 * Writes go through a pool of their own (two connections), so tracing never takes a connection
 * a payment is waiting for, and each call writes a whole batch with one statement.
 */
export interface TraceStore {
  writeSpans(spans: readonly ReadableSpan[]): Promise<void>;
  /** pino's serialized lines (already redacted). */
  writeLogLines(lines: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const tables = ['trace_spans', 'trace_logs'] as const;
const dayMs = 86_400_000;

/** `trace_spans_p20250131`: the partition of one UTC day. */
function partitionName(table: string, day: number): string {
  return `${table}_p${new Date(day * dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** PostgreSQL's "table exists already" and "type exists already" (a concurrent create). */
const alreadyCreated = new Set(['42P07', '23505']);

async function createPartition(q: Queryable, table: string, day: number): Promise<void> {
  const from = new Date(day * dayMs).toISOString();
  const to = new Date((day + 1) * dayMs).toISOString();
  try {
    await q.query(
      `create table if not exists ${partitionName(table, day)} partition of ${table}
         for values from ('${from}') to ('${to}')`,
    );
  } catch (error) {
    if (!alreadyCreated.has((error as { code?: string }).code ?? '')) throw error;
  }
}

/**
 * Both inserts take one JSON array: serializing it is one native call, and log lines, already
 * JSON, are joined as they are, never parsed here. PostgreSQL takes the fields apart.
 */
const insertSpansSql = `insert into trace_spans (trace_id, span_id, parent_span_id, name, kind,
    service, started_at, duration_us, status_code, status_message, request_id, object_id, attributes)
  select t, s, p, n, k, sv, timestamptz 'epoch' + st * interval '1 microsecond', d, sc, sm, r, o, a
    from jsonb_to_recordset($1::jsonb) as x(t text, s text, p text, n text, k int2, sv text,
      st int8, d int8, sc int2, sm text, r text, o text, a jsonb)`;

const insertLogsSql = `insert into trace_logs (at, level, service, message, trace_id, span_id,
    request_id, actor, line)
  select coalesce((l->>'time')::timestamptz, now()), coalesce((l->>'level')::int2, 30),
         coalesce(l->>'service', 'kassa'), l->>'msg', l->>'trace_id', l->>'span_id',
         l->>'request_id', l->>'actor', l
    from jsonb_array_elements($1::jsonb) as l`;

const micros = ([seconds, nanos]: readonly [number, number]) =>
  seconds * 1_000_000 + Math.floor(nanos / 1_000);

function spanRows(spans: readonly ReadableSpan[]): { json: string; days: number[] } {
  const days = new Set<number>();
  const rows = spans.map((span) => {
    const { traceId, spanId } = span.spanContext();
    const {
      ['kassa.request_id']: requestId,
      ['kassa.object_id']: objectId,
      ...rest
    } = span.attributes;
    const startedUs = micros(span.startTime);
    days.add(Math.floor(startedUs / 1_000 / dayMs));
    const events = span.events.map((e) => ({ name: e.name, at_us: micros(e.time) }));
    return {
      t: traceId,
      s: spanId,
      p: span.parentSpanContext?.spanId ?? null,
      n: span.name,
      k: span.kind,
      sv: String(span.resource.attributes['service.name'] ?? 'kassa'),
      st: startedUs,
      d: micros(span.duration),
      sc: span.status.code,
      sm: span.status.message ?? null,
      r: typeof requestId === 'string' ? requestId : null,
      o: typeof objectId === 'string' ? objectId : null,
      a: events.length === 0 ? rest : { ...rest, events },
    };
  });
  return { json: withoutNul(JSON.stringify(rows)), days: [...days] };
}

/** jsonb refuses the NUL character (`\u0000` in JSON text): it is kept spelled out instead. */
function withoutNul(json: string): string {
  return json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\\\u0000');
}

/**
 * pino's lines as one JSON array. Their days are today's (and yesterday's just after midnight):
 * lines are shipped within seconds of being written.
 */
function logRows(lines: readonly string[], nowMs: number): { json: string; days: number[] } {
  return {
    json: withoutNul(`[${lines.map((line) => line.trim()).join(',')}]`),
    days: [...new Set([Math.floor((nowMs - 60_000) / dayMs), Math.floor(nowMs / dayMs)])],
  };
}

export function createTraceStore(options: {
  readonly connectionString: string;
  readonly applicationName: string;
}): TraceStore {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 2,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    options: '-c statement_timeout=10000',
  });
  // A lost connection is the next write's error; it must not crash the process.
  pool.on('error', () => undefined);
  const known = new Set<string>();

  async function write(
    table: (typeof tables)[number],
    sql: string,
    batch: { json: string; days: number[] },
  ): Promise<void> {
    for (const day of batch.days) {
      const name = partitionName(table, day);
      if (known.has(name)) continue;
      await createPartition(pool, table, day);
      known.add(name);
    }
    await pool.query(sql, [batch.json]);
  }

  return {
    writeSpans: (spans) =>
      spans.length === 0
        ? Promise.resolve()
        : write('trace_spans', insertSpansSql, spanRows(spans)),
    writeLogLines: (lines) =>
      lines.length === 0
        ? Promise.resolve()
        : write('trace_logs', insertLogsSql, logRows(lines, Date.now())),
    close: () => pool.end(),
  };
}

/**
 * Drops the day partitions of spans and logs that ended more than `retentionDays` before `now`
 * (the worker's housekeeping); returns how many it dropped.
 */
export async function dropExpiredTracePartitions(
  q: Queryable,
  now: Date,
  retentionDays: number,
): Promise<number> {
  const partitions = await q.query<{ name: string }>(
    `select c.relname as name from pg_inherits i
       join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
      where p.relname = any($1::text[])`,
    [tables],
  );
  const keepFromDay = Math.floor(now.getTime() / dayMs) - retentionDays;
  let dropped = 0;
  for (const { name } of partitions.rows) {
    const match = /^trace_(?:spans|logs)_p(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (match === null) continue;
    const day = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / dayMs;
    if (day >= keepFromDay) continue;
    await q.query(`drop table if exists ${name}`);
    dropped += 1;
  }
  return dropped;
}
