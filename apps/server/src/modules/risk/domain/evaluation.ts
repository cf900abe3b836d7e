import { assert } from '../../../kernel/assert.ts';

/**
 * Ranking and calibration metrics for a fraud score. Labels are 1 (fraud) or 0; a row is
 * flagged when its score is strictly above a threshold, so tied scores are never split.
 */

/** Row indices by score, highest first (ties in row order, so results are deterministic). */
function byScoreDescending(scores: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
}

function positives(labels: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < labels.length; i += 1) count += labels[i] === 1 ? 1 : 0;
  return count;
}

/**
 * The area under the precision–recall curve as average precision: Σ (Rₖ − Rₖ₋₁) · Pₖ over the
 * distinct score thresholds, highest first (tied scores enter together).
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  assert(scores.length === labels.length, 'one label per score');
  const total = positives(labels);
  if (total === 0) return 0;
  const order = byScoreDescending(scores);
  let truePositives = 0;
  let flagged = 0;
  let area = 0;
  let previousRecall = 0;
  for (let k = 0; k < order.length;) {
    const score = scores[order[k] ?? 0];
    while (k < order.length && scores[order[k] ?? 0] === score) {
      truePositives += labels[order[k] ?? 0] === 1 ? 1 : 0;
      flagged += 1;
      k += 1;
    }
    const recall = truePositives / total;
    area += (recall - previousRecall) * (truePositives / flagged);
    previousRecall = recall;
  }
  return area;
}

export interface OperatingPoint {
  /** Flag rows scoring strictly above this. */
  readonly threshold: number;
  readonly recall: number;
  readonly precision: number;
  readonly falsePositiveRate: number;
}

/** The operating point of a threshold. */
export function atThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): OperatingPoint {
  let truePositives = 0;
  let falsePositives = 0;
  let total = 0;
  for (let i = 0; i < scores.length; i += 1) {
    const fraud = labels[i] === 1;
    total += fraud ? 1 : 0;
    if ((scores[i] ?? 0) > threshold) {
      if (fraud) truePositives += 1;
      else falsePositives += 1;
    }
  }
  const negatives = scores.length - total;
  return {
    threshold,
    recall: total === 0 ? 0 : truePositives / total,
    precision:
      truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives),
    falsePositiveRate: negatives === 0 ? 0 : falsePositives / negatives,
  };
}

/**
 * The lowest threshold whose false-positive rate is at most `rate`: the legitimate score
 * ranked just after the ⌊rate · N⌋ highest ones.
 */
export function thresholdAtFalsePositiveRate(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  rate: number,
): number {
  const legitimate: number[] = [];
  for (let i = 0; i < scores.length; i += 1) if (labels[i] !== 1) legitimate.push(scores[i] ?? 0);
  const allowed = Math.floor(rate * legitimate.length + 1e-9);
  if (allowed >= legitimate.length) return Number.NEGATIVE_INFINITY;
  legitimate.sort((a, b) => b - a);
  return legitimate[allowed] ?? Number.NEGATIVE_INFINITY;
}

/** Recall (and the rest) at a false-positive rate of at most `rate`. */
export function atFalsePositiveRate(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  rate: number,
): OperatingPoint {
  return atThreshold(scores, labels, thresholdAtFalsePositiveRate(scores, labels, rate));
}

/** The best precision among thresholds that reach at least `recall`. */
export function atRecall(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  recall: number,
): OperatingPoint {
  const fraudScores: number[] = [];
  for (let i = 0; i < scores.length; i += 1) if (labels[i] === 1) fraudScores.push(scores[i] ?? 0);
  if (fraudScores.length === 0) return atThreshold(scores, labels, Number.POSITIVE_INFINITY);
  fraudScores.sort((a, b) => b - a);
  const needed = Math.max(1, Math.ceil(recall * fraudScores.length - 1e-9));
  const lowest = fraudScores[Math.min(needed, fraudScores.length) - 1] ?? 0;
  // The largest threshold that still flags `lowest`: just below it.
  let threshold = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i += 1) {
    const score = scores[i] ?? 0;
    if (score < lowest && score > threshold) threshold = score;
  }
  return atThreshold(scores, labels, threshold);
}

export interface ReliabilityBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly meanScore: number;
  readonly fraudRate: number;
}

export interface Calibration {
  /** Mean squared error of the probability: lower is better; 0.25 is a coin. */
  readonly brier: number;
  /** Σ (bin share) · |mean score − fraud rate| over the reliability bins. */
  readonly expectedCalibrationError: number;
  readonly bins: readonly ReliabilityBin[];
}

/** Reliability in `binCount` equal-width probability bins, and the Brier score. */
export function calibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  binCount = 10,
): Calibration {
  const count = new Array<number>(binCount).fill(0);
  const scoreSum = new Array<number>(binCount).fill(0);
  const fraudSum = new Array<number>(binCount).fill(0);
  let squares = 0;
  for (let i = 0; i < scores.length; i += 1) {
    const score = scores[i] ?? 0;
    const label = labels[i] === 1 ? 1 : 0;
    const bin = Math.min(binCount - 1, Math.max(0, Math.floor(score * binCount)));
    count[bin] = (count[bin] ?? 0) + 1;
    scoreSum[bin] = (scoreSum[bin] ?? 0) + score;
    fraudSum[bin] = (fraudSum[bin] ?? 0) + label;
    squares += (score - label) ** 2;
  }
  const n = Math.max(1, scores.length);
  const bins = count.map((c, b) => ({
    from: b / binCount,
    to: (b + 1) / binCount,
    count: c,
    meanScore: c === 0 ? 0 : (scoreSum[b] ?? 0) / c,
    fraudRate: c === 0 ? 0 : (fraudSum[b] ?? 0) / c,
  }));
  const expectedCalibrationError = bins.reduce(
    (sum, bin) => sum + (bin.count / n) * Math.abs(bin.meanScore - bin.fraudRate),
    0,
  );
  return { brier: squares / n, expectedCalibrationError, bins };
}
