import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  averageReports,
  compileModel,
  evaluateScores,
  featureCount,
  modelVersion,
  parseModel,
  scoreRows,
  serializeModel,
  simulate,
  splitByTime,
  trainRiskModel,
  type EvaluationReport,
  type ModelKind,
  type RiskModel,
  type Scorer,
  type TrainTestSplit,
} from '../modules/risk/index.ts';
import { integer, modelKind, UsageError, world, type Flags } from './risk-cli-flags.ts';

/**
 * `risk evaluate`: for each seed, trains (or loads a model file), scores the held-out later
 * part of the traffic and reports; with several seeds, their mean.
 */
export function evaluateCommand(
  flags: Flags,
  say: (line: string) => void,
  progress: (line: string) => void,
): number {
  const seedList = flags.get('seeds');
  const seeds =
    typeof seedList === 'string'
      ? seedList.split(',').map((s) => {
          const seed = Number(s);
          if (!Number.isInteger(seed) || seed < 0)
            throw new UsageError(`--seeds ${seedList}: integers like 1,2,3`);
          return seed;
        })
      : [integer(flags, 'seed', 1, 0, 2 ** 31 - 1)];
  const file = flags.get('model-file');
  const loaded = typeof file === 'string' ? parseModel(readFileSync(resolve(file), 'utf8')) : null;
  const kind = modelKind(flags);
  const results = seeds.map((seed) => {
    progress(`seed ${seed}: simulating…`);
    const startedMs = performance.now();
    const split = splitByTime(simulate(world(flags, seed)));
    const dataSeconds = seconds(startedMs);
    return { ...evaluateSeed(seed, split, loaded, kind, progress), data_seconds: dataSeconds };
  });
  const mean = averageReports(results.map((r) => r.report));
  const timing = {
    data_seconds: average(results.map((r) => r.data_seconds ?? 0)),
    training_seconds: average(results.map((r) => r.training_seconds ?? 0)),
    scoring_us_per_vector: average(results.map((r) => r.scoring_us_per_vector)),
  };
  if (flags.get('json') === true) {
    const single = results.length === 1 ? results[0] : undefined;
    say(
      JSON.stringify(
        single !== undefined
          ? flatten(single)
          : { seeds: results.map(flatten), mean: { ...mean, ...timing } },
        null,
        2,
      ),
    );
    return 0;
  }
  for (const result of results) say(describe(result));
  if (results.length > 1)
    say(`\nmean over ${results.length} seeds:\n${JSON.stringify({ ...mean, ...timing }, null, 2)}`);
  return 0;
}

const seconds = (fromMs: number) => Number(((performance.now() - fromMs) / 1000).toFixed(2));

interface SeedResult {
  readonly seed: number;
  readonly model_version: string;
  /** Simulation and feature extraction (the data a training run needs). */
  readonly data_seconds?: number;
  readonly training_seconds: number | null;
  readonly scoring_us_per_vector: number;
  readonly training: { rows: number; labelled_fraud: number; hidden_fraud_movements: number };
  readonly report: EvaluationReport;
}

function evaluateSeed(
  seed: number,
  split: TrainTestSplit,
  loaded: RiskModel | null,
  kind: ModelKind,
  progress: (line: string) => void,
): SeedResult {
  let model = loaded;
  let trainingSeconds: number | null = null;
  if (model === null) {
    progress(`seed ${seed}: training ${kind} on ${split.train.count} rows…`);
    const startedMs = performance.now();
    model = trainRiskModel(split.train, { kind, seed });
    trainingSeconds = seconds(startedMs);
  }
  const scorer = compileModel(model);
  const report = evaluateScores(scoreRows(scorer, split.test), split.test);
  return {
    seed,
    model_version: modelVersion(serializeModel(model)),
    training_seconds: trainingSeconds,
    scoring_us_per_vector: scoringMicroseconds(scorer, split),
    training: {
      rows: split.train.count,
      labelled_fraud: split.train.labels.reduce((sum, x) => sum + x, 0),
      hidden_fraud_movements: split.hiddenMovements,
    },
    report,
  };
}

/** Mean time to score one vector, copied into one reused buffer as the runtime will. */
function scoringMicroseconds(scorer: Scorer, split: TrainTestSplit): number {
  const vector = new Float64Array(featureCount);
  const rows = split.test;
  let sink = 0;
  let scored = 0;
  const startedMs = performance.now();
  while (scored < 200_000) {
    for (let i = 0; i < rows.count; i += 1, scored += 1) {
      vector.set(rows.vectors.subarray(i * featureCount, (i + 1) * featureCount));
      sink += scorer.score(vector);
    }
  }
  const elapsedMs = performance.now() - startedMs;
  if (Number.isNaN(sink)) throw new Error('a score was NaN');
  return Number(((elapsedMs * 1000) / scored).toFixed(2));
}

function flatten(result: SeedResult) {
  const { report, ...rest } = result;
  return { ...rest, ...report };
}

function average(values: readonly number[]): number {
  return Number((values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length)).toFixed(2));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function describe(result: SeedResult): string {
  const r = result.report;
  const typologies = Object.entries(r.per_typology)
    .map(([name, t]) => `${name} ${pct(t.recall_at_1pct_fpr)} (${t.fraud_rows})`)
    .join(', ');
  const rules = r.rules_baseline;
  return [
    `seed ${result.seed}: ${result.model_version}, test ${r.rows} movements, ${r.fraud_rows} fraud`,
    `  pr_auc ${r.pr_auc.toFixed(3)}; recall ${pct(r.recall_at_0_1pct_fpr)} at 0.1% FPR, ${pct(r.recall_at_1pct_fpr)} at 1% FPR`,
    `  per typology at 1% FPR: ${typologies}`,
    `  calibration: Brier ${r.calibration.brier.toFixed(5)}, ECE ${r.calibration.expectedCalibrationError.toFixed(5)}`,
    `  rules: recall ${pct(rules.recall)}, precision ${pct(rules.precision)}; model at that recall ${pct(rules.model_precision_at_equal_recall)} (${rules.precision_ratio.toFixed(1)}×)`,
    `  training ${result.training_seconds ?? '-'} s on ${result.training.rows} rows; scoring ${result.scoring_us_per_vector} µs per vector`,
  ].join('\n');
}
