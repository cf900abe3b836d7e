import type { RiskDecision } from '@kassa/contracts';
import { featureIndex as at, type FeatureVector } from './features.ts';
import type { MovementKind } from './risk-event.ts';

/**
 * From a model's probability and the rules to a decision. The score is the probability in
 * hundredths (0–99). Thresholds follow Stripe Radar's defaults: block at 75, review at 65, and
 * Kassa asks for a second factor from 50. Rules can only make a decision stricter than the
 * model's, never looser (an allow rule is an allow-list entry, which is checked before scoring).
 */
export interface RiskThresholds {
  readonly block: number;
  readonly review: number;
  readonly stepUp: number;
}

export const defaultThresholds: RiskThresholds = { block: 75, review: 65, stepUp: 50 };

const strictness: Readonly<Record<RiskDecision, number>> = {
  allow: 0,
  step_up: 1,
  review: 2,
  block: 3,
};

export function stricter(a: RiskDecision, b: RiskDecision): RiskDecision {
  return strictness[a] >= strictness[b] ? a : b;
}

export function scoreOf(probability: number): number {
  if (!Number.isFinite(probability) || probability <= 0) return 0;
  return Math.min(99, Math.floor(probability * 100));
}

export function decisionForScore(score: number, thresholds: RiskThresholds): RiskDecision {
  if (score >= thresholds.block) return 'block';
  if (score >= thresholds.review) return 'review';
  if (score >= thresholds.stepUp) return 'step_up';
  return 'allow';
}

/**
 * The model's decision on a movement: its score against the thresholds, except that a top-up
 * (a movement only its sender can be hurt by, and how everyone starts) is at most reviewed on
 * the model alone, never blocked. The live engine and the backtest both decide so.
 */
export function modelDecision(
  kind: MovementKind,
  score: number,
  thresholds: RiskThresholds,
): RiskDecision {
  const decision = decisionForScore(score, thresholds);
  return kind === 'top_up' && decision === 'block' ? 'review' : decision;
}

export interface RiskReason {
  readonly code: string;
  readonly message: string;
}

/**
 * The signals of a movement a person can act on, in the payer's words, strongest first. The
 * payer only ever sees signals about their own account and request (never the payee's).
 */
const signals: ReadonlyArray<{
  readonly code: string;
  readonly message: string;
  readonly present: (v: FeatureVector) => boolean;
}> = [
  {
    code: 'velocity',
    message: 'Many payments in a short time.',
    present: (v) => (v[at.user_count_1h] ?? 0) >= 6 || (v[at.user_count_1m] ?? 0) >= 3,
  },
  {
    code: 'unusual_amount',
    message: 'Much larger than your usual payments.',
    present: (v) => (v[at.amount_to_median_ratio] ?? -1) >= 5,
  },
  {
    code: 'new_device',
    message: 'Made from a device added less than a day ago.',
    present: (v) => {
      const hours = v[at.device_key_age_hours] ?? -1;
      return hours >= 0 && hours < 24;
    },
  },
  {
    code: 'new_account',
    message: 'The account is less than a day old.',
    present: (v) => (v[at.account_age_days] ?? 99) < 1,
  },
  {
    code: 'new_payee',
    message: 'The first payment to this recipient.',
    present: (v) => v[at.payee_is_new] === 1,
  },
  {
    code: 'money_out_fast',
    message: 'Money leaves soon after it arrived.',
    present: (v) => {
      const minutes = v[at.minutes_since_last_inflow] ?? -1;
      return minutes >= 0 && minutes < 30 && (v[at.out_in_ratio_7d] ?? 0) >= 0.8;
    },
  },
];

/** Up to three reasons: the signals present, or the model's score alone when none is. */
export function reasonsFor(vector: FeatureVector, score: number): RiskReason[] {
  const present = signals
    .filter((s) => s.present(vector))
    .slice(0, 3)
    .map(({ code, message }) => ({ code, message }));
  if (present.length > 0) return present;
  return score >= defaultThresholds.stepUp
    ? [{ code: 'model_score', message: 'This payment looks unlike your usual activity.' }]
    : [];
}
