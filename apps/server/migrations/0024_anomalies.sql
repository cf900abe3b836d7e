-- Issue 17 §3: anomalies on business slices (payment kind × merchant × currency, and the
-- processor), found by the worker's detector (modules/anomaly, docs/observability.md).

-- One row per anomaly, open while `cleared_at` is null; at most one open per slice and signal,
-- so two workers judging the same minute raise it once.
create table anomalies (
  id uuid primary key,
  slice text not null,
  signal text not null check (signal in (
    'volume', 'success_rate', 'decline_rate', 'outcome_unknown_rate', 'fraud_block_rate')),
  -- The first anomalous minute, and the minute judged when it was raised / cleared.
  since timestamptz not null,
  raised_at timestamptz not null,
  cleared_at timestamptz,
  -- What the detector read then: per minute and as shares, observed and expected, and z.
  reading jsonb not null,
  cleared_reading jsonb
);
create unique index anomalies_open_idx on anomalies (slice, signal) where cleared_at is null;
create index anomalies_raised_idx on anomalies (raised_at desc);

-- The detector's state per slice (each signal's EWMAs and hysteresis), shared by the workers:
-- whichever holds the detector's lock for a minute carries it on.
create table anomaly_slices (
  slice text primary key,
  state jsonb not null,
  judged_at timestamptz not null
);

-- The first minute not judged yet (a single row).
create table anomaly_watermark (
  singleton boolean primary key default true check (singleton),
  judged_until timestamptz not null
);

-- What the ops webhook (OPS_WEBHOOK_URL) still has to be told, at least once each.
create table anomaly_webhooks (
  id uuid primary key,
  anomaly_id uuid not null references anomalies (id),
  kind text not null check (kind in ('raised', 'cleared')),
  body jsonb not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  delivered_at timestamptz,
  last_error text,
  unique (anomaly_id, kind)
);
create index anomaly_webhooks_due_idx on anomaly_webhooks (next_attempt_at)
  where delivered_at is null;
