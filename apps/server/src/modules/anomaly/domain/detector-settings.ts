import type { AnomalySignal } from './anomaly-signals.ts';
import type { BaselineSettings } from './seasonal-baseline.ts';

export interface DetectorSettings extends BaselineSettings {
  /** EWMA weight of the newest minute (λ): its window is (2 − λ) / λ minutes. */
  readonly smoothing: number;
  /**
   * Weight of the slice's level EWMA (its observed over expected, frozen while anything looks
   * wrong): the short-term test expects the baseline times that level.
   */
  readonly levelSmoothing: number;
  /** Events of "as usual" the level starts from and is pulled towards (shrinkage). */
  readonly levelPriorEvents: number;
  /**
   * How surprising a test must find the signal, as the z-score of its Poisson tail. Rare
   * events (unknown outcomes, blocks) need more: their counts are small, and an EWMA
   * overstates a one-minute burst of them.
   */
  readonly zMin: Readonly<Record<AnomalySignal, number>>;
  /** …and by how much, relative to the expected value (0.3: 30% fewer payments). */
  readonly effectMin: Readonly<Record<AnomalySignal, number>>;
  /**
   * The relative drift no averaging removes, added to the variance as (allowance × expected)²
   * so that drift is not mistaken for an incident however busy the slice. Against the seasonal
   * baseline: how much a week differs from the last ones (for volume, the weeks' own spread
   * when larger). Against the level (volume only): how far demand moves within its memory.
   */
  readonly seasonalDrift: Readonly<Record<AnomalySignal, number>>;
  readonly levelDrift: number;
  /** …and by how many events over the EWMA's window: no alert on a handful of declines. */
  readonly excessEventsMin: number;
  /** Volume is judged only where at least this many attempts a minute are expected. */
  readonly expectedAttemptsMin: number;
  /** Rates are judged only while the slice has at least this many attempts a minute (EWMA). */
  readonly attemptsMin: number;
  /** Consecutive anomalous minutes before an anomaly is raised. */
  readonly raiseAfterMinutes: number;
  /** Consecutive calm minutes before it clears; calm is below `holdFactor` × every threshold. */
  readonly clearAfterMinutes: number;
  readonly holdFactor: number;
}

const rates = (allowance: number) => ({
  success_rate: allowance,
  decline_rate: allowance,
  outcome_unknown_rate: allowance,
  fraud_block_rate: allowance,
});

/** Tuned on the 14-day replay (docs/observability.md, "Anomaly detection"). */
export const defaultDetectorSettings: DetectorSettings = Object.freeze({
  weeksMax: 4,
  neighbourMinutes: 10,
  shareNeighbourMinutes: 60,
  smoothing: 0.25,
  levelSmoothing: 0.05,
  levelPriorEvents: 5,
  zMin: Object.freeze({ volume: 4, ...rates(4.5), success_rate: 4, decline_rate: 4 }),
  effectMin: Object.freeze({ volume: 0.3, ...rates(1) }),
  seasonalDrift: Object.freeze({ volume: 0.08, ...rates(0.2) }),
  levelDrift: 0.05,
  excessEventsMin: 4,
  expectedAttemptsMin: 5,
  attemptsMin: 2,
  raiseAfterMinutes: 2,
  clearAfterMinutes: 10,
  holdFactor: 0.5,
});
