import { featureCount } from './features.ts';
import {
  atFalsePositiveRate,
  atRecall,
  atThreshold,
  averagePrecision,
  calibration,
  thresholdAtFalsePositiveRate,
  type Calibration,
} from './evaluation.ts';
import { fraudTypologies, lookAlikes, type FraudTypology, type LookAlike } from './risk-event.ts';
import type { Scorer } from './risk-model.ts';
import { rulesFlag } from './rules-baseline.ts';
import type { LabelledRows } from './training-set.ts';

export interface EvaluationReport {
  readonly rows: number;
  readonly fraud_rows: number;
  readonly pr_auc: number;
  readonly recall_at_0_1pct_fpr: number;
  readonly recall_at_1pct_fpr: number;
  /** Recall of each typology at the 1% false-positive-rate threshold, and its row count. */
  readonly per_typology: Record<FraudTypology, { recall_at_1pct_fpr: number; fraud_rows: number }>;
  readonly calibration: Calibration;
  readonly rules_baseline: {
    readonly recall: number;
    readonly precision: number;
    readonly false_positive_rate: number;
    readonly per_typology_recall: Record<FraudTypology, number>;
    /** The model's precision at (at least) the rules' recall. */
    readonly model_precision_at_equal_recall: number;
    readonly precision_ratio: number;
  };
  /** Share of each look-alike's rows flagged: model at 1% FPR, and the rules. */
  readonly look_alike_flag_rate: Record<LookAlike, { model: number; rules: number; rows: number }>;
}

/** Scores every row of a set. */
export function scoreRows(scorer: Scorer, rows: LabelledRows): Float64Array {
  const scores = new Float64Array(rows.count);
  for (let i = 0; i < rows.count; i += 1)
    scores[i] = scorer.score(rows.vectors.subarray(i * featureCount, (i + 1) * featureCount));
  return scores;
}

/** The model card's figures for scores of a test set against its truth, and the rules. */
export function evaluateScores(scores: Float64Array, rows: LabelledRows): EvaluationReport {
  const truth = rows.fraud;
  const at1 = thresholdAtFalsePositiveRate(scores, truth, 0.01);
  const flags = new Float64Array(rows.count);
  for (let i = 0; i < rows.count; i += 1)
    flags[i] = rulesFlag(rows.vectors.subarray(i * featureCount, (i + 1) * featureCount));
  const rules = atThreshold(flags, truth, 0.5);
  const model = atRecall(scores, truth, rules.recall);
  const recallOf = (values: Float64Array, threshold: number, typology: FraudTypology) => {
    let hit = 0;
    let all = 0;
    for (let i = 0; i < rows.count; i += 1) {
      if (rows.typologies[i] !== typology) continue;
      all += 1;
      hit += (values[i] ?? 0) > threshold ? 1 : 0;
    }
    return { recall: all === 0 ? 0 : hit / all, all };
  };
  const perTypology = Object.fromEntries(
    fraudTypologies.map((t) => {
      const { recall, all } = recallOf(scores, at1, t);
      return [t, { recall_at_1pct_fpr: recall, fraud_rows: all }];
    }),
  ) as EvaluationReport['per_typology'];
  const lookAlikeRates = Object.fromEntries(
    lookAlikes.map((name) => {
      let rowsOf = 0;
      let byModel = 0;
      let byRules = 0;
      for (let i = 0; i < rows.count; i += 1) {
        if (rows.lookAlikes[i] !== name) continue;
        rowsOf += 1;
        byModel += (scores[i] ?? 0) > at1 ? 1 : 0;
        byRules += flags[i] ?? 0;
      }
      const share = (k: number) => (rowsOf === 0 ? 0 : k / rowsOf);
      return [name, { model: share(byModel), rules: share(byRules), rows: rowsOf }];
    }),
  ) as EvaluationReport['look_alike_flag_rate'];
  return {
    rows: rows.count,
    fraud_rows: truth.reduce((sum, x) => sum + x, 0),
    pr_auc: averagePrecision(scores, truth),
    recall_at_0_1pct_fpr: atFalsePositiveRate(scores, truth, 0.001).recall,
    recall_at_1pct_fpr: atFalsePositiveRate(scores, truth, 0.01).recall,
    per_typology: perTypology,
    calibration: calibration(scores, truth),
    rules_baseline: {
      recall: rules.recall,
      precision: rules.precision,
      false_positive_rate: rules.falsePositiveRate,
      per_typology_recall: Object.fromEntries(
        fraudTypologies.map((t) => [t, recallOf(flags, 0.5, t).recall]),
      ) as Record<FraudTypology, number>,
      model_precision_at_equal_recall: model.precision,
      precision_ratio:
        rules.precision === 0 ? Number.POSITIVE_INFINITY : model.precision / rules.precision,
    },
    look_alike_flag_rate: lookAlikeRates,
  };
}
