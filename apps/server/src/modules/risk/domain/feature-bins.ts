import { assert } from '../../../kernel/assert.ts';
import { ceilToDigits } from './compact-number.ts';

/**
 * Quantile bins for histogram split finding. Per feature, ascending thresholds: a value goes to
 * the first bin whose threshold it does not exceed (the last bin takes the rest). A split
 * "bin ≤ b" is then exactly "value ≤ thresholds[b]", which is what a trained tree stores.
 */
export interface FeatureBins {
  readonly thresholds: readonly Float64Array[];
}

/** Thresholds from the distinct values (few) or from quantiles (many), at most `maxBins` bins. */
export function quantileBins(
  vectors: Float64Array,
  rows: number,
  columns: number,
  maxBins: number,
): FeatureBins {
  assert(maxBins >= 2 && maxBins <= 256, `maxBins ${maxBins}: 2 to 256`);
  assert(vectors.length === rows * columns, 'vectors are rows × columns');
  const thresholds: Float64Array[] = [];
  const column = new Float64Array(rows);
  for (let f = 0; f < columns; f += 1) {
    for (let i = 0; i < rows; i += 1) {
      const value = vectors[i * columns + f] ?? 0;
      assert(!Number.isNaN(value), `feature ${f} of row ${i} is NaN`);
      column[i] = value;
    }
    column.sort();
    const distinct: number[] = [];
    for (let i = 0; i < rows; i += 1) {
      const value = column[i] ?? 0;
      if (distinct.length === 0 || value !== distinct[distinct.length - 1]) distinct.push(value);
    }
    if (distinct.length <= maxBins) {
      thresholds.push(compactCuts(distinct.slice(0, -1)));
      continue;
    }
    const cuts: number[] = [];
    for (let k = 1; k < maxBins; k += 1) {
      const value = column[Math.floor((k * rows) / maxBins)] ?? 0;
      if (value !== column[rows - 1] && (cuts.length === 0 || value > (cuts[cuts.length - 1] ?? 0)))
        cuts.push(value);
    }
    thresholds.push(compactCuts(cuts));
  }
  return { thresholds };
}

/**
 * Cuts rounded up to 7 significant digits (compact-number.ts), still strictly increasing:
 * binning and the thresholds a tree stores then agree exactly.
 */
function compactCuts(cuts: readonly number[]): Float64Array {
  const out: number[] = [];
  for (const cut of cuts) {
    const compact = ceilToDigits(cut);
    if (out.length === 0 || compact > (out[out.length - 1] ?? 0)) out.push(compact);
  }
  return Float64Array.from(out);
}

/** The bin of every value, column-major (`feature × rows + row`) for histogram building. */
export function binColumns(
  vectors: Float64Array,
  rows: number,
  columns: number,
  bins: FeatureBins,
): Uint8Array {
  const out = new Uint8Array(rows * columns);
  for (let f = 0; f < columns; f += 1) {
    const cuts = bins.thresholds[f] ?? new Float64Array(0);
    for (let i = 0; i < rows; i += 1)
      out[f * rows + i] = binOf(cuts, vectors[i * columns + f] ?? 0);
  }
  return out;
}

/** The first bin whose threshold is ≥ value (binary search). */
export function binOf(cuts: Float64Array, value: number): number {
  let low = 0;
  let high = cuts.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (value <= (cuts[middle] ?? 0)) high = middle;
    else low = middle + 1;
  }
  return low;
}
