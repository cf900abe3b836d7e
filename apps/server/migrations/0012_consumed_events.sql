-- Events each consumer has handled when it reads them from NATS JetStream (NATS_URL set).
-- JetStream delivers at least once (a redelivery after a worker dies between commit and ack, or
-- a republish after the stream's duplicate window): the consumer's insert here, in the same
-- transaction as its effects, makes the second delivery a no-op. Rows older than the stream's
-- retention are reaped by the worker.
create table consumed_events (
  consumer text not null,
  event_id uuid not null,
  handled_at timestamptz not null default now(),
  primary key (consumer, event_id)
);
create index consumed_events_handled_at_idx on consumed_events (handled_at);
