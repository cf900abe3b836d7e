import { addMinutes, emptyMinute, type SliceMinute } from './anomaly-signals.ts';

/** One slice's counts by minute (minutes since the Unix epoch), as the baselines read them. */
export interface SliceHistory {
  /** A minute's counts; `undefined` for a minute not read (not the same as no payments). */
  at(minute: number): SliceMinute | undefined;
  /** The counts of the known minutes in [from, until), and how many of them are known. */
  sum(from: number, until: number): { readonly counts: SliceMinute; readonly known: number };
}

/** A history over a lookup, summed minute by minute (the worker reads a few minutes a run). */
export function lookupHistory(at: (minute: number) => SliceMinute | undefined): SliceHistory {
  return {
    at,
    sum(from, until) {
      let counts = emptyMinute;
      let known = 0;
      for (let minute = from; minute < until; minute += 1) {
        const sample = at(minute);
        if (sample === undefined) continue;
        counts = addMinutes(counts, sample);
        known += 1;
      }
      return { counts, known };
    },
  };
}

/**
 * A history over consecutive minutes from `startMinute`, with prefix sums so that any window
 * sums in constant time (the replay judges every minute of weeks of traffic).
 */
export function arrayHistory(minutes: readonly SliceMinute[], startMinute: number): SliceHistory {
  const prefix: SliceMinute[] = [emptyMinute];
  for (const sample of minutes)
    prefix.push(addMinutes(prefix[prefix.length - 1] ?? emptyMinute, sample));
  const clamp = (minute: number) => Math.min(minutes.length, Math.max(0, minute - startMinute));
  return {
    at: (minute) => minutes[minute - startMinute],
    sum(from, until) {
      const low = clamp(from);
      const high = Math.max(low, clamp(until));
      const a = prefix[low] ?? emptyMinute;
      const b = prefix[high] ?? emptyMinute;
      return {
        counts: {
          attempts: b.attempts - a.attempts,
          succeeded: b.succeeded - a.succeeded,
          declined: b.declined - a.declined,
          unknown: b.unknown - a.unknown,
          blocked: b.blocked - a.blocked,
          pending: b.pending - a.pending,
        },
        known: high - low,
      };
    },
  };
}
