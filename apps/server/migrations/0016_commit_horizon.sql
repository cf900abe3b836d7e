-- Commit-ordered reads (outbox relay, catch-up, journal sealing) read events below a horizon:
-- every transaction below it that could still add events has finished. It was
-- pg_snapshot_xmin(pg_current_snapshot()), which any open transaction holding an xid anywhere in
-- the cluster held back (a 5-minute report stalled webhooks and alerts for 5 minutes).
--
-- Kassa's own transactions take a shared advisory lock (1263751233, 1) as their first statement,
-- before they are given an xid (platform/db.ts), and hold it until they end. So a transaction
-- running in our snapshot whose xid is held, right now, by a backend WITHOUT that lock is not
-- Kassa's and never writes events: it is skipped. Every other running xid counts (Kassa's, or
-- one that has just ended: conservative, gone by the next read).
--
-- STABLE, so it reads the calling statement's snapshot: a volatile function takes a newer one,
-- and a writer committing between the two was then passed over while the caller could not see
-- its events (the load test lost 105 webhooks that way). Call it as `(select
-- kassa_commit_horizon())` so it runs once per statement, not once per row.
create function kassa_commit_horizon() returns xid8
language sql stable as $$
  with snapshot as materialized (select pg_current_snapshot() as s),
  locks as materialized (
    select locktype, transactionid, pid, classid, objid, objsubid, granted from pg_locks
  ),
  foreign_xids as (
    select l.transactionid
      from locks l
     where l.locktype = 'transactionid' and l.granted
       and not exists (select 1 from locks k
                        where k.pid = l.pid and k.locktype = 'advisory' and k.granted
                          and k.classid = 1263751233 and k.objid = 1 and k.objsubid = 2)
  )
  select coalesce(min(x), pg_snapshot_xmax((select s from snapshot)))
    from snapshot, pg_snapshot_xip(snapshot.s) as x
   where x::xid not in (select transactionid from foreign_xids)
$$;
