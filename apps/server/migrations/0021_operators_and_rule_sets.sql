-- Issue 15 §4: named operator accounts (created with the bootstrap operator key), so that a
-- change can be made by one person and approved by another; and risk rule sets in CEL, each an
-- immutable, versioned snapshot that goes live (or runs in shadow) only after a second operator
-- approves it.
create table operators (
  id uuid primary key,
  name text not null unique,
  -- SHA-256 of a 192-bit random key (opk_…): not recoverable, cheap to look up.
  key_hash bytea not null unique,
  created_at timestamptz not null,
  disabled_at timestamptz
);

create sequence risk_rule_set_version;
create table risk_rule_sets (
  id uuid primary key,
  version integer not null unique default nextval('risk_rule_set_version'),
  description text not null,
  mode text not null check (mode in ('live', 'shadow')),
  rules jsonb not null,  -- [{name, when, action, reason?: {code, message}}], never updated
  status text not null check (status in ('pending_approval', 'approved', 'rejected')),
  submitted_by uuid not null references operators (id),
  submitted_at timestamptz not null,
  reviewed_by uuid references operators (id),
  reviewed_at timestamptz,
  review_note text,
  check (reviewed_by is null or reviewed_by <> submitted_by)
);
alter sequence risk_rule_set_version owned by risk_rule_sets.version;

-- The one row that says which approved rule sets apply: swapped in one statement, so every API
-- process reads one consistent snapshot (null live: the built-in thresholds only).
create table risk_rules_state (
  singleton boolean primary key default true check (singleton),
  live uuid references risk_rule_sets (id),
  shadow uuid references risk_rule_sets (id),
  changed_at timestamptz not null
);
insert into risk_rules_state (live, shadow, changed_at) values (null, null, now());
