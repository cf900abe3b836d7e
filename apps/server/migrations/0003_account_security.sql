-- Account security: TOTP 2FA, recovery codes, login challenges, lockouts, audit log.

-- The TOTP secret is stored encrypted (AES-256-GCM with a key derived from the server secret),
-- never in plain text. last_step is the last 30-second step accepted: a code works once.
create table user_totp (
  user_id uuid primary key references users (id),
  secret_ciphertext bytea not null,
  status text not null check (status in ('pending', 'enabled')),
  last_step bigint not null default 0,
  created_at timestamptz not null default now(),
  enabled_at timestamptz
);

create table recovery_codes (
  id uuid primary key,
  user_id uuid not null references users (id),
  code_sha256 bytea not null,
  used_at timestamptz
);
create index recovery_codes_user_idx on recovery_codes (user_id) where used_at is null;

-- A password that was right for a 2FA user opens a short-lived challenge instead of a session.
create table login_challenges (
  id uuid primary key,
  user_id uuid not null references users (id),
  expires_at timestamptz not null,
  used_at timestamptz
);

-- Failed attempts per subject (a lowercased email), kept in PostgreSQL so that a restart does
-- not reset a lockout (PCI DSS 8.3.4). Unknown emails are tracked the same way as known ones.
create table auth_failures (
  subject text primary key,
  failures integer not null default 0,
  window_started_at timestamptz not null,
  locked_until timestamptz
);

-- Sessions revoked by logout: access tokens carry their family id and are refused once revoked.
create index refresh_tokens_family_revoked_idx on refresh_tokens (family_id) where revoked_at is not null;

-- The audit log: who, what, when, where, object, outcome. Append-only and hash-chained: each
-- row's hash covers its content and the previous row's hash, so editing or deleting a row
-- breaks every hash after it.
create table audit_log (
  seq bigint primary key,
  id uuid not null unique,
  at timestamptz not null,
  actor text not null,
  action text not null,
  object text,
  outcome text not null check (outcome in ('success', 'failure', 'denied')),
  ip text,
  device text,
  details jsonb not null default '{}',
  prev_hash bytea not null,
  hash bytea not null
);

create trigger audit_log_no_update_delete
  before update or delete on audit_log
  for each row execute function journal_events_are_append_only();
create trigger audit_log_no_truncate
  before truncate on audit_log
  for each statement execute function journal_events_are_append_only();
revoke update, delete, truncate on audit_log from public;
