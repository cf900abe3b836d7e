import { uuidV7Floor } from '../../kernel/ids.ts';
import type { Queryable } from '../../platform/db.ts';

const dayMs = 86_400_000;
import { featureCount, featureIndex as at, type FeatureVector } from './domain/features.ts';
import { merchantCategories, movementKinds, type MovementKind } from './domain/risk-event.ts';

/** The money movement being decided, as the request knows it before anything is written. */
export interface MovementInput {
  readonly kind: MovementKind;
  readonly userId: string;
  /** The user's wallet in the movement's currency (debited, or credited by a top-up); null:
   * looked up from the user and currency. */
  readonly walletId: string | null;
  readonly currency: string;
  /** The device the request was signed with; null for an unsigned request. */
  readonly deviceId: string | null;
  readonly amountMinor: bigint;
  /** The receiving wallet or merchant account of a P2P transfer or merchant payment. */
  readonly payeeAccountId: string | null;
  readonly merchantCategory: string | null;
  readonly at: Date;
}

/**
 * The values of features Kassa does not observe yet (card velocity on a wallet payment, IP
 * geolocation, device attributes, phone changes): the value an ordinary movement has in the
 * simulator (features.ts: -1 is "no history or not applicable"). The model then decides on
 * what is observed; docs/fraud.md lists which features are live.
 */
const unobserved: Partial<Record<keyof typeof at, number>> = {
  card_count_1m: -1,
  card_sum_1m: -1,
  card_count_1h: -1,
  card_sum_1h: -1,
  card_count_24h: -1,
  card_sum_24h: -1,
  accounts_per_card: -1,
  cards_per_device_24h: 0,
  user_cards_total: 0,
  ip_accounts_24h: 1,
  password_changed_after_new_device: 0,
  phone_changed_24h: 0,
  hours_since_password_change: -1,
  distance_from_previous_km: -1,
  speed_from_previous_kmh: -1,
  distance_from_home_km: 0,
  location_seen_before: 1,
  countries_30d: 1,
  device_platform: 0,
  device_emulator: 0,
  device_rooted: 0,
  locale_mismatch: 0,
  ip_hosting: 0,
  refund_to_paid_ratio: -1,
  user_refunds_30d: 0,
  user_refund_rate_30d: 0,
  payee_in_rate_ratio: 1,
};

type Row = Record<string, string | number | null>;

/**
 * One statement reads the user's last 30 days of outgoing movements (the newest 100), the last
 * 7 days into their wallet (newest 100), the payee's last 24 hours (newest 50) and the account
 * and device ages, and returns the aggregates. Every scan is bounded and follows an index
 * (`payments_payer_idx`, `payments_payee_idx`), so a hot merchant costs what a quiet one does:
 * counts saturate at those bounds (the model sees "100 or more", which is what matters). The
 * bounds were 500 at first: a hot merchant's payments each read 500 rows of its inflow, and the
 * bench lost half its throughput (docs/performance.md).
 */
const featuresSql = `
with wallet as (
  select coalesce($2::uuid, (select w.id from wallets w where w.user_id = $4 and w.currency = $6)) as id
), mine as (
  select p.amount, p.created_at, p.payee_account_id from payments p
   where p.payer_account_id = (select id from wallet) and p.id >= $7::uuid
     and p.status in ('succeeded', 'requires_capture', 'under_review', 'processing')
   order by p.id desc limit 100
), inflow as (
  select p.amount, p.created_at, p.payer_account_id from payments p
   where p.payee_account_id = (select id from wallet) and p.id >= $8::uuid
     and p.status = 'succeeded'
   order by p.id desc limit 100
), payee as (
  select p.payer_account_id, p.created_at from payments p
   where p.payee_account_id = $3 and p.id >= $9::uuid
     and p.status in ('succeeded', 'requires_capture', 'under_review')
   order by p.id desc limit 50
)
select
  (select count(*) from mine where created_at > $1::timestamptz - interval '1 minute') as c1m,
  (select coalesce(sum(amount), 0) from mine where created_at > $1::timestamptz - interval '1 minute') as s1m,
  (select count(*) from mine where created_at > $1::timestamptz - interval '1 hour') as c1h,
  (select coalesce(sum(amount), 0) from mine where created_at > $1::timestamptz - interval '1 hour') as s1h,
  (select count(*) from mine where created_at > $1::timestamptz - interval '24 hours') as c24h,
  (select coalesce(sum(amount), 0) from mine where created_at > $1::timestamptz - interval '24 hours') as s24h,
  (select count(*) from mine) as history,
  (select percentile_cont(0.5) within group (order by amount) from mine) as median,
  (select avg(ln(1 + amount)) from mine) as log_mean,
  (select stddev_samp(ln(1 + amount)) from mine) as log_sd,
  (select extract(epoch from $1::timestamptz - min(created_at)) / 86400 from mine) as active_days,
  (select count(*) from mine where created_at > $1::timestamptz - interval '7 days') as out7_count,
  (select coalesce(sum(amount), 0) from mine where created_at > $1::timestamptz - interval '7 days') as out7,
  (select coalesce(sum(amount), 0) from inflow) as in7,
  (select count(distinct payer_account_id) from inflow
    where created_at > $1::timestamptz - interval '24 hours') as fan_in,
  (select extract(epoch from $1::timestamptz - max(created_at)) / 60 from inflow) as since_inflow,
  (select count(*) from mine where payee_account_id = $3) as paid_payee_before,
  (select count(distinct payer_account_id) from payee) as payee_fan_in,
  (select count(*) from payee) as payee_in_count,
  (select extract(epoch from $1::timestamptz - u.created_at) / 86400 from users u where u.id = $4) as account_age,
  (select extract(epoch from $1::timestamptz - u.created_at) / 86400
     from wallets w join users u on u.id = w.user_id where w.id = $3) as payee_age,
  coalesce(
    (select extract(epoch from $1::timestamptz - d.created_at) / 3600 from devices d
      where d.id = $5 and d.user_id = $4),
    -- No signed device (a web session, a refund): the user's oldest device stands for it.
    (select extract(epoch from $1::timestamptz - min(d.created_at)) / 3600 from devices d
      where d.user_id = $4)) as device_age,
  (select extract(epoch from $1::timestamptz - max(d.created_at)) / 3600 from devices d
    where d.user_id = $4) as since_new_device,
  (select count(*) from devices d where d.user_id = $4) as devices,
  (select l.action from risk_lists l
    where ((l.subject = 'user' and l.value = $4) or (l.subject = 'device' and l.value = $5)
           or (l.subject = 'payee' and l.value = $3))
      and (l.expires_at is null or l.expires_at > $1::timestamptz)
    order by l.action = 'block' desc limit 1) as listed`;

const num = (value: string | number | null | undefined, otherwise: number): number =>
  value === null || value === undefined ? otherwise : Number(value);

/** The feature vector of a movement, from PostgreSQL (one round trip). */
/** The features of a movement, and whether an operator's list names one of its parties. */
export interface RuntimeFeatures {
  readonly vector: FeatureVector;
  readonly listed: 'allow' | 'block' | null;
}

export async function runtimeFeatures(
  q: Queryable,
  input: MovementInput,
): Promise<RuntimeFeatures> {
  // Named: each connection parses and plans this statement once, not on every payment.
  const { rows } = await q.query<Row>({
    name: 'kassa_risk_features',
    text: featuresSql,
    values: [
      input.at.toISOString(),
      input.walletId,
      input.payeeAccountId,
      input.userId,
      input.deviceId,
      input.currency,
      // The windows as id bounds (ids are UUIDv7): the scans stop at the window's start on the
      // index instead of reading older rows to test their time.
      uuidV7Floor(input.at.getTime() - 30 * dayMs),
      uuidV7Floor(input.at.getTime() - 7 * dayMs),
      uuidV7Floor(input.at.getTime() - dayMs),
    ],
  });
  const r = rows[0] ?? {};
  const v = new Float64Array(featureCount);
  for (const [name, value] of Object.entries(unobserved)) v[at[name as keyof typeof at]] = value;
  const amount = Number(input.amountMinor);
  v[at.kind] = movementKinds.indexOf(input.kind);
  v[at.amount_log] = Math.log1p(amount);
  const category = input.merchantCategory?.toLowerCase() ?? null;
  v[at.merchant_category] = category === null ? -1 : merchantCategories.indexOf(category as never);
  v[at.local_hour] = input.at.getUTCHours();
  const velocity: [keyof typeof at, string][] = [
    ['user_count_1m', 'c1m'],
    ['user_sum_1m', 's1m'],
    ['user_count_1h', 'c1h'],
    ['user_sum_1h', 's1h'],
    ['user_count_24h', 'c24h'],
    ['user_sum_24h', 's24h'],
  ];
  for (const [name, column] of velocity) {
    const value = num(r[column], 0);
    v[at[name]] = value;
    // One wallet, one device and one address per user as far as Kassa can tell today.
    v[at[name.replace('user_', 'device_') as keyof typeof at]] = value;
    v[at[name.replace('user_', 'ip_') as keyof typeof at]] = value;
  }
  const history = num(r['history'], 0);
  const median = num(r['median'], 0);
  v[at.user_history_count] = history;
  v[at.amount_to_median_ratio] = median === 0 ? -1 : amount / median;
  const sd = num(r['log_sd'], 0);
  v[at.amount_zscore] =
    history < 2 ? 0 : (Math.log1p(amount) - num(r['log_mean'], 0)) / Math.max(0.1, sd);
  const dailyRate = history / Math.max(1, num(r['active_days'], 1));
  v[at.user_daily_rate] = dailyRate;
  v[at.user_1h_to_daily_rate] = num(r['c1h'], 0) / Math.max(0.1, dailyRate);
  const hasPayee = input.payeeAccountId !== null;
  v[at.payee_is_new] = hasPayee ? (num(r['paid_payee_before'], 0) > 0 ? 0 : 1) : -1;
  v[at.payee_fan_in_24h] = hasPayee ? num(r['payee_fan_in'], 0) : -1;
  v[at.payee_in_count_24h] = hasPayee ? num(r['payee_in_count'], 0) : -1;
  v[at.payee_in_rate_ratio] = hasPayee ? 1 : -1;
  v[at.payee_account_age_days] = input.kind === 'p2p' ? num(r['payee_age'], -1) : -1;
  v[at.account_age_days] = num(r['account_age'], 0);
  v[at.device_key_age_hours] = num(r['device_age'], 0);
  v[at.accounts_per_device] = 1;
  v[at.hours_since_device_enrolled] = num(r['since_new_device'], -1);
  const debits = input.kind !== 'top_up' && input.kind !== 'refund';
  v[at.out_in_ratio_7d] = (num(r['out7'], 0) + (debits ? amount : 0)) / (num(r['in7'], 0) + 100);
  v[at.user_fan_in_24h] = num(r['fan_in'], 0);
  v[at.minutes_since_last_inflow] = num(r['since_inflow'], -1);
  const listed = r['listed'];
  return { vector: v, listed: listed === 'allow' || listed === 'block' ? listed : null };
}
