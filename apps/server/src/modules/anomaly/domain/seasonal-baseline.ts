import {
  rateSignals,
  signalEvents,
  type AnomalySignal,
  type RateSignal,
} from './anomaly-signals.ts';
import { madToSigma, median, medianAbsoluteDeviation } from './robust-statistics.ts';
import type { SliceHistory } from './slice-history.ts';

export const minutesPerWeek = 10_080;

export interface BaselineSettings {
  /** Past weeks the baseline may use (fewer while the history is shorter). */
  readonly weeksMax: number;
  /** Minutes either side of the same minute of the week that count as the same time. */
  readonly neighbourMinutes: number;
  /**
   * The same for shares, wider: a share moves little within an hour, and a rare event (a
   * block in 300 payments) needs the attempts of an hour or two to be estimated at all.
   */
  readonly shareNeighbourMinutes: number;
}

/** What a minute of a slice should look like, from the same time of week in past weeks. */
export interface SliceBaseline {
  /** Attempts expected in the minute: the median of the seasonal samples. */
  readonly attempts: number;
  /** Their spread per minute: 1.4826 × MAD of the samples, at least the Poisson √attempts. */
  readonly attemptsSigma: number;
  /**
   * Each rate signal's expected share of attempts, counted as `signalEvents` counts (so the
   * success rate's is the share that did not succeed).
   */
  readonly shares: Readonly<Record<RateSignal, number>>;
  /**
   * How uncertain each baseline is itself, relative to its value: 1/√(events + 1) for a share
   * (three blocks in the past weeks say little about the next hour), the median's standard
   * error for attempts.
   */
  readonly uncertainty: Readonly<Record<AnomalySignal, number>>;
  /**
   * How much the weeks' levels differ, relative to the expected attempts (1.4826 × the MAD of
   * the weekly medians, over the median); 0 with fewer than three weeks.
   */
  readonly weeklyLevelSpread: number;
  /** How many past weeks it stands on. */
  readonly weeks: number;
}

/** One past week around the same minute: its attempts by minute, and its events pooled. */
interface WeekSample {
  readonly attempts: readonly number[];
  readonly counts: WeeklyCounts;
}

/**
 * A past week around `center`: the attempts of its `neighbourMinutes` either side, and the
 * pooled counts of its `shareNeighbourMinutes`; null when fewer than half of the minutes are
 * known, or none had a payment.
 */
function weekSample(history: SliceHistory, center: number, settings: BaselineSettings) {
  const attempts: number[] = [];
  const near = settings.neighbourMinutes;
  for (let at = center - near; at <= center + near; at += 1) {
    const sample = history.at(at);
    if (sample !== undefined) attempts.push(sample.attempts);
  }
  if (attempts.length * 2 < 2 * near + 1) return null;
  const wide = settings.shareNeighbourMinutes;
  const { counts } = history.sum(center - wide, center + wide + 1);
  // Not a single payment for two hours: the slice did not exist yet, or was down. Counting
  // such a week would drag the median to zero and make the slice look healthy.
  if (counts.attempts === 0) return null;
  const pooled = { attempts: counts.attempts } as WeeklyCounts;
  for (const signal of rateSignals) pooled[signal] = signalEvents(signal, counts);
  return { attempts, counts: pooled } satisfies WeekSample;
}

/**
 * The seasonal baseline of `minute`: for each of up to `weeksMax` past weeks, the same minute
 * of the week and its neighbours (GitLab's weekly-seasonal recording rules, with neighbours so
 * that one week gives a usable sample). A week counts when at least half its minutes are
 * known and had payments. Volume is the median of all samples with its MAD; shares are pooled
 * (`sharesOf`). Null while no past week is known (the slice is still learning).
 */
export function seasonalBaseline(
  history: SliceHistory,
  minute: number,
  settings: BaselineSettings,
): SliceBaseline | null {
  const attempts: number[] = [];
  const weeklyMedians: number[] = [];
  const weeklyCounts: WeeklyCounts[] = [];
  for (let week = 1; week <= settings.weeksMax; week += 1) {
    const sample = weekSample(history, minute - week * minutesPerWeek, settings);
    if (sample === null) continue;
    attempts.push(...sample.attempts);
    weeklyMedians.push(median(sample.attempts));
    weeklyCounts.push(sample.counts);
  }
  const weeks = weeklyMedians.length;
  if (weeks === 0) return null;
  const expected = median(attempts);
  const sigma = Math.max(
    madToSigma * medianAbsoluteDeviation(attempts, expected),
    Math.sqrt(expected),
    0.5,
  );
  const pooled = (signal: RateSignal) =>
    1 / Math.sqrt(weeklyCounts.reduce((sum, week) => sum + week[signal], 0) + 1);
  return {
    attempts: expected,
    attemptsSigma: sigma,
    shares: sharesOf(weeklyCounts),
    uncertainty: {
      // The standard error of a median is about 1.25 times that of a mean.
      volume: expected > 0 ? (1.2533 * sigma) / (Math.sqrt(attempts.length) * expected) : 1,
      success_rate: pooled('success_rate'),
      decline_rate: pooled('decline_rate'),
      outcome_unknown_rate: pooled('outcome_unknown_rate'),
      fraud_block_rate: pooled('fraud_block_rate'),
    },
    weeklyLevelSpread:
      weeks < 3 || expected <= 0
        ? 0
        : (madToSigma * medianAbsoluteDeviation(weeklyMedians)) / expected,
    weeks,
  };
}

type WeeklyCounts = Record<RateSignal | 'attempts', number>;

/**
 * Each signal's share of attempts, pooled over the past weeks. Not the median of weekly shares:
 * for rare events (a block in 300 payments) most weeks have none, the median would say "never"
 * and every block would be a surprise; nor trimmed of the worst week, which biases rare shares
 * low the same way. A past incident in the pool can only raise a share, hiding a repeat at the
 * same time of week, never raising a false alert. A share never seen stays half an event away
 * from 0 and 1.
 */
function sharesOf(weeks: readonly WeeklyCounts[]): Record<RateSignal, number> {
  let attempts = 0;
  for (const week of weeks) attempts += week.attempts;
  const floor = 0.5 / attempts;
  const share = (signal: RateSignal) => {
    let events = 0;
    for (const week of weeks) events += week[signal];
    return Math.min(1 - floor, Math.max(floor, events / attempts));
  };
  return {
    success_rate: share('success_rate'),
    decline_rate: share('decline_rate'),
    outcome_unknown_rate: share('outcome_unknown_rate'),
    fraud_block_rate: share('fraud_block_rate'),
  };
}
