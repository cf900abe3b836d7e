import { roundToDigits } from './compact-number.ts';
import { assert } from '../../../kernel/assert.ts';
import { binColumns, quantileBins } from './feature-bins.ts';
import { SeededRandom } from './seeded-random.ts';

/** Rows to learn from: `count × columns` numbers row-major, 0/1 labels, optional weights. */
export interface TrainingRows {
  readonly count: number;
  readonly vectors: Float64Array;
  readonly labels: Uint8Array;
  readonly weights?: Float64Array;
}

export interface GbdtOptions {
  readonly trees: number;
  readonly maxDepth: number;
  /** Shrinkage applied to every leaf. */
  readonly learningRate: number;
  readonly minLeafRows: number;
  readonly minChildHessian: number;
  /** L2 penalty on leaf values. */
  readonly l2: number;
  readonly maxBins: number;
  /** Share of rows each tree learns from, drawn with the seeded generator. */
  readonly rowSubsample: number;
  /** Share of features each tree may split on. */
  readonly columnSubsample: number;
  readonly seed: number;
}

/** Scoring pads every tree to a complete one (2^depth leaves): depth stays small. */
export const gbdtDepthMax = 10;

export const defaultGbdtOptions: GbdtOptions = {
  trees: 500,
  maxDepth: 5,
  learningRate: 0.05,
  minLeafRows: 20,
  minChildHessian: 1e-3,
  l2: 1,
  maxBins: 64,
  rowSubsample: 0.8,
  columnSubsample: 0.8,
  seed: 1,
};

/** One tree as parallel arrays; a leaf has feature -1 and its value in `threshold`. */
export interface GbdtTree {
  readonly feature: number[];
  readonly threshold: number[];
  readonly left: number[];
  readonly right: number[];
}

export interface GbdtModel {
  readonly kind: 'gbdt';
  readonly formatVersion: 1;
  readonly featureNames: readonly string[];
  /** The starting log-odds (of the weighted base rate). */
  readonly baseMargin: number;
  readonly options: GbdtOptions;
  readonly trees: readonly GbdtTree[];
}

/**
 * Gradient-boosted trees for binary classification with logistic loss: Newton leaves
 * (−G / (H + λ), shrunk), depth-wise growth to `maxDepth`, split finding on quantile-binned
 * histograms (the smaller child built, the larger one subtracted from its parent), row and
 * column subsampling from a seeded generator. Deterministic: same rows, options and seed give
 * the same model, byte for byte.
 */
export function trainGbdt(
  rows: TrainingRows,
  featureNames: readonly string[],
  options: Partial<GbdtOptions> = {},
): GbdtModel {
  const o: GbdtOptions = { ...defaultGbdtOptions, ...options };
  const n = rows.count;
  const d = featureNames.length;
  assert(n > 0 && rows.vectors.length === n * d, 'rows × features numbers');
  assert(
    o.maxDepth >= 1 && o.maxDepth <= gbdtDepthMax,
    `maxDepth ${o.maxDepth}: 1 to ${gbdtDepthMax}`,
  );
  const bins = quantileBins(rows.vectors, n, d, o.maxBins);
  const binned = binColumns(rows.vectors, n, d, bins);
  const weights = rows.weights ?? new Float64Array(n).fill(1);
  let positive = 0;
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    positive += (weights[i] ?? 0) * (rows.labels[i] ?? 0);
    total += weights[i] ?? 0;
  }
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positive / total));
  const baseMargin = roundToDigits(Math.log(rate / (1 - rate)));
  const margin = new Float64Array(n).fill(baseMargin);
  const grower = new TreeGrower(binned, n, d, o, bins.thresholds);
  const random = new SeededRandom(o.seed);
  const trees: GbdtTree[] = [];
  for (let t = 0; t < o.trees; t += 1) {
    for (let i = 0; i < n; i += 1) {
      const p = 1 / (1 + Math.exp(-(margin[i] ?? 0)));
      const w = weights[i] ?? 0;
      grower.gradient[i] = w * (p - (rows.labels[i] ?? 0));
      grower.hessian[i] = Math.max(1e-12, w * p * (1 - p));
    }
    const sample: number[] = [];
    for (let i = 0; i < n; i += 1)
      if (o.rowSubsample >= 1 || random.next() < o.rowSubsample) sample.push(i);
    const allowed = new Uint8Array(d);
    for (let f = 0; f < d; f += 1)
      allowed[f] = o.columnSubsample >= 1 || random.next() < o.columnSubsample ? 1 : 0;
    const tree = grower.grow(Int32Array.from(sample), allowed);
    trees.push(tree.tree);
    grower.addToMargin(tree.splitBins, tree.tree, margin);
  }
  return {
    kind: 'gbdt',
    formatVersion: 1,
    featureNames: [...featureNames],
    baseMargin,
    options: o,
    trees,
  };
}

interface GrowingNode {
  readonly id: number;
  readonly rows: Int32Array;
  readonly histogram: Float64Array;
  readonly depth: number;
}

/** Grows one tree on the current gradients; the histogram is (gradient, hessian, count) per bin. */
class TreeGrower {
  readonly gradient: Float64Array;
  readonly hessian: Float64Array;
  private readonly stride: number;

  constructor(
    private readonly binned: Uint8Array,
    private readonly n: number,
    private readonly d: number,
    private readonly o: GbdtOptions,
    private readonly thresholds: readonly Float64Array[],
  ) {
    this.gradient = new Float64Array(n);
    this.hessian = new Float64Array(n);
    this.stride = o.maxBins * 3;
  }

  grow(sample: Int32Array, allowed: Uint8Array): { tree: GbdtTree; splitBins: number[] } {
    const tree: GbdtTree = { feature: [-1], threshold: [0], left: [-1], right: [-1] };
    const splitBins = [-1];
    const queue: GrowingNode[] = [
      { id: 0, rows: sample, histogram: this.histogram(sample), depth: 0 },
    ];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const node = next;
      const totals = this.totals(node.histogram);
      const split =
        node.depth < this.o.maxDepth && node.rows.length >= 2 * this.o.minLeafRows
          ? this.bestSplit(node.histogram, totals, allowed)
          : null;
      if (split === null) {
        tree.threshold[node.id] = roundToDigits(
          (-totals.g / (totals.h + this.o.l2)) * this.o.learningRate,
        );
        continue;
      }
      const { feature, bin } = split;
      const left: number[] = [];
      const right: number[] = [];
      const column = feature * this.n;
      for (const i of node.rows) ((this.binned[column + i] ?? 0) <= bin ? left : right).push(i);
      const leftRows = Int32Array.from(left);
      const rightRows = Int32Array.from(right);
      const leftSmaller = leftRows.length <= rightRows.length;
      const small = this.histogram(leftSmaller ? leftRows : rightRows);
      const large = node.histogram.map((value, k) => value - (small[k] ?? 0));
      const leftId = tree.feature.length;
      for (const array of [tree.feature, tree.left, tree.right, splitBins]) array.push(-1, -1);
      tree.threshold.push(0, 0);
      tree.feature[node.id] = feature;
      tree.threshold[node.id] = this.thresholds[feature]?.[bin] ?? 0;
      tree.left[node.id] = leftId;
      tree.right[node.id] = leftId + 1;
      splitBins[node.id] = bin;
      const depth = node.depth + 1;
      queue.push(
        { id: leftId, rows: leftRows, histogram: leftSmaller ? small : large, depth },
        { id: leftId + 1, rows: rightRows, histogram: leftSmaller ? large : small, depth },
      );
    }
    return { tree, splitBins };
  }

  private histogram(rows: Int32Array): Float64Array {
    const histogram = new Float64Array(this.d * this.stride);
    for (let f = 0; f < this.d; f += 1) {
      const column = f * this.n;
      const offset = f * this.stride;
      for (let r = 0; r < rows.length; r += 1) {
        const i = rows[r] as number;
        const k = offset + (this.binned[column + i] as number) * 3;
        histogram[k] = (histogram[k] as number) + (this.gradient[i] as number);
        histogram[k + 1] = (histogram[k + 1] as number) + (this.hessian[i] as number);
        histogram[k + 2] = (histogram[k + 2] as number) + 1;
      }
    }
    return histogram;
  }

  private totals(histogram: Float64Array): { g: number; h: number; c: number } {
    let g = 0;
    let h = 0;
    let c = 0;
    for (let k = 0; k < this.stride; k += 3) {
      g += histogram[k] ?? 0;
      h += histogram[k + 1] ?? 0;
      c += histogram[k + 2] ?? 0;
    }
    return { g, h, c };
  }

  /** The split with the largest gain (first feature, then lowest bin, on ties), if any gains. */
  private bestSplit(
    histogram: Float64Array,
    totals: { g: number; h: number; c: number },
    allowed: Uint8Array,
  ): { feature: number; bin: number } | null {
    const { l2, minLeafRows, minChildHessian } = this.o;
    const parent = (totals.g * totals.g) / (totals.h + l2);
    let best: { feature: number; bin: number } | null = null;
    let bestGain = 1e-9;
    for (let f = 0; f < this.d; f += 1) {
      if (allowed[f] !== 1) continue;
      const bins = (this.thresholds[f]?.length ?? 0) + 1;
      const offset = f * this.stride;
      let g = 0;
      let h = 0;
      let c = 0;
      for (let b = 0; b < bins - 1; b += 1) {
        g += histogram[offset + b * 3] ?? 0;
        h += histogram[offset + b * 3 + 1] ?? 0;
        c += histogram[offset + b * 3 + 2] ?? 0;
        const hr = totals.h - h;
        if (c < minLeafRows || h < minChildHessian) continue;
        if (totals.c - c < minLeafRows || hr < minChildHessian) break;
        const gr = totals.g - g;
        const gain = (g * g) / (h + l2) + (gr * gr) / (hr + l2) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          best = { feature: f, bin: b };
        }
      }
    }
    return best;
  }

  /** Adds a new tree's output to every row's margin, walking the bins. */
  addToMargin(splitBins: readonly number[], tree: GbdtTree, margin: Float64Array): void {
    for (let i = 0; i < this.n; i += 1) {
      let node = 0;
      let feature = tree.feature[0] ?? -1;
      while (feature >= 0) {
        const goesLeft = (this.binned[feature * this.n + i] ?? 0) <= (splitBins[node] ?? 0);
        node = (goesLeft ? tree.left[node] : tree.right[node]) ?? 0;
        feature = tree.feature[node] ?? -1;
      }
      margin[i] = (margin[i] ?? 0) + (tree.threshold[node] ?? 0);
    }
  }
}
