-- The journal's hash chain, built by the worker off the write path: each committed journal
-- event, in commit order, gets a link whose hash covers the previous link and the event.
create table journal_seals (
  position bigint primary key,
  -- No foreign key: a TRUNCATE of the journal must meet its append-only trigger, and verify
  -- finds a missing event itself.
  event_seq bigint not null unique,
  tx_id xid8 not null,
  hash bytea not null,
  sealed_at timestamptz not null default now()
);

create trigger journal_seals_no_update_delete
  before update or delete on journal_seals
  for each row execute function refuse_append_only_change();
create trigger journal_seals_no_truncate
  before truncate on journal_seals
  for each statement execute function refuse_append_only_change();
