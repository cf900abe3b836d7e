import { roundToDigits } from './compact-number.ts';
import { assert } from '../../../kernel/assert.ts';
import type { TrainingRows } from './gbdt.ts';
import { SeededRandom } from './seeded-random.ts';

export interface LogisticOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly seed: number;
}

export const defaultLogisticOptions: LogisticOptions = {
  epochs: 8,
  batchSize: 256,
  learningRate: 0.01,
  l2: 1e-4,
  seed: 1,
};

/**
 * Logistic regression on signed-log, standardized features: the linear baseline. Weights apply
 * to (slog(x) − mean) / scale, where slog(x) = sign(x) · ln(1 + |x|) tames counts and sums.
 */
export interface LogisticModel {
  readonly kind: 'logistic';
  readonly formatVersion: 1;
  readonly featureNames: readonly string[];
  readonly means: number[];
  readonly scales: number[];
  readonly weights: number[];
  readonly bias: number;
  readonly options: LogisticOptions;
}

const signedLog = (x: number) => (x < 0 ? -Math.log1p(-x) : Math.log1p(x));

/** Mini-batch Adam on the weighted log loss with an L2 penalty; batches in a seeded order. */
export function trainLogistic(
  rows: TrainingRows,
  featureNames: readonly string[],
  options: Partial<LogisticOptions> = {},
): LogisticModel {
  const o: LogisticOptions = { ...defaultLogisticOptions, ...options };
  const n = rows.count;
  const d = featureNames.length;
  assert(n > 0 && rows.vectors.length === n * d, 'rows × features numbers');
  const { x, means, scales } = standardize(rows.vectors, n, d);
  const weights = new Float64Array(d + 1);
  const moment = new Float64Array(d + 1);
  const velocity = new Float64Array(d + 1);
  const gradient = new Float64Array(d + 1);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const random = new SeededRandom(o.seed);
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch += 1) {
    for (let i = n - 1; i > 0; i -= 1) {
      const j = random.int(i + 1);
      const swap = order[i] as number;
      order[i] = order[j] as number;
      order[j] = swap;
    }
    for (let start = 0; start < n; start += o.batchSize) {
      gradient.fill(0);
      const end = Math.min(n, start + o.batchSize);
      for (let r = start; r < end; r += 1) {
        const i = order[r] as number;
        let z = weights[d] as number;
        for (let f = 0; f < d; f += 1) z += (weights[f] as number) * (x[i * d + f] as number);
        const error =
          ((rows.weights?.[i] ?? 1) * (1 / (1 + Math.exp(-z)) - (rows.labels[i] ?? 0))) /
          (end - start);
        for (let f = 0; f < d; f += 1)
          gradient[f] = (gradient[f] as number) + error * (x[i * d + f] as number);
        gradient[d] = (gradient[d] as number) + error;
      }
      step += 1;
      for (let f = 0; f <= d; f += 1) {
        const g = (gradient[f] as number) + (f < d ? o.l2 * (weights[f] as number) : 0);
        moment[f] = 0.9 * (moment[f] as number) + 0.1 * g;
        velocity[f] = 0.999 * (velocity[f] as number) + 0.001 * g * g;
        const corrected = (moment[f] as number) / (1 - 0.9 ** step);
        const scale = Math.sqrt((velocity[f] as number) / (1 - 0.999 ** step)) + 1e-8;
        weights[f] = (weights[f] as number) - (o.learningRate * corrected) / scale;
      }
    }
  }
  return {
    kind: 'logistic',
    formatVersion: 1,
    featureNames: [...featureNames],
    // 7 significant digits (compact-number.ts): no long digit runs in a model file.
    means: means.map(roundToDigits),
    scales: scales.map(roundToDigits),
    weights: Array.from(weights.subarray(0, d), roundToDigits),
    bias: roundToDigits(weights[d] as number),
    options: o,
  };
}

/** Signed-log features shifted and scaled to mean 0 and deviation 1 (1 for a constant). */
function standardize(
  vectors: Float64Array,
  n: number,
  d: number,
): { x: Float64Array; means: number[]; scales: number[] } {
  const x = vectors.map(signedLog);
  const means = new Array<number>(d).fill(0);
  const scales = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i += 1)
    for (let f = 0; f < d; f += 1) means[f] = (means[f] ?? 0) + (x[i * d + f] ?? 0) / n;
  for (let i = 0; i < n; i += 1)
    for (let f = 0; f < d; f += 1)
      scales[f] = (scales[f] ?? 0) + ((x[i * d + f] ?? 0) - (means[f] ?? 0)) ** 2 / n;
  for (let f = 0; f < d; f += 1) scales[f] = Math.sqrt(scales[f] ?? 0) || 1;
  for (let i = 0; i < n; i += 1)
    for (let f = 0; f < d; f += 1)
      x[i * d + f] = ((x[i * d + f] ?? 0) - (means[f] ?? 0)) / (scales[f] ?? 1);
  return { x, means, scales };
}

/** Scores vectors with a logistic model, allocation-free. */
export class LogisticScorer {
  private readonly means: Float64Array;
  private readonly scales: Float64Array;
  private readonly weights: Float64Array;
  private readonly bias: number;

  constructor(model: LogisticModel) {
    this.means = Float64Array.from(model.means);
    this.scales = Float64Array.from(model.scales);
    this.weights = Float64Array.from(model.weights);
    this.bias = model.bias;
  }

  score(vector: Float64Array): number {
    let z = this.bias;
    for (let f = 0; f < this.weights.length; f += 1)
      z +=
        ((this.weights[f] as number) *
          (signedLog(vector[f] as number) - (this.means[f] as number))) /
        (this.scales[f] as number);
    return 1 / (1 + Math.exp(-z));
  }
}
