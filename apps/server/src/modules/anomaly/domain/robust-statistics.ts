/**
 * Median and median absolute deviation: the location and spread that one bad week, or a
 * holiday in the baseline, cannot drag (breakdown point 50%, where mean and standard deviation
 * have 0%). Adyen found plain sigma thresholds on means alerting on every outlier in the
 * baseline itself.
 */

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const count = values.length;
  if (count === 0) return Number.NaN;
  const scratch = values.slice();
  const upper = select(scratch, count >> 1);
  if (count % 2 === 1) return upper;
  // After selecting, everything left of the middle is at most `upper`: its largest is the other.
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count >> 1; i += 1) lower = Math.max(lower, scratch[i] ?? lower);
  return (lower + upper) / 2;
}

/**
 * The `rank`-th smallest of `values` (Hoare's quickselect, middle pivot), reordering them so
 * that smaller ones come first: linear time on average, where sorting is n log n. The detector
 * takes two medians per slice and minute, so this is its inner loop.
 */
function select(values: number[], rank: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const pivot = values[(low + high) >> 1] ?? 0;
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] ?? 0) < pivot) i += 1;
      while ((values[j] ?? 0) > pivot) j -= 1;
      if (i <= j) {
        const swap = values[i] ?? 0;
        values[i] = values[j] ?? 0;
        values[j] = swap;
        i += 1;
        j -= 1;
      }
    }
    if (rank <= j) high = j;
    else if (rank >= i) low = i;
    else break;
  }
  return values[rank] ?? Number.NaN;
}

/** 1.4826 × MAD estimates the standard deviation of normally distributed values. */
export const madToSigma = 1.4826;

/** The median absolute deviation from `center` (the median of `values` when not given). */
export function medianAbsoluteDeviation(values: readonly number[], center?: number): number {
  const at = center ?? median(values);
  return median(values.map((value) => Math.abs(value - at)));
}
