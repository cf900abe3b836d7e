import { featureIndex as at, type FeatureVector } from './features.ts';
import { movementKinds } from './risk-event.ts';

const p2p = movementKinds.indexOf('p2p');

/**
 * The hand-written rules a fraud analyst would start with, one obvious threshold each: the
 * baseline the model must beat. A movement is flagged when any rule fires.
 */
export const baselineRules: ReadonlyArray<{
  readonly code: string;
  readonly fires: (v: FeatureVector) => boolean;
}> = [
  {
    code: 'large_amount_to_new_payee',
    fires: (v) => v[at.payee_is_new] === 1 && (v[at.amount_to_median_ratio] ?? 0) >= 5,
  },
  { code: 'many_cards_on_device', fires: (v) => (v[at.cards_per_device_24h] ?? 0) >= 3 },
  {
    code: 'impossible_travel',
    fires: (v) =>
      (v[at.speed_from_previous_kmh] ?? 0) >= 900 && (v[at.distance_from_previous_km] ?? 0) >= 500,
  },
  {
    code: 'new_device_large_amount',
    fires: (v) => {
      const age = v[at.device_key_age_hours] ?? -1;
      return age >= 0 && age < 24 && (v[at.amount_to_median_ratio] ?? 0) >= 3;
    },
  },
  {
    code: 'p2p_payee_fan_in',
    fires: (v) => v[at.kind] === p2p && (v[at.payee_fan_in_24h] ?? 0) >= 5,
  },
  { code: 'burst', fires: (v) => (v[at.user_count_1h] ?? 0) >= 6 },
  { code: 'refunds_exceed_payments', fires: (v) => (v[at.refund_to_paid_ratio] ?? 0) > 1 },
  {
    code: 'password_change_then_new_payee',
    fires: (v) => v[at.password_changed_after_new_device] === 1 && v[at.payee_is_new] === 1,
  },
  { code: 'emulator', fires: (v) => v[at.device_emulator] === 1 },
];

/** The codes of the rules a vector fires. */
export function firedRules(vector: FeatureVector): string[] {
  return baselineRules.filter((rule) => rule.fires(vector)).map((rule) => rule.code);
}

/** 1 when any rule fires, else 0. */
export function rulesFlag(vector: FeatureVector): number {
  return baselineRules.some((rule) => rule.fires(vector)) ? 1 : 0;
}
