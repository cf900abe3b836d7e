import { signalDirection, type AnomalySignal } from './anomaly-signals.ts';
import type { DetectorSettings } from './detector-settings.ts';
import { poissonZ } from './poisson-tail.ts';

/** What the tests read of a signal's state (anomaly-detector.ts keeps it). */
export interface SignalEwma {
  /** EWMA of the events seen (attempts, for volume) and of those the baseline expected. */
  readonly observed: number;
  readonly expected: number;
  /** Variance of `observed − expected` had the slice followed its baseline. */
  readonly variance: number;
  /** EWMA of the attempts (the denominator of rates). */
  readonly attempts: number;
  /** The seasonal drift allowed now (`seasonalDrift`, or the weeks' own spread if larger). */
  readonly drift: number;
  /** Slow EWMAs of seen and expected events while nothing looked wrong: the slice's level. */
  readonly levelObserved: number;
  readonly levelExpected: number;
}

/** The minutes an EWMA of weight λ averages over, in the sense of its variance: (2 − λ) / λ. */
export function windowMinutes(smoothing: number): number {
  return (2 - smoothing) / smoothing;
}

/**
 * Where the slice has stood against its baseline lately (1: as usual), shrunk towards 1 by
 * `levelPriorEvents` so that a quiet signal's few events cannot swing it, within [0.5, 2].
 */
export function levelOf(state: SignalEwma, settings: DetectorSettings): number {
  const window = windowMinutes(settings.levelSmoothing);
  const prior = settings.levelPriorEvents;
  const level = (state.levelObserved * window + prior) / (state.levelExpected * window + prior);
  return Math.min(2, Math.max(0.5, level));
}

interface Test {
  readonly expected: number;
  readonly variance: number;
  readonly drift: number;
}

/**
 * How surprising `observed` is against one test's expectation, the bad way, as a z-score (0
 * when not off that way). The EWMAs become the counts of their window, scaled down by their
 * dispersion (the baseline's spread beyond Poisson, and the drift allowance: a quasi-Poisson
 * count), and the Poisson tail of the result is the surprise (poisson-tail.ts).
 */
function surpriseOf(signal: AnomalySignal, observed: number, test: Test, smoothing: number) {
  const window = windowMinutes(smoothing);
  const expected = test.expected * window;
  if (!(expected > 0)) return 0;
  const variance = test.variance * window ** 2 + (test.drift * expected) ** 2;
  const dispersion = Math.max(1, variance / expected);
  return poissonZ((observed * window) / dispersion, expected / dispersion, signalDirection[signal]);
}

/**
 * The tests: against the seasonal baseline, and, for volume, against it times the slice's
 * level. Shares drift faster than the level's memory (decline shares wander within half an
 * hour), so a level would only chase their noise; their incidents are large enough for the
 * seasonal test alone.
 */
function testsOf(signal: AnomalySignal, state: SignalEwma, settings: DetectorSettings): Test[] {
  const seasonal = { expected: state.expected, variance: state.variance, drift: state.drift };
  if (signal !== 'volume') return [seasonal];
  const level = levelOf(state, settings);
  return [
    seasonal,
    {
      expected: state.expected * level,
      variance: state.variance * level,
      drift: settings.levelDrift,
    },
  ];
}

function passes(
  signal: AnomalySignal,
  state: SignalEwma,
  test: Test,
  settings: DetectorSettings,
  strictness: number,
): boolean {
  const sign = signalDirection[signal] === 'rise' ? 1 : -1;
  const excess = sign * (state.observed - test.expected);
  if (!(excess > 0)) return false;
  const enoughTraffic =
    signal === 'volume'
      ? test.expected >= settings.expectedAttemptsMin
      : state.attempts >= settings.attemptsMin;
  return (
    enoughTraffic &&
    excess / test.expected >= settings.effectMin[signal] * strictness &&
    excess * windowMinutes(settings.smoothing) >= settings.excessEventsMin * strictness &&
    surpriseOf(signal, state.observed, test, settings.smoothing) >=
      settings.zMin[signal] * strictness
  );
}

/**
 * Whether a signal is off the bad way in either test — the seasonal baseline (what this time of
 * week usually brings: catches any lasting deviation) or the short-term one (the baseline
 * times the slice's recent level: catches a fast change on a day that runs high or low) — by
 * every measure at once, each scaled by `strictness` (1 to raise, `holdFactor` to stay raised):
 * the surprise, the relative effect, the excess in events, and enough traffic to judge.
 */
export function isAnomalous(
  signal: AnomalySignal,
  state: SignalEwma,
  settings: DetectorSettings,
  strictness = 1,
): boolean {
  return testsOf(signal, state, settings).some((test) =>
    passes(signal, state, test, settings, strictness),
  );
}

/** The larger surprise of the two tests, signed as the signal moves (a drop is negative). */
export function surprise(
  signal: AnomalySignal,
  state: SignalEwma,
  settings: DetectorSettings,
): number {
  const z = Math.max(
    ...testsOf(signal, state, settings).map((test) =>
      surpriseOf(signal, state.observed, test, settings.smoothing),
    ),
  );
  return signal === 'volume' || signal === 'success_rate' ? -z : z;
}
