-- Users, merchants, credentials, payments and idempotency keys.

create table users (
  id uuid primary key,
  email text not null,
  name text not null,
  password_hash text not null,
  created_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

-- A wallet is a user's ledger account in one currency; the wallet id is the account id.
create table wallets (
  id uuid primary key references ledger_accounts (id),
  user_id uuid not null references users (id),
  currency text not null,
  created_at timestamptz not null default now(),
  unique (user_id, currency)
);

create table merchants (
  id uuid primary key,
  name text not null,
  category text not null,
  currency text not null,
  fee_bps integer not null check (fee_bps between 0 and 10000),
  account_id uuid not null unique references ledger_accounts (id),
  created_at timestamptz not null default now()
);

-- Secret keys are high-entropy, so a SHA-256 digest is enough to store them (they are never
-- recoverable); the visible prefix helps operators tell keys apart.
create table merchant_api_keys (
  id uuid primary key,
  merchant_id uuid not null references merchants (id),
  mode text not null check (mode in ('test', 'live')),
  display_prefix text not null,
  secret_sha256 bytea not null unique,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

-- Refresh tokens: stored as a digest, one row per issued token, grouped in rotation families.
create table refresh_tokens (
  id uuid primary key,
  user_id uuid not null references users (id),
  family_id uuid not null,
  token_sha256 bytea not null unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index refresh_tokens_family_idx on refresh_tokens (family_id);

-- System accounts, one per (code, currency): funding source, merchant fees.
create table system_accounts (
  code text not null,
  currency text not null,
  account_id uuid not null unique references ledger_accounts (id),
  primary key (code, currency)
);

-- Payments of every kind: P2P transfers, merchant payments, wallet funding.
create table payments (
  id uuid primary key,
  kind text not null check (kind in ('transfer', 'payment', 'funding')),
  status text not null check (status in (
    'requires_action', 'processing', 'requires_capture', 'succeeded', 'canceled', 'failed',
    'outcome_unknown')),
  payer_user_id uuid references users (id),
  payer_account_id uuid not null references ledger_accounts (id),
  payee_user_id uuid references users (id),
  merchant_id uuid references merchants (id),
  payee_account_id uuid not null references ledger_accounts (id),
  amount bigint not null check (amount > 0),
  currency text not null,
  fee bigint not null default 0 check (fee >= 0),
  capture_method text not null default 'automatic' check (capture_method in ('automatic', 'manual')),
  amount_captured bigint not null default 0 check (amount_captured >= 0),
  amount_refunded bigint not null default 0 check (amount_refunded >= 0),
  hold_transfer_id uuid references ledger_transfers (id),
  hold_expires_at timestamptz,
  failure_code text,
  cancellation_reason text,
  description text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check (amount_captured <= amount),
  check (amount_refunded <= amount_captured),
  check (fee <= amount)
);
create index payments_payer_idx on payments (payer_account_id, id desc);
create index payments_payee_idx on payments (payee_account_id, id desc);
create index payments_merchant_idx on payments (merchant_id, id desc) where merchant_id is not null;
create index payments_payer_user_idx on payments (payer_user_id, id desc) where payer_user_id is not null;
create index payments_hold_expiry_idx on payments (hold_expires_at) where status = 'requires_capture';

create table refunds (
  id uuid primary key,
  payment_id uuid not null references payments (id),
  amount bigint not null check (amount > 0),
  fee_returned bigint not null default 0 check (fee_returned >= 0),
  status text not null check (status in ('succeeded', 'failed')),
  reason text,
  created_at timestamptz not null
);
create index refunds_payment_idx on refunds (payment_id);

-- Idempotency keys (Stripe's contract, Brandur's design): claimed in the same transaction as the
-- effect, scoped to the caller, with a digest of the request.
create table idempotency_keys (
  scope text not null,
  key text not null,
  request_sha256 bytea not null,
  status text not null check (status in ('in_progress', 'completed')),
  response_status integer,
  response_body json,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (scope, key)
);
create index idempotency_keys_created_idx on idempotency_keys (created_at);
