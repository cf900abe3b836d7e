-- Backups, archive checks and restore drills as they ran (the worker, `kassa backup`,
-- `kassa dr drill`): /metrics and the operator's feed read them. A restored copy keeps the rows
-- of its past, which is right: they describe that past.
create table backup_runs (
  id uuid primary key,
  kind text not null check (kind in ('backup', 'drill')),
  -- full | diff | incr for backups; the drill's target time for drills
  detail text not null,
  repo int,
  started_at timestamptz not null,
  finished_at timestamptz,
  ok boolean,
  report jsonb not null default '{}'
);
create index backup_runs_kind_idx on backup_runs (kind, started_at desc);

-- Rows a drill writes just before and just after the moment it restores to: the restored copy
-- must hold the first and not the second ("right to the second").
create table dr_markers (
  id uuid primary key,
  drill_id uuid not null,
  label text not null check (label in ('before', 'after')),
  created_at timestamptz not null default clock_timestamp()
);

-- The operator's own alert feed (failed backups, archive lag, failed drills), beside users' and
-- merchants'. One alert per incident: `event_id` names it.
alter table notifications add column operator boolean not null default false;
alter table notifications drop constraint notifications_check;
alter table notifications add constraint notifications_one_recipient
  check (num_nonnulls(user_id, merchant_id) + operator::int = 1);
create unique index notifications_operator_incident_idx on notifications (event_id, type) where operator;
create index notifications_operator_idx on notifications (id desc) where operator;
