import type { Queryable } from '../../platform/db.ts';
import { emptyMinute, type SliceMinute } from './domain/anomaly-signals.ts';
import { minutesPerWeek, type BaselineSettings } from './domain/seasonal-baseline.ts';
import { lookupHistory, type SliceHistory } from './domain/slice-history.ts';
import { readSliceMinutes, type MinuteRange, type SliceMinutes } from './slice-minutes.ts';

/** History is read and kept by the hour. */
const chunkMinutes = 60;

export interface JudgedWindow {
  /** The minutes to judge, by slice. */
  readonly recent: SliceMinutes;
  /** Every slice with payments in the window or in its baselines' past weeks. */
  readonly slices: ReadonlySet<string>;
  /** A slice's counts by minute, the judged minutes and their past weeks both. */
  history(slice: string): SliceHistory;
}

export interface MinuteHistory {
  /**
   * Reads the minutes of `judged` and the hours of the past weeks their baselines need, in one
   * statement; past hours already read are kept (they no longer change) and forgotten once no
   * baseline needs them.
   */
  read(q: Queryable, judged: MinuteRange, settings: BaselineSettings): Promise<JudgedWindow>;
}

/** The hours of past weeks that the baselines of `judged` read. */
function neededChunks(judged: MinuteRange, settings: BaselineSettings): number[] {
  const chunks = new Set<number>();
  for (let week = 1; week <= settings.weeksMax; week += 1) {
    const from = judged.from - week * minutesPerWeek - settings.neighbourMinutes;
    const until = judged.until - week * minutesPerWeek + settings.neighbourMinutes;
    for (let chunk = Math.floor(from / chunkMinutes); chunk * chunkMinutes < until; chunk += 1)
      chunks.add(chunk);
  }
  return [...chunks].sort((a, b) => a - b);
}

/** Adjacent hours as one range each. */
function rangesOf(chunks: readonly number[]): MinuteRange[] {
  const ranges: MinuteRange[] = [];
  for (const chunk of chunks) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last.until === chunk * chunkMinutes)
      ranges[ranges.length - 1] = { from: last.from, until: (chunk + 1) * chunkMinutes };
    else ranges.push({ from: chunk * chunkMinutes, until: (chunk + 1) * chunkMinutes });
  }
  return ranges;
}

/** A process's memory of past weeks' minutes (derived data: the payments table is the truth). */
export function createMinuteHistory(): MinuteHistory {
  const past: SliceMinutes = new Map();
  const loaded = new Set<number>();

  function forgetBefore(chunk: number): void {
    for (const old of loaded) if (old < chunk) loaded.delete(old);
    const minute = chunk * chunkMinutes;
    for (const minutes of past.values())
      for (const at of minutes.keys()) if (at < minute) minutes.delete(at);
    for (const [slice, minutes] of past) if (minutes.size === 0) past.delete(slice);
  }

  return {
    async read(q, judged, settings) {
      const needed = neededChunks(judged, settings);
      forgetBefore(needed[0] ?? Math.floor(judged.from / chunkMinutes));
      const missing = needed.filter((chunk) => !loaded.has(chunk));
      const rows = await readSliceMinutes(q, [judged, ...rangesOf(missing)]);
      const recent: SliceMinutes = new Map();
      for (const [slice, minutes] of rows)
        for (const [minute, counts] of minutes) {
          const into = minute >= judged.from && minute < judged.until ? recent : past;
          const bySlice = into.get(slice) ?? new Map<number, SliceMinute>();
          into.set(slice, bySlice);
          bySlice.set(minute, counts);
        }
      for (const chunk of missing) loaded.add(chunk);
      const slices = new Set([...recent.keys(), ...past.keys()]);
      return {
        recent,
        slices,
        history: (slice) =>
          lookupHistory((minute) => {
            if (minute >= judged.from && minute < judged.until)
              return recent.get(slice)?.get(minute) ?? emptyMinute;
            if (!loaded.has(Math.floor(minute / chunkMinutes))) return undefined;
            return past.get(slice)?.get(minute) ?? emptyMinute;
          }),
      };
    },
  };
}
