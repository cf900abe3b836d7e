-- The card vault. Card numbers are encrypted with a per-card data key (AES-256-GCM); the data
-- key is stored wrapped by a versioned key-encryption key that lives outside the database (a key
-- file or the environment). The fingerprint is an HMAC of the number under a separate key, to
-- spot duplicates without decrypting. Only BIN, last 4 and expiry are kept in clear; the
-- security code is never stored.
create table vault_cards (
  id uuid primary key,
  user_id uuid not null references users (id),
  fingerprint bytea not null,
  brand text not null,
  bin text not null check (bin ~ '^[0-9]{6}$'),
  last4 text not null check (last4 ~ '^[0-9]{4}$'),
  exp_month integer not null check (exp_month between 1 and 12),
  exp_year integer not null check (exp_year between 2000 and 2200),
  kek_version text,
  wrapped_data_key bytea,
  number_ciphertext bytea,
  created_at timestamptz not null default now(),
  deleted_at timestamptz,
  -- A deleted card keeps its display fields but loses its key material (crypto-shredding).
  check ((deleted_at is null) = (wrapped_data_key is not null and number_ciphertext is not null and kek_version is not null))
);
create index vault_cards_user_idx on vault_cards (user_id, id desc) where deleted_at is null;
create index vault_cards_fingerprint_idx on vault_cards (user_id, fingerprint) where deleted_at is null;
create index vault_cards_kek_idx on vault_cards (kek_version) where deleted_at is null;
