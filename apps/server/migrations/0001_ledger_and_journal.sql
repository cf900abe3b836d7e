-- The ledger (ARCHITECTURE §4, TigerBeetle's model) and the append-only journal.
-- Balances are enforced here as well as in code: CHECK constraints make a negative balance of a
-- flagged account impossible even if the application had a bug.

create table ledger_accounts (
  id uuid primary key,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  code text not null,
  flags integer not null default 0,
  debits_posted bigint not null default 0 check (debits_posted >= 0),
  credits_posted bigint not null default 0 check (credits_posted >= 0),
  debits_pending bigint not null default 0 check (debits_pending >= 0),
  credits_pending bigint not null default 0 check (credits_pending >= 0),
  created_at timestamptz not null default now(),
  -- flag 1: debits_must_not_exceed_credits (a wallet cannot go below zero)
  constraint debits_must_not_exceed_credits
    check ((flags & 1) = 0 or debits_posted + debits_pending <= credits_posted),
  -- flag 2: credits_must_not_exceed_debits
  constraint credits_must_not_exceed_debits
    check ((flags & 2) = 0 or credits_posted + credits_pending <= debits_posted)
);

-- Transfers are immutable. Flags: 1 linked, 2 pending, 4 post_pending, 8 void_pending.
-- For post/void, amount is what was posted or released and the accounts are the pending
-- transfer's. pending_amount copies the pending transfer's amount so that a transfer row alone
-- says how it moved every balance column.
create table ledger_transfers (
  id uuid primary key,
  debit_account_id uuid not null references ledger_accounts (id),
  credit_account_id uuid not null references ledger_accounts (id),
  amount bigint not null check (amount >= 0),
  pending_amount bigint not null default 0 check (pending_amount >= 0),
  currency text not null,
  code text not null,
  flags integer not null default 0,
  pending_id uuid references ledger_transfers (id),
  timeout_seconds integer not null default 0,
  created_at timestamptz not null,
  check (debit_account_id <> credit_account_id),
  check ((flags & 12) <> 0 or amount > 0),
  check (((flags & 12) = 0) = (pending_id is null))
);
create index ledger_transfers_debit_idx on ledger_transfers (debit_account_id, id);
create index ledger_transfers_credit_idx on ledger_transfers (credit_account_id, id);

-- The state of two-phase transfers: a projection, kept in step in the same transaction.
create table ledger_pending_transfers (
  transfer_id uuid primary key references ledger_transfers (id),
  status text not null check (status in ('pending', 'posted', 'voided', 'expired')),
  expires_at timestamptz,
  resolved_by uuid references ledger_transfers (id)
);
create index ledger_pending_expiry_idx on ledger_pending_transfers (expires_at)
  where status = 'pending' and expires_at is not null;

-- The journal: every state change, appended in the same transaction as the change.
-- tx_id lets readers stop below pg_snapshot_xmin so that a late commit is never skipped.
create table journal_events (
  seq bigint generated always as identity primary key,
  id uuid not null unique,
  type text not null,
  stream_id uuid not null,
  data jsonb not null,
  tx_id xid8 not null default pg_current_xact_id(),
  recorded_at timestamptz not null default now()
);
create index journal_events_stream_idx on journal_events (stream_id, seq);

create function journal_events_are_append_only() returns trigger
language plpgsql as $$
begin
  raise exception 'journal_events is append-only: % is not allowed', tg_op
    using errcode = 'insufficient_privilege';
end;
$$;

create trigger journal_events_no_update_delete
  before update or delete on journal_events
  for each row execute function journal_events_are_append_only();
create trigger journal_events_no_truncate
  before truncate on journal_events
  for each statement execute function journal_events_are_append_only();

revoke update, delete, truncate on journal_events from public;
