-- Security hardening (issue 11).

-- Request fingerprints were plain SHA-256 digests of request bodies. For card, bank-account and
-- password bodies that digest gives the secret back by brute force, so every one of them is
-- destroyed. From now on a fingerprint is an HMAC under a key kept outside the database, over a
-- body whose secret fields are left out or replaced by their own keyed digest. An empty
-- fingerprint marks a key from before: a retry with it gets the stored answer (it cannot be
-- told from a different request any more; such keys are reaped within 8 days).
update idempotency_keys set request_sha256 = '\x' where request_sha256 <> '\x';
update processor_flows set request_sha256 = '\x' where request_sha256 <> '\x';

-- Recovery codes carry about 50 bits: a plain digest of one falls to a brute force. They are
-- stored as HMAC(key outside the database, SHA-256(code)); rows from before are re-keyed by
-- the worker's first pass (`keyed` false until then).
alter table recovery_codes add column keyed boolean not null default false;

-- Replay protection of device signatures is keyed on what was signed (device, method, path,
-- body, time, idempotency key), not on the signature's bytes: an ECDSA signature has a second
-- valid form (s and n − s), so keying on bytes let a captured request be replayed once more.
comment on column device_signatures_seen.signature_sha256 is
  'SHA-256 of the device id and the signed request (not of the signature bytes)';

-- Merchant keys can be rolled (the old key works until expires_at) and revoked.
alter table merchant_api_keys add column expires_at timestamptz;
alter table merchant_api_keys add column revoked_reason text;
create index merchant_api_keys_merchant_idx on merchant_api_keys (merchant_id);

-- The name the operator verified (legal name); the merchant's own `name` is a display name it
-- may change, so payers are shown both.
alter table merchants add column verified_name text;

-- Why a payment waits for a second factor (amount, daily_amount, velocity, untrusted_device,
-- policy): a factor enrolled less than a day ago cannot confirm the amount-related ones.
alter table payments add column step_up_reason text;
-- Payments waiting for a second factor expire.
create index payments_requires_action_idx on payments (created_at) where status = 'requires_action';

-- Money moved without a second factor, per user and currency, in hourly buckets (the rolling
-- 24-hour sum) and minute buckets (the 10-minute count). A user's payments are decided one at
-- a time (an advisory lock per user), so parallel requests cannot all slip under a threshold.
create table spend_windows (
  user_id uuid not null references users (id),
  currency text not null,
  bucket_start timestamptz not null,
  granularity text not null check (granularity in ('hour', 'minute')),
  amount bigint not null default 0 check (amount >= 0),
  payments integer not null default 0 check (payments >= 0),
  primary key (user_id, currency, granularity, bucket_start)
);
create index spend_windows_bucket_idx on spend_windows (bucket_start);

-- The step-up decision of each money request, by its idempotency key: a retry or a duplicate
-- sent at the same moment gets the same decision and is not counted twice.
create table step_up_decisions (
  scope text not null,
  key text not null,
  -- The request's keyed fingerprint: a different request under a reused key is decided afresh.
  request_sha256 bytea not null,
  user_id uuid not null references users (id),
  currency text not null,
  amount bigint not null,
  reason text,
  counted boolean not null,
  decided_at timestamptz not null,
  primary key (scope, key)
);
create index step_up_decisions_at_idx on step_up_decisions (decided_at);

-- Recipients a payer looked for and did not find, as keyed digests (an email is personal
-- data), to limit how many distinct unknown recipients one payer may probe per hour.
create table recipient_probes (
  user_id uuid not null references users (id),
  recipient_digest bytea not null,
  probed_at timestamptz not null,
  primary key (user_id, recipient_digest)
);
create index recipient_probes_at_idx on recipient_probes (probed_at);

-- Client address buckets a user logged in from (password and, when on, 2FA): attempts from
-- them skip the per-email brake, so a stranger spraying guesses at an email from many
-- addresses cannot lock its owner out of the devices they use.
create table login_addresses (
  user_id uuid not null references users (id) on delete cascade,
  bucket text not null,
  last_login_at timestamptz not null,
  primary key (user_id, bucket)
);
create index login_addresses_at_idx on login_addresses (last_login_at);
