import {
  anomalySignals,
  signalEvents,
  type AnomalySignal,
  type SliceMinute,
} from './anomaly-signals.ts';
import type { DetectorSettings } from './detector-settings.ts';
import type { SliceBaseline } from './seasonal-baseline.ts';
import { isAnomalous, surprise, type SignalEwma } from './signal-surprise.ts';

/** One signal of one slice: its EWMAs and the hysteresis. */
export interface SignalState extends SignalEwma {
  readonly anomalousMinutes: number;
  readonly calmMinutes: number;
  /** The first anomalous minute of the anomaly raised, or null. */
  readonly activeSince: number | null;
  /** The last minute folded in. */
  readonly minute: number;
}

export type SliceState = Readonly<Partial<Record<AnomalySignal, SignalState>>>;

/** A signal's state in words: per minute, and as a share of attempts for rates. */
export interface AnomalyReading {
  readonly observedPerMinute: number;
  /** What the seasonal baseline expected. */
  readonly expectedPerMinute: number;
  /** Observed and expected share of attempts (null for volume). */
  readonly observedShare: number | null;
  readonly expectedShare: number | null;
  /** The larger surprise of the two tests, negative when the signal fell. */
  readonly z: number;
}

export interface AnomalyChange {
  readonly type: 'raised' | 'cleared';
  readonly slice: string;
  readonly signal: AnomalySignal;
  /** The minute evaluated when it changed. */
  readonly minute: number;
  /** The first anomalous minute. */
  readonly since: number;
  readonly reading: AnomalyReading;
}

/** The events a minute should have had, had it followed its baseline. */
interface Expectation {
  readonly events: number;
  readonly variance: number;
  readonly drift: number;
}

/**
 * The drift allowed is the settings' (for volume, the past weeks' own spread when larger), and
 * the baseline's own uncertainty on top (independent, so their squares add).
 */
function expectation(
  signal: AnomalySignal,
  observed: SliceMinute,
  baseline: SliceBaseline,
  settings: DetectorSettings,
): Expectation {
  const allowance =
    signal === 'volume'
      ? Math.max(settings.seasonalDrift.volume, baseline.weeklyLevelSpread)
      : settings.seasonalDrift[signal];
  const drift = Math.hypot(allowance, baseline.uncertainty[signal]);
  if (signal === 'volume')
    return { events: baseline.attempts, variance: baseline.attemptsSigma ** 2, drift };
  const share = baseline.shares[signal];
  return {
    events: observed.attempts * share,
    variance: observed.attempts * share * (1 - share),
    drift,
  };
}

/**
 * Folds one minute into the EWMAs; a new signal starts as if it had matched its baseline. The
 * level EWMAs take the minute only while the signal looks calm even at the hold threshold, so
 * that an incident does not become the level it is judged against.
 */
function smooth(
  signal: AnomalySignal,
  state: SignalState | undefined,
  seen: number,
  attempts: number,
  expected: Expectation,
  settings: DetectorSettings,
): SignalEwma {
  const fast = settings.smoothing;
  const prior = state ?? {
    observed: expected.events,
    expected: expected.events,
    variance: (expected.variance * fast) / (2 - fast),
    attempts,
    drift: expected.drift,
    levelObserved: expected.events,
    levelExpected: expected.events,
    activeSince: null,
  };
  const next: SignalEwma = {
    observed: fast * seen + (1 - fast) * prior.observed,
    expected: fast * expected.events + (1 - fast) * prior.expected,
    variance: fast ** 2 * expected.variance + (1 - fast) ** 2 * prior.variance,
    attempts: fast * attempts + (1 - fast) * prior.attempts,
    drift: expected.drift,
    levelObserved: prior.levelObserved,
    levelExpected: prior.levelExpected,
  };
  const suspicious =
    prior.activeSince !== null || isAnomalous(signal, next, settings, settings.holdFactor);
  if (suspicious) return next;
  const slow = settings.levelSmoothing;
  return {
    observed: next.observed,
    expected: next.expected,
    variance: next.variance,
    attempts: next.attempts,
    drift: next.drift,
    levelObserved: slow * seen + (1 - slow) * prior.levelObserved,
    levelExpected: slow * expected.events + (1 - slow) * prior.levelExpected,
  };
}

/** A signal's state from its EWMAs and its hysteresis (written out: the detector's hot path). */
function signalState(
  ewma: SignalEwma,
  anomalousMinutes: number,
  calmMinutes: number,
  activeSince: number | null,
  minute: number,
): SignalState {
  return {
    observed: ewma.observed,
    expected: ewma.expected,
    variance: ewma.variance,
    attempts: ewma.attempts,
    drift: ewma.drift,
    levelObserved: ewma.levelObserved,
    levelExpected: ewma.levelExpected,
    anomalousMinutes,
    calmMinutes,
    activeSince,
    minute,
  };
}

/** The hysteresis: raise after N anomalous minutes in a row, clear after M calm ones. */
function hysteresis(
  signal: AnomalySignal,
  smoothed: SignalEwma,
  state: SignalState | undefined,
  minute: number,
  settings: DetectorSettings,
): SignalState {
  const activeSince = state?.activeSince ?? null;
  if (activeSince === null) {
    const anomalous = isAnomalous(signal, smoothed, settings)
      ? (state?.anomalousMinutes ?? 0) + 1
      : 0;
    const raised = anomalous >= settings.raiseAfterMinutes;
    return signalState(smoothed, anomalous, 0, raised ? minute - anomalous + 1 : null, minute);
  }
  const calm = !isAnomalous(signal, smoothed, settings, settings.holdFactor);
  const calmMinutes = calm ? (state?.calmMinutes ?? 0) + 1 : 0;
  const cleared = calmMinutes >= settings.clearAfterMinutes;
  return signalState(smoothed, 0, cleared ? 0 : calmMinutes, cleared ? null : activeSince, minute);
}

/** A signal in words; the success rate is turned back from its failures into successes. */
export function readingOf(
  signal: AnomalySignal,
  state: SignalEwma,
  settings: DetectorSettings,
): AnomalyReading {
  const rate = signal !== 'volume' && state.attempts > 0;
  const share = (events: number) => {
    if (!rate) return null;
    const failures = events / state.attempts;
    return signal === 'success_rate' ? 1 - failures : failures;
  };
  return {
    observedPerMinute: state.observed,
    expectedPerMinute: state.expected,
    observedShare: share(state.observed),
    expectedShare: share(state.expected),
    z: surprise(signal, state, settings),
  };
}

/**
 * Folds one minute of a slice into its state (a pure decider: state and input in, state and
 * changes out). Without a baseline (a slice still learning) the state stays as it is.
 */
export function detectMinute(
  slice: string,
  state: SliceState,
  minute: number,
  observed: SliceMinute,
  baseline: SliceBaseline | null,
  settings: DetectorSettings,
): { state: SliceState; changes: AnomalyChange[] } {
  if (baseline === null) return { state, changes: [] };
  const next: Partial<Record<AnomalySignal, SignalState>> = { ...state };
  const changes: AnomalyChange[] = [];
  for (const signal of anomalySignals) {
    const expected = expectation(signal, observed, baseline, settings);
    const before = state[signal];
    const seen = signalEvents(signal, observed);
    const smoothed = smooth(signal, before, seen, observed.attempts, expected, settings);
    const after = hysteresis(signal, smoothed, before, minute, settings);
    next[signal] = after;
    const wasActive = before?.activeSince ?? null;
    if (wasActive === after.activeSince) continue;
    const since = after.activeSince ?? wasActive ?? minute;
    const type = after.activeSince === null ? 'cleared' : 'raised';
    changes.push({
      type,
      slice,
      signal,
      minute,
      since,
      reading: readingOf(signal, after, settings),
    });
  }
  return { state: next, changes };
}
