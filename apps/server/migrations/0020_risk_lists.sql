-- Issue 15 §4: allow and block lists an operator keeps by hand, with an expiry. A block stops a
-- user's, a device's or a payee wallet's movements whatever the model says; an allow lets a
-- known-good one through (a snooze, when it expires).
create table risk_lists (
  id uuid primary key,
  subject text not null check (subject in ('user', 'device', 'payee')),
  value uuid not null,
  action text not null check (action in ('allow', 'block')),
  note text,
  expires_at timestamptz,
  created_at timestamptz not null
);
create index risk_lists_subject_idx on risk_lists (subject, value);
