/**
 * The typed feature set: one named, ordered number per feature, computed for every money
 * movement from what happened before it. The in-memory extractor (feature-extractor.ts) computes
 * it over a simulated stream; at runtime the same definitions are computed from PostgreSQL and
 * Redis. The order is part of every trained model: append new features, never reorder.
 *
 * Conventions: counts and sums are of the movements before this one (not including it); sums
 * are in minor units; `-1` means "not applicable or no history" (no previous location, a
 * refund ratio on a payment); booleans are 0 or 1; categorical values are small integers.
 */
const windows = ['1m', '1h', '24h'] as const;
const velocity = <Entity extends string>(entity: Entity) =>
  windows.flatMap((w) => [`${entity}_count_${w}`, `${entity}_sum_${w}`] as const);

export const featureNames = [
  // The movement itself.
  'kind',
  'amount_log',
  'merchant_category',
  'local_hour',
  // Velocity: counts and sums over 1 minute, 1 hour and 24 hours per user, card, device and IP.
  ...velocity('user'),
  ...velocity('card'),
  ...velocity('device'),
  ...velocity('ip'),
  // The amount against the user's history of outgoing movements.
  'user_history_count',
  'amount_to_median_ratio',
  'amount_zscore',
  'user_daily_rate',
  'user_1h_to_daily_rate',
  // The payee: new to this payer, fan-in, how its inflow compares with its own past.
  'payee_is_new',
  'payee_fan_in_24h',
  'payee_in_count_24h',
  'payee_in_rate_ratio',
  'payee_account_age_days',
  // Account, device key, and how many accounts share a device or a card.
  'account_age_days',
  'device_key_age_hours',
  'accounts_per_device',
  'accounts_per_card',
  'cards_per_device_24h',
  'user_cards_total',
  'ip_accounts_24h',
  // Takeover: a new device followed by credential or phone changes.
  'hours_since_device_enrolled',
  'password_changed_after_new_device',
  'phone_changed_24h',
  'hours_since_password_change',
  // Flows (mules): money out against money in, fan-in, and how fast money leaves.
  'out_in_ratio_7d',
  'user_fan_in_24h',
  'minutes_since_last_inflow',
  // Travel: distance and speed from the previous location, distance from home.
  'distance_from_previous_km',
  'speed_from_previous_kmh',
  'distance_from_home_km',
  'location_seen_before',
  'countries_30d',
  // Device attributes and the network.
  'device_platform',
  'device_emulator',
  'device_rooted',
  'locale_mismatch',
  'ip_hosting',
  // Refunds.
  'refund_to_paid_ratio',
  'user_refunds_30d',
  'user_refund_rate_30d',
] as const;

export type FeatureName = (typeof featureNames)[number];

export const featureCount = featureNames.length;

/** Each feature's position in a vector. */
export const featureIndex = Object.fromEntries(featureNames.map((name, i) => [name, i])) as {
  readonly [name in FeatureName]: number;
};

/** A feature vector: `featureCount` numbers in `featureNames` order. */
export type FeatureVector = Float64Array;

/** A vector as a record, for reasons, logs and tests. */
export function namedFeatures(vector: FeatureVector): Record<FeatureName, number> {
  return Object.fromEntries(
    featureNames.map((name, i) => [name, vector[i] ?? Number.NaN]),
  ) as Record<FeatureName, number>;
}
