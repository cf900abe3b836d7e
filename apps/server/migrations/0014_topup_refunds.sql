-- A top-up the processor captured but whose credit the ledger refused (the wallet would pass
-- 2^53 - 1) is refunded at the processor, then failed. `refunding` records that decision in
-- the same transaction as the refusal, so no later attempt can credit the charge after all:
-- from there the flow only refunds (key `<processor_key>_refund`) until the answer is definite.
alter table processor_flows drop constraint processor_flows_recovery_point_check;
alter table processor_flows add constraint processor_flows_recovery_point_check
  check (recovery_point in ('started', 'refunding', 'finished'));

-- The worker's queue covers every unfinished flow, refunds included.
drop index processor_flows_unfinished_idx;
create index processor_flows_unfinished_idx on processor_flows (next_attempt_at)
  where recovery_point <> 'finished';
