-- The checks a money request makes before the ledger batch, each in one round trip (issue 14).
-- They were short transactions of 6 to 9 statements each (BEGIN, the commit-horizon lock, a
-- per-user advisory lock, reads, writes, COMMIT), and a statement costs a socket write on both
-- sides: together they were most of the API's CPU per payment. As functions they keep the same
-- steps in the same order, under the same locks. A VOLATILE plpgsql function reads each of its
-- statements in a fresh snapshot, so what it reads after taking a lock includes everything
-- committed by whoever held the lock before.

-- The step-up rule of payments/domain/step-up-rules.ts (`stepUpReason`): the first reason, in
-- that order, or null. A property test checks it against the TypeScript on random inputs.
create function kassa_step_up_reason(
  p_amount bigint, p_per_payment bigint, p_day_total bigint, p_daily bigint,
  p_device text, p_recent integer, p_velocity_max integer, p_flagged boolean
) returns text
language sql immutable as $$
  select case
    when p_amount > p_per_payment then 'amount'
    when p_day_total > p_daily then 'daily_amount'
    when p_device = 'untrusted' then 'untrusted_device'
    when p_recent > p_velocity_max then 'velocity'
    when p_flagged then 'policy'
  end
$$;

-- What both checks do first: mark the transaction as Kassa's (migration 0016), commit it
-- without waiting for the WAL flush when the caller says the call is its own transaction
-- (inside a caller's transaction it would make that transaction's writes asynchronous too; no
-- test inside a function can tell, since an implicit transaction of the extended protocol
-- looks like an explicit one), then wait for the caller's per-user lock.
create function kassa_begin_check(p_lock text, p_async_commit boolean) returns void
language plpgsql volatile as $$
begin
  perform pg_advisory_xact_lock_shared(1263751233, 1);
  if p_async_commit then
    perform set_config('synchronous_commit', 'off', true);
  end if;
  perform pg_advisory_xact_lock(hashtext(p_lock));
end
$$;

-- One step-up decision (payments/step-up-policy.ts): one at a time per user, one per key.
-- `p_device` is the request's device standing ('trusted', 'untrusted', 'unsigned'). Returns the key's use ('unused', 'same': its request decides nothing here, 'different': a
-- reused key), the reason (null: straight through) and whether the payment was counted in the
-- user's spend windows. Committed without waiting for the WAL flush: the payment it decides
-- commits durably after it, and that flush carries this record too (WAL is written in order).
-- Only a database crash in between can lose it, and then no money moved either: a retry is
-- decided afresh. (If only the API process dies, the decision stays and a retry replays it.)
create function kassa_step_up_decide(
  p_scope text, p_key text, p_fingerprint bytea, p_user uuid, p_currency text,
  p_amount bigint, p_now timestamptz, p_per_payment bigint, p_daily bigint,
  p_device text, p_velocity_max integer, p_velocity_minutes integer, p_flagged boolean,
  p_async_commit boolean,
  out key_use text, out reason text, out counted boolean
)
language plpgsql volatile as $$
declare
  stored bytea;
  earlier record;
  day_total bigint;
  recent integer;
begin
  perform kassa_begin_check('step-up:' || p_user::text, p_async_commit);
  -- Unsigned from a user who has a trusted device counts as an untrusted device: a thief with
  -- a password or a copied token has no device key.
  if p_device = 'unsigned' and exists (select 1 from devices v
                                        where v.user_id = p_user and v.trusted) then
    p_device := 'untrusted';
  end if;
  select k.request_sha256 into stored from idempotency_keys k
   where k.scope = p_scope and k.key = p_key;
  if found then
    key_use := case when length(stored) = 0 or stored = p_fingerprint then 'same' else 'different' end;
    counted := false;
    return;
  end if;
  key_use := 'unused';
  select d.reason, d.request_sha256 into earlier from step_up_decisions d
   where d.scope = p_scope and d.key = p_key;
  if found and earlier.request_sha256 = p_fingerprint then
    reason := earlier.reason;
    counted := false;
    return;
  end if;
  select coalesce(sum(w.amount) filter (where w.granularity = 'hour'), 0),
         coalesce(sum(w.payments) filter (
           where w.granularity = 'minute'
             and w.bucket_start > p_now - make_interval(mins => p_velocity_minutes)), 0)
    into day_total, recent
    from spend_windows w
   where w.user_id = p_user and w.currency = p_currency
     and w.bucket_start > p_now - interval '25 hours';
  reason := kassa_step_up_reason(p_amount, p_per_payment, day_total + p_amount, p_daily,
                                 p_device, recent + 1, p_velocity_max, p_flagged);
  counted := reason is null;
  -- Money that waits for a second factor is not money moved without one.
  if counted then
    insert into spend_windows as w (user_id, currency, granularity, bucket_start, amount, payments)
    values (p_user, p_currency, 'hour', date_trunc('hour', p_now, 'UTC'), p_amount, 1),
           (p_user, p_currency, 'minute', date_trunc('minute', p_now, 'UTC'), p_amount, 1)
    on conflict (user_id, currency, granularity, bucket_start) do update
      set amount = w.amount + excluded.amount, payments = w.payments + 1;
  end if;
  insert into step_up_decisions
    (scope, key, request_sha256, user_id, currency, amount, reason, counted, decided_at)
  values (p_scope, p_key, p_fingerprint, p_user, p_currency, p_amount, reason, counted, p_now)
  on conflict (scope, key) do update set request_sha256 = excluded.request_sha256,
    user_id = excluded.user_id, currency = excluded.currency, amount = excluded.amount,
    reason = excluded.reason, counted = excluded.counted, decided_at = excluded.decided_at;
end
$$;

-- One recipient lookup (payments/recipients.ts): one at a time per payer, counted against the
-- payer's hourly budget of unknown recipients. Returns the outcome ('found', 'not_found',
-- 'wrong_currency', 'limited') and, when found, the wallet, its owner and their name;
-- `first_payment` only when asked for. Committed without waiting for the WAL flush: a probe
-- lost in a crash only gives a prober one more try.
create function kassa_resolve_recipient(
  p_payer uuid, p_wallet uuid, p_user uuid, p_email text, p_digest bytea, p_currency text,
  p_now timestamptz, p_probes_per_hour integer, p_want_first_payment boolean,
  p_async_commit boolean,
  out outcome text, out wallet_id uuid, out user_id uuid, out currency text, out name text,
  out first_payment boolean
)
language plpgsql volatile as $$
declare
  probes integer;
  known boolean;
  limited boolean;
  hour_ago timestamptz := p_now - interval '1 hour';
begin
  perform kassa_begin_check('recipients:' || p_payer::text, p_async_commit);
  select count(*) into probes from recipient_probes r
   where r.user_id = p_payer and r.probed_at > hour_ago;
  select exists (select 1 from recipient_probes r
                  where r.user_id = p_payer and r.recipient_digest = p_digest
                    and r.probed_at > hour_ago) into known;
  limited := probes >= p_probes_per_hour and not known;
  select w.id, w.user_id, w.currency, u.name into wallet_id, user_id, currency, name
    from wallets w join users u on u.id = w.user_id
   where w.id = p_wallet
      or (w.currency = p_currency and (u.id = p_user or lower(u.email) = lower(p_email)))
   limit 1;
  if found then
    first_payment := case when p_want_first_payment or limited then not exists (
      select 1 from payments p
       where p.payer_user_id = p_payer and p.payee_user_id = kassa_resolve_recipient.user_id
         and p.kind = 'transfer' and p.status = 'succeeded') end;
  end if;
  -- Past the limit only people already paid can still be found: known and unknown recipients
  -- get the same refusal.
  if limited then
    if wallet_id is null or currency <> p_currency or first_payment then
      outcome := 'limited';
      wallet_id := null; user_id := null; currency := null; name := null; first_payment := null;
      return;
    end if;
  end if;
  if wallet_id is null then
    insert into recipient_probes (user_id, recipient_digest, probed_at)
    values (p_payer, p_digest, p_now)
    on conflict on constraint recipient_probes_pkey do update set probed_at = excluded.probed_at;
    outcome := 'not_found';
  elsif currency <> p_currency then
    outcome := 'wrong_currency';
  else
    outcome := 'found';
  end if;
  if not p_want_first_payment then first_payment := null; end if;
end
$$;
