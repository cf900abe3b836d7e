import { featureCount, featureIndex as at, type FeatureVector } from './features.ts';
import { distanceKm, locationCell } from './geo-distance.ts';
import {
  dayMs,
  hourMs,
  minuteMs,
  type KeyState,
  type PayeeState,
  type UserState,
} from './party-state.ts';
import {
  creditsUser,
  devicePlatforms,
  merchantCategories,
  movementKinds,
  type MoneyMovement,
} from './risk-event.ts';

const velocityStart = at.user_count_1m;
const entityOffsets = {
  user: 0,
  card: at.card_count_1m - velocityStart,
  device: at.device_count_1m - velocityStart,
  ip: at.ip_count_1m - velocityStart,
} as const;

/** What is known, just before a movement, about everyone and everything involved in it. */
export interface MovementState {
  readonly user: UserState;
  readonly device: KeyState;
  readonly ip: KeyState;
  readonly card: KeyState | null;
  /** The receiving side of a P2P transfer, merchant payment or payout; null otherwise. */
  readonly payee: PayeeState | null;
  readonly payeeUser: UserState | undefined;
}

/**
 * The feature vector of one money movement, read from the state of its parties before it (see
 * features.ts for the definitions). Pure: the state is not changed.
 */
export function movementFeatures(m: MoneyMovement, s: MovementState): FeatureVector {
  const v = new Float64Array(featureCount);
  const now = m.atMs;
  const amount = Number(m.amountMinor);
  const { user } = s;
  v[at.kind] = movementKinds.indexOf(m.kind);
  v[at.amount_log] = Math.log1p(amount);
  v[at.merchant_category] =
    m.merchantCategory === null ? -1 : merchantCategories.indexOf(m.merchantCategory);
  const longitude = m.origin.ipLocation.longitude;
  v[at.local_hour] = Math.floor((((now / hourMs + longitude / 15) % 24) + 24) % 24);

  writeVelocity(v, entityOffsets.user, user.activity);
  writeVelocity(v, entityOffsets.device, s.device.activity);
  writeVelocity(v, entityOffsets.ip, s.ip.activity);
  if (s.card === null)
    for (let i = 0; i < 6; i += 1) v[velocityStart + entityOffsets.card + i] = -1;
  else writeVelocity(v, entityOffsets.card, s.card.activity);

  const median = user.medianAmount();
  v[at.user_history_count] = user.movementCount;
  v[at.amount_to_median_ratio] = median === 0 ? -1 : amount / median;
  v[at.amount_zscore] =
    user.amountCount < 2
      ? 0
      : (Math.log1p(amount) - user.logAmountMean) / Math.max(0.1, user.logAmountDeviation());
  const activeDays =
    user.firstMovementAtMs < 0 ? 1 : Math.max(1, (now - user.firstMovementAtMs) / dayMs);
  const dailyRate = user.movementCount / activeDays;
  v[at.user_daily_rate] = dailyRate;
  v[at.user_1h_to_daily_rate] = user.activity.count(1) / Math.max(0.1, dailyRate);

  writePayee(v, m, s);
  writeAccounts(v, m, s);
  writeTakeover(v, user, now);
  const outflow = user.flows.out.sum(0) + (creditsUser(m.kind) ? 0 : amount);
  v[at.out_in_ratio_7d] = outflow / (user.flows.in.sum(0) + 100);
  v[at.user_fan_in_24h] = user.fanIn.distinct();
  v[at.minutes_since_last_inflow] =
    user.lastInflowAtMs < 0 ? -1 : (now - user.lastInflowAtMs) / minuteMs;
  writeTravel(v, user, m);
  writeDeviceAndRefunds(v, m, user);
  return v;
}

function writeVelocity(
  v: FeatureVector,
  offset: number,
  totals: { count(w: number): number; sum(w: number): number },
): void {
  for (let w = 0; w < 3; w += 1) {
    v[velocityStart + offset + 2 * w] = totals.count(w);
    v[velocityStart + offset + 2 * w + 1] = totals.sum(w);
  }
}

function writeAccounts(v: FeatureVector, m: MoneyMovement, s: MovementState): void {
  const { user, device, ip, card } = s;
  v[at.account_age_days] = (m.atMs - user.createdAtMs) / dayMs;
  const enrolledAtMs = user.deviceEnrolledAtMs.get(m.origin.deviceId);
  v[at.device_key_age_hours] = enrolledAtMs === undefined ? 0 : (m.atMs - enrolledAtMs) / hourMs;
  v[at.accounts_per_device] = device.accounts.size + (device.accounts.has(m.userId) ? 0 : 1);
  v[at.accounts_per_card] =
    card === null || m.cardFingerprint === null
      ? -1
      : card.accounts.size + (card.accounts.has(m.userId) ? 0 : 1);
  const newCard = m.cardFingerprint !== null && !device.cards24h.has(m.cardFingerprint);
  v[at.cards_per_device_24h] = device.cards24h.distinct() + (newCard ? 1 : 0);
  const userNewCard = m.cardFingerprint !== null && !user.cards.has(m.cardFingerprint);
  v[at.user_cards_total] = user.cards.size + (userNewCard ? 1 : 0);
  v[at.ip_accounts_24h] = ip.accounts24h.distinct() + (ip.accounts24h.has(m.userId) ? 0 : 1);
}

function writeDeviceAndRefunds(v: FeatureVector, m: MoneyMovement, user: UserState): void {
  const location = m.origin.ipLocation;
  const amount = Number(m.amountMinor);
  v[at.device_platform] = devicePlatforms.indexOf(m.origin.device.platform);
  v[at.device_emulator] = m.origin.device.emulator ? 1 : 0;
  v[at.device_rooted] = m.origin.device.rooted ? 1 : 0;
  v[at.locale_mismatch] = m.origin.device.localeCountry === location.country ? 0 : 1;
  v[at.ip_hosting] = location.hosting ? 1 : 0;

  const paid = user.paidToMerchant.get(m.counterpartyId) ?? 0;
  const refunded = (user.refundedByMerchant.get(m.counterpartyId) ?? 0) + amount;
  v[at.refund_to_paid_ratio] =
    m.kind === 'refund' ? Math.min(100, refunded / Math.max(paid, 100)) : -1;
  v[at.user_refunds_30d] = user.refunds.count(0);
  v[at.user_refund_rate_30d] = user.refunds.count(0) / (user.payments.count(0) + 1);
}

function writePayee(v: FeatureVector, m: MoneyMovement, s: MovementState): void {
  const now = m.atMs;
  if (s.payee === null) {
    for (const name of ['payee_is_new', 'payee_fan_in_24h', 'payee_in_count_24h'] as const)
      v[at[name]] = -1;
    v[at.payee_in_rate_ratio] = -1;
    v[at.payee_account_age_days] = -1;
    return;
  }
  const payee = s.payee;
  if (payee === null) return;
  v[at.payee_is_new] = s.user.payees.has(m.counterpartyId) ? 0 : 1;
  v[at.payee_fan_in_24h] = payee.senders.distinct();
  v[at.payee_in_count_24h] = payee.inflow.count(0);
  v[at.payee_in_rate_ratio] = payee.inRateRatio(now);
  const payeeUser = m.kind === 'p2p' ? s.payeeUser : undefined;
  v[at.payee_account_age_days] =
    payeeUser === undefined ? -1 : (now - payeeUser.createdAtMs) / dayMs;
}

function writeTakeover(v: FeatureVector, user: UserState, now: number): void {
  const device = user.lastNewDeviceAtMs;
  const password = user.lastPasswordChangeAtMs;
  v[at.hours_since_device_enrolled] = device < 0 ? -1 : (now - device) / hourMs;
  v[at.password_changed_after_new_device] =
    device >= 0 && password >= device && password - device <= dayMs && now - password <= dayMs
      ? 1
      : 0;
  v[at.phone_changed_24h] =
    user.lastPhoneChangeAtMs >= 0 && now - user.lastPhoneChangeAtMs <= dayMs ? 1 : 0;
  v[at.hours_since_password_change] = password < 0 ? -1 : (now - password) / hourMs;
}

function writeTravel(v: FeatureVector, user: UserState, m: MoneyMovement): void {
  const here = m.origin.ipLocation;
  if (user.last === null) {
    v[at.distance_from_previous_km] = -1;
    v[at.speed_from_previous_kmh] = -1;
  } else {
    const km = distanceKm(user.last.latitude, user.last.longitude, here.latitude, here.longitude);
    const hours = Math.max(1 / 60, (m.atMs - user.last.atMs) / hourMs);
    v[at.distance_from_previous_km] = km;
    v[at.speed_from_previous_kmh] = km / hours;
  }
  v[at.distance_from_home_km] = distanceKm(
    user.home.latitude,
    user.home.longitude,
    here.latitude,
    here.longitude,
  );
  v[at.location_seen_before] = user.cells.has(locationCell(here.latitude, here.longitude)) ? 1 : 0;
  v[at.countries_30d] = user.countries.distinct() + (user.countries.has(here.country) ? 0 : 1);
}
