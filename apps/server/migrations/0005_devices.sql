-- Devices: each app install enrolls a key pair; money-moving requests may be signed with it.
create table devices (
  id uuid primary key,
  user_id uuid not null references users (id),
  name text not null,
  public_key jsonb not null,
  key_algorithm text not null check (key_algorithm in ('ES256', 'EdDSA')),
  fingerprint jsonb not null default '{}',
  trusted boolean not null default false,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz
);
create index devices_user_idx on devices (user_id);

-- Signatures already seen, kept past the freshness window so a captured request cannot be replayed.
create table device_signatures_seen (
  signature_sha256 bytea primary key,
  device_id uuid not null references devices (id),
  seen_at timestamptz not null
);
create index device_signatures_seen_at_idx on device_signatures_seen (seen_at);
