-- The transactional outbox: public events (shared/API.md event types), written in the same
-- transaction as the change they describe, read by the relay in commit order.
create table events (
  seq bigint generated always as identity primary key,
  id uuid not null unique,
  type text not null,
  version integer not null default 1,
  -- The wire id of the object the event is about (pay_…, trf_…), and its state then.
  object_id text not null,
  data jsonb not null,
  -- Who may read it: users and the merchant the object belongs to.
  user_ids uuid[] not null default '{}',
  merchant_id uuid references merchants (id),
  tx_id xid8 not null default pg_current_xact_id(),
  created_at timestamptz not null default now()
);
create index events_users_idx on events using gin (user_ids);
create index events_merchant_idx on events (merchant_id, seq desc) where merchant_id is not null;
create index events_commit_order_idx on events (tx_id, seq);

-- One guard for every append-only table from here on (the journal keeps its own from 0001).
create function refuse_append_only_change() returns trigger
language plpgsql as $$
begin
  raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
    using errcode = 'insufficient_privilege';
end;
$$;
create trigger events_no_update_delete
  before update or delete on events
  for each row execute function refuse_append_only_change();
create trigger events_no_truncate
  before truncate on events
  for each statement execute function refuse_append_only_change();

-- Where each consumer of the outbox has read to: (tx_id, seq) of the last event it processed.
-- A consumer advances its offset in the same transaction as its own writes: exactly once.
create table outbox_offsets (
  consumer text primary key,
  tx_id xid8 not null,
  seq bigint not null,
  updated_at timestamptz not null default now()
);

create table webhook_endpoints (
  id uuid primary key,
  merchant_id uuid not null references merchants (id),
  url text not null,
  event_types text[] not null,
  -- whsec_ secrets, sealed; the previous one keeps signing for a day after a rotation.
  secret_sealed bytea not null,
  previous_secret_sealed bytea,
  previous_secret_expires_at timestamptz,
  status text not null default 'enabled' check (status in ('enabled', 'disabled')),
  disabled_reason text,
  -- Since when every delivery has failed (null while the endpoint succeeds).
  failing_since timestamptz,
  created_at timestamptz not null,
  deleted_at timestamptz
);
create index webhook_endpoints_merchant_idx on webhook_endpoints (merchant_id) where deleted_at is null;

create table webhook_deliveries (
  id uuid primary key,
  endpoint_id uuid not null references webhook_endpoints (id),
  event_id uuid not null references events (id),
  -- Deliveries about one object reach an endpoint in order: the next waits for the previous.
  ordering_key text not null,
  event_seq bigint not null,
  status text not null check (status in ('pending', 'delivered', 'dead')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  lease_until timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz not null,
  delivered_at timestamptz,
  unique (endpoint_id, event_id)
);
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_order_idx on webhook_deliveries (endpoint_id, ordering_key, event_seq)
  where status = 'pending';
create index webhook_deliveries_dead_idx on webhook_deliveries (endpoint_id, created_at desc) where status = 'dead';
