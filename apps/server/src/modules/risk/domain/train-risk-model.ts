import { assert } from '../../../kernel/assert.ts';
import { featureCount, featureNames } from './features.ts';
import { trainGbdt, type GbdtOptions, type TrainingRows } from './gbdt.ts';
import { trainLogistic, type LogisticOptions } from './logistic.ts';
import type { ModelKind, RiskModel } from './risk-model.ts';
import { SeededRandom } from './seeded-random.ts';
import type { LabelledRows } from './training-set.ts';

export interface TrainRiskModelOptions {
  readonly kind: ModelKind;
  readonly seed: number;
  /**
   * Share of legitimate rows kept (each kept one weighs 1 / share, so probabilities stay
   * calibrated): fraud is rare, and most legitimate rows teach the trees nothing new.
   */
  readonly legitimateShare?: number;
  readonly gbdt?: Partial<GbdtOptions>;
  readonly logistic?: Partial<LogisticOptions>;
}

/** Trains a model of the feature set on labelled rows (training labels, never the truth). */
export function trainRiskModel(rows: LabelledRows, options: TrainRiskModelOptions): RiskModel {
  const share = options.legitimateShare ?? 0.3;
  assert(share > 0 && share <= 1, `legitimateShare ${share} in (0, 1]`);
  const sample = downsample(rows, share, options.seed);
  return options.kind === 'gbdt'
    ? trainGbdt(sample, featureNames, { ...options.gbdt, seed: options.seed })
    : trainLogistic(sample, featureNames, { ...options.logistic, seed: options.seed });
}

/** Every labelled-fraud row, and a seeded sample of the others with weight 1 / share. */
function downsample(rows: LabelledRows, share: number, seed: number): TrainingRows {
  const random = new SeededRandom(seed).fork('legitimate-sample');
  const kept: number[] = [];
  for (let i = 0; i < rows.count; i += 1)
    if (rows.labels[i] === 1 || share >= 1 || random.next() < share) kept.push(i);
  const vectors = new Float64Array(kept.length * featureCount);
  const labels = new Uint8Array(kept.length);
  const weights = new Float64Array(kept.length);
  kept.forEach((row, k) => {
    vectors.set(
      rows.vectors.subarray(row * featureCount, (row + 1) * featureCount),
      k * featureCount,
    );
    labels[k] = rows.labels[row] ?? 0;
    weights[k] = labels[k] === 1 ? 1 : 1 / share;
  });
  return { count: kept.length, vectors, labels, weights };
}
