-- Top-ups and payouts: payments that go through the external processor.

alter table payments drop constraint payments_kind_check;
alter table payments add constraint payments_kind_check
  check (kind in ('transfer', 'payment', 'funding', 'topup', 'payout'));

-- A flow's progress across its atomic phases (Brandur Leach's recovery points). The row is
-- the request's idempotency record too: (scope, key) finds it when the client retries, and
-- `lease_until` says whether a live process is driving it or it may be resumed.
create table processor_flows (
  payment_id uuid primary key references payments (id),
  kind text not null check (kind in ('topup', 'payout')),
  idempotency_scope text not null,
  idempotency_key text not null,
  request_sha256 bytea not null,
  -- `started`: the payment exists (a payout's hold is placed), the processor may have been
  -- called; `finished`: the outcome is recorded in the ledger and the payment.
  recovery_point text not null check (recovery_point in ('started', 'finished')),
  -- Sent to the processor as its Idempotency-Key: derived from the payment, so every retry of
  -- this flow, by any process, is the same call to the processor.
  processor_key text not null unique,
  processor_object_id text,
  -- 3-D Secure: where the cardholder confirms a charge that `requires_action`.
  action_url text,
  payment_method_id uuid references vault_cards (id),
  -- The bank account for a payout, sealed by the vault's secret box (account numbers are
  -- personal data); `bank_last4` is what is shown.
  bank_account_sealed bytea,
  bank_last4 text,
  ledger_transfer_id uuid not null,
  hold_transfer_id uuid references ledger_transfers (id),
  attempts integer not null default 0,
  lease_until timestamptz not null,
  next_attempt_at timestamptz not null,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (idempotency_scope, idempotency_key),
  check ((kind = 'topup') = (payment_method_id is not null)),
  check ((kind = 'payout') = (bank_account_sealed is not null and hold_transfer_id is not null))
);
create index processor_flows_unfinished_idx on processor_flows (next_attempt_at)
  where recovery_point = 'started';

-- Reconciliation runs against the processor's settlement report.
create table reconciliation_runs (
  id uuid primary key,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  matched integer not null,
  in_flight integer not null,
  mismatches jsonb not null
);
