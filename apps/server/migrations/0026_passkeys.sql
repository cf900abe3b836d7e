-- Issue 16 §5: passkeys (WebAuthn). A passkey logs in without a password and counts as both
-- factors; its signature counter is checked on every use (a clone shows as a counter that
-- does not move forward).
create table passkeys (
  id uuid primary key,
  user_id uuid not null references users (id),
  credential_id text not null unique,  -- base64url, as the authenticator names it
  public_key bytea not null,           -- COSE public key
  counter bigint not null default 0,
  transports text[] not null default '{}',
  name text not null,
  created_at timestamptz not null,
  last_used_at timestamptz
);
create index passkeys_user_idx on passkeys (user_id);

-- One-time WebAuthn challenges (registration: a user's; log-in: nobody's yet), 5 minutes.
create table webauthn_challenges (
  id uuid primary key,
  user_id uuid references users (id),
  purpose text not null check (purpose in ('register', 'login')),
  challenge text not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
