-- Alerts for users and merchants (money received, large payments, top-ups, payouts, refunds,
-- new devices, bursts of failed log-ins), made from outbox events by a consumer.
create table notifications (
  id uuid primary key,
  user_id uuid references users (id),
  merchant_id uuid references merchants (id),
  type text not null,
  title text not null,
  body text not null,
  object_id text,
  event_id uuid not null,
  read_at timestamptz,
  created_at timestamptz not null default now(),
  check ((user_id is null) <> (merchant_id is null)),
  -- One notification per event, recipient and kind: a replayed relay batch adds nothing.
  unique (event_id, user_id, merchant_id, type)
);
create index notifications_user_idx on notifications (user_id, id desc) where user_id is not null;
create index notifications_merchant_idx on notifications (merchant_id, id desc) where merchant_id is not null;
