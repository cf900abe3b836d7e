import type { EvaluationReport } from './evaluation-report.ts';
import { fraudTypologies, type FraudTypology } from './risk-event.ts';

/** The headline figures averaged over seeds, and whether each target of issue 15 is met. */
export interface SeedAverage {
  readonly seeds: number;
  readonly pr_auc: number;
  readonly recall_at_0_1pct_fpr: number;
  readonly recall_at_1pct_fpr: number;
  readonly per_typology: Record<FraudTypology, number>;
  readonly brier: number;
  readonly expected_calibration_error: number;
  readonly rules_recall: number;
  readonly rules_precision: number;
  readonly model_precision_at_rules_recall: number;
  readonly precision_ratio: number;
  readonly targets: {
    readonly pr_auc_at_least_0_80: boolean;
    readonly recall_at_0_1pct_fpr_at_least_0_70: boolean;
    readonly every_typology_at_least_0_5_at_1pct_fpr: boolean;
    readonly precision_at_least_30x_rules: boolean;
  };
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;

/** Means over the seeds' reports (each seed weighs the same). */
export function averageReports(reports: readonly EvaluationReport[]): SeedAverage {
  const of = (pick: (r: EvaluationReport) => number) => mean(reports.map(pick));
  const perTypology = Object.fromEntries(
    fraudTypologies.map((t) => [t, of((r) => r.per_typology[t].recall_at_1pct_fpr)]),
  ) as Record<FraudTypology, number>;
  const average = {
    pr_auc: of((r) => r.pr_auc),
    recall_at_0_1pct_fpr: of((r) => r.recall_at_0_1pct_fpr),
    recall_at_1pct_fpr: of((r) => r.recall_at_1pct_fpr),
    precision_ratio: of((r) => r.rules_baseline.precision_ratio),
  };
  return {
    seeds: reports.length,
    ...average,
    per_typology: perTypology,
    brier: of((r) => r.calibration.brier),
    expected_calibration_error: of((r) => r.calibration.expectedCalibrationError),
    rules_recall: of((r) => r.rules_baseline.recall),
    rules_precision: of((r) => r.rules_baseline.precision),
    model_precision_at_rules_recall: of((r) => r.rules_baseline.model_precision_at_equal_recall),
    targets: {
      pr_auc_at_least_0_80: average.pr_auc >= 0.8,
      recall_at_0_1pct_fpr_at_least_0_70: average.recall_at_0_1pct_fpr >= 0.7,
      every_typology_at_least_0_5_at_1pct_fpr: Object.values(perTypology).every((r) => r >= 0.5),
      precision_at_least_30x_rules: average.precision_ratio >= 30,
    },
  };
}
