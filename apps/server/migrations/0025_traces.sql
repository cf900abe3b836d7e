-- Issue 17 §4: tracing and log aggregation. Without OTEL_EXPORTER_OTLP_ENDPOINT every process
-- writes its spans and log lines here, in batches, off the request path; `kassa trace` reads
-- them back with the business rows. One partition per UTC day: the writer creates the day's
-- partition when it first needs it, and the worker drops those older than TRACE_RETENTION_DAYS
-- (dropping a partition is instant, where deleting rows would bloat the table).
create table trace_spans (
  trace_id text not null,
  span_id text not null,
  parent_span_id text,
  name text not null,
  kind smallint not null,
  -- The process that recorded it: kassa-api, kassa-worker, kassa-processor-sim…
  service text not null,
  started_at timestamptz not null,
  duration_us bigint not null,
  -- OpenTelemetry's status code: 0 unset, 1 ok, 2 error.
  status_code smallint not null default 0,
  status_message text,
  request_id text,
  -- The wire id of what the span was about (pay_…, top_…), when it knew.
  object_id text,
  attributes jsonb not null default '{}'
) partition by range (started_at);
create index trace_spans_trace_idx on trace_spans (trace_id);
create index trace_spans_request_idx on trace_spans (request_id) where request_id is not null;
create index trace_spans_object_idx on trace_spans (object_id) where object_id is not null;

create table trace_logs (
  at timestamptz not null,
  level smallint not null,
  service text not null,
  message text,
  trace_id text,
  span_id text,
  request_id text,
  -- usr_…, mer_…, operator: who the work was for.
  actor text,
  -- The whole line as pino wrote it (already redacted).
  line jsonb not null
) partition by range (at);
create index trace_logs_trace_idx on trace_logs (trace_id) where trace_id is not null;
create index trace_logs_request_idx on trace_logs (request_id) where request_id is not null;

-- The trace an event was written in, so the worker continues it (webhook sends, consumers),
-- and the request that caused it. Null on events from before tracing and from the worker's
-- own untraced housekeeping.
alter table events add column traceparent text;
alter table events add column request_id text;
-- `kassa trace pay_…`: an object's events, and their webhook deliveries, by index.
create index events_object_idx on events (object_id);
create index webhook_deliveries_event_idx on webhook_deliveries (event_id);
