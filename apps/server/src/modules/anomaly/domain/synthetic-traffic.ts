import { assert } from '../../../kernel/assert.ts';
import { SeededRandom } from '../../../kernel/seeded-random.ts';
import {
  addMinutes,
  emptyMinute,
  isProcessorKind,
  processorSlice,
  type SliceMinute,
} from './anomaly-signals.ts';
import { injectIncidents, underIncident, type Incident } from './synthetic-incidents.ts';
import { syntheticSlices, type MinuteConditions, type SyntheticSlice } from './synthetic-slices.ts';

export interface TrafficOptions {
  readonly seed: number;
  /** First simulated minute (minutes since the epoch); a Monday, 00:00 UTC, by default. */
  readonly startMinute?: number;
  /** Clean history before the replayed window: the baselines' past weeks. */
  readonly historyDays: number;
  /** The replayed window, where incidents happen. */
  readonly days: number;
  /** Incidents of each kind per simulated week of the replayed window, placed at random… */
  readonly incidentsPerWeek: Readonly<Record<Incident['kind'], number>>;
  /** …or these, exactly. */
  readonly incidents?: readonly Incident[];
  readonly slices?: readonly SyntheticSlice[];
}

export interface SyntheticTraffic {
  readonly startMinute: number;
  /** The first minute of the replayed window. */
  readonly replayFrom: number;
  /** One past the last minute. */
  readonly endMinute: number;
  /** Every slice's minutes from `startMinute`, the processor's included. */
  readonly series: ReadonlyMap<string, readonly SliceMinute[]>;
  readonly incidents: readonly Incident[];
}

/** 2026-01-05, a Monday. */
const defaultStartMinute = Date.UTC(2026, 0, 5) / 60_000;

/** Day-of-day demand, 0.1 at night to about 1 at noon and in the evening. */
function dailyShape(minuteOfDay: number): number {
  const hour = minuteOfDay / 60;
  const bump = (center: number, width: number) => Math.exp(-(((hour - center) / width) ** 2) / 2);
  return 0.1 + 0.9 * Math.min(1, bump(12.5, 3.5) + 0.8 * bump(19.5, 2.5));
}

function isWeekend(minute: number): boolean {
  const dayOfWeek = (Math.floor(minute / 1440) + 3) % 7; // 1970-01-01 was a Thursday; 0 = Monday
  return dayOfWeek >= 5;
}

/**
 * A binomial draw: waiting times between successes when few are expected (exact), a rounded
 * normal when many are (the error is far below the noise the detector must stand anyway).
 */
export function binomial(random: SeededRandom, trials: number, share: number): number {
  if (trials <= 0 || share <= 0) return 0;
  if (share >= 1) return trials;
  if (share > 0.5) return trials - binomial(random, trials, 1 - share);
  const mean = trials * share;
  if (mean > 15) {
    const draw = Math.round(mean + Math.sqrt(mean * (1 - share)) * random.normal());
    return Math.min(trials, Math.max(0, draw));
  }
  const logMiss = Math.log(1 - share);
  let count = 0;
  for (let at = -1; ; count += 1) {
    at += Math.floor(Math.log(1 - random.next()) / logMiss) + 1;
    if (at >= trials) return count;
  }
}

/** A log-normal AR(1) factor: slow drifts of demand or of a share, not independent noise. */
function drift(random: SeededRandom, sigma: number, correlationMinutes: number) {
  const keep = Math.exp(-1 / correlationMinutes);
  const step = sigma * Math.sqrt(1 - keep * keep);
  let level = sigma * random.normal();
  return () => {
    level = keep * level + step * random.normal();
    return Math.exp(level);
  };
}

function simulateMinute(
  random: SeededRandom,
  spec: SyntheticSlice,
  conditions: MinuteConditions,
): SliceMinute {
  const attempts = random.poisson(conditions.expectedAttempts);
  const blocked = binomial(random, attempts, conditions.blockShare);
  let rest = attempts - blocked;
  let left = 1 - conditions.blockShare;
  const declined = binomial(random, rest, Math.min(1, conditions.declineShare / left));
  rest -= declined;
  left -= conditions.declineShare;
  const unknown = binomial(random, rest, Math.min(1, conditions.unknownShare / left));
  rest -= unknown;
  left -= conditions.unknownShare;
  const pending = binomial(random, rest, Math.min(1, spec.pendingShare / Math.max(left, 1e-9)));
  return { attempts, succeeded: rest - pending, declined, unknown, blocked, pending };
}

/**
 * Seeded synthetic traffic, minute by minute, per slice: daily and weekly seasonality, a
 * growth of 1% a week, slow drifts of demand (±8%, about an hour) and of decline shares (±15%),
 * Poisson arrivals and binomial outcomes, with incidents injected into the replayed window only.
 * The same options always give the same traffic.
 */
export function syntheticTraffic(options: TrafficOptions): SyntheticTraffic {
  const random = new SeededRandom(options.seed);
  const slices = options.slices ?? syntheticSlices;
  assert(options.days > 0 && options.historyDays >= 0, 'a window to simulate');
  const startMinute = options.startMinute ?? defaultStartMinute;
  const replayFrom = startMinute + options.historyDays * 1440;
  const endMinute = replayFrom + options.days * 1440;
  const placed = injectIncidents(random.fork('incidents'), {
    slices,
    replayFrom,
    endMinute,
    perWeek: options.incidentsPerWeek,
  });
  const incidents = options.incidents ?? placed;
  const series = new Map<string, SliceMinute[]>();
  for (const spec of slices) {
    const draws = random.fork(spec.name);
    const demand = drift(draws, 0.08, 60);
    const declines = drift(draws, 0.15, 30);
    const own = incidents.filter((incident) => incident.slice === spec.name);
    const minutes: SliceMinute[] = [];
    for (let minute = startMinute; minute < endMinute; minute += 1) {
      const weeks = (minute - startMinute) / 10_080;
      const base: MinuteConditions = {
        expectedAttempts:
          spec.peakPerMinute *
          dailyShape(minute % 1440) *
          (isWeekend(minute) ? spec.weekendFactor : 1) *
          (1 + 0.01 * weeks) *
          demand(),
        declineShare: Math.min(0.5, spec.declineShare * declines()),
        unknownShare: spec.unknownShare,
        blockShare: spec.blockShare,
      };
      const active = own.find((i) => minute >= i.startMinute && minute < i.endMinute);
      minutes.push(
        simulateMinute(draws, spec, active === undefined ? base : underIncident(active, base)),
      );
    }
    series.set(spec.name, minutes);
  }
  series.set(processorSlice, processorMinutes(slices, series, endMinute - startMinute));
  return { startMinute, replayFrom, endMinute, series, incidents };
}

function processorMinutes(
  slices: readonly SyntheticSlice[],
  series: ReadonlyMap<string, readonly SliceMinute[]>,
  length: number,
): SliceMinute[] {
  const parts = slices.filter((s) => isProcessorKind(s.kind)).map((s) => series.get(s.name) ?? []);
  return Array.from({ length }, (_, at) =>
    parts.reduce((sum, part) => addMinutes(sum, part[at] ?? emptyMinute), emptyMinute),
  );
}
