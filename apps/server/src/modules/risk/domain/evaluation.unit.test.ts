import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  atFalsePositiveRate,
  atRecall,
  averagePrecision,
  calibration,
  thresholdAtFalsePositiveRate,
} from './evaluation.ts';

const close = (actual: number, expected: number, message?: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${message ?? ''} ${actual} ≠ ${expected}`);

describe('evaluation metrics on hand-computed cases', () => {
  it('average precision: Σ ΔR · P over the ranking', () => {
    // Ranks: fraud (P 1, R ½), legit, fraud (P ⅔, R 1), legit → ½·1 + ½·⅔.
    close(averagePrecision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]), 0.5 + 1 / 3);
    close(averagePrecision([0.9, 0.8, 0.7], [1, 1, 0]), 1, 'perfect ranking');
    close(averagePrecision([0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0]), 0.25, 'worst ranking');
    assert.equal(averagePrecision([0.5, 0.5], [0, 0]), 0, 'no fraud at all');
  });

  it('average precision counts tied scores together, never in the luckiest order', () => {
    // All four tied: one step to recall 1 at precision ½.
    close(averagePrecision([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
    close(averagePrecision([0.5, 0.5, 0.5, 0.5], [1, 1, 0, 0]), 0.5);
  });

  it('recall at a false-positive rate flags only scores above the k+1-th legitimate score', () => {
    const legit = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const scores = [...legit, 0.95, 0.85, 0.5];
    const labels = [...legit.map(() => 0), 1, 1, 1];
    // 10% of 10 legitimate rows: one may be flagged (0.9); the threshold is the next, 0.8.
    assert.equal(thresholdAtFalsePositiveRate(scores, labels, 0.1), 0.8);
    const point = atFalsePositiveRate(scores, labels, 0.1);
    close(point.recall, 2 / 3);
    close(point.falsePositiveRate, 0.1);
    close(point.precision, 2 / 3);
    // Below one allowed false positive, nothing legitimate may pass: threshold 0.9.
    close(atFalsePositiveRate(scores, labels, 0.05).recall, 1 / 3);
  });

  it('precision at a recall: the strictest threshold that reaches it', () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
    const labels = [1, 0, 1, 0, 1];
    close(atRecall(scores, labels, 1 / 3).precision, 1);
    close(atRecall(scores, labels, 0.5).precision, 2 / 3);
    close(atRecall(scores, labels, 2 / 3).precision, 2 / 3);
    close(atRecall(scores, labels, 1).precision, 3 / 5);
  });

  it('calibration: Brier score and reliability bins', () => {
    const report = calibration([0.05, 0.15, 0.95, 0.97], [0, 1, 1, 0], 10);
    close(report.brier, (0.05 ** 2 + 0.85 ** 2 + 0.05 ** 2 + 0.97 ** 2) / 4);
    assert.deepEqual(
      report.bins.map((b) => b.count),
      [1, 1, 0, 0, 0, 0, 0, 0, 0, 2],
    );
    close(report.bins[9]?.meanScore ?? 0, 0.96);
    close(report.bins[9]?.fraudRate ?? 0, 0.5);
    close(report.expectedCalibrationError, (0.05 + 0.85 + 2 * 0.46) / 4);
    assert.equal(calibration([1], [1]).bins[9]?.count, 1, 'a score of 1 is in the last bin');
  });
});
