export {
  applied,
  blockOrAllow,
  createRiskEngine,
  effectiveDecision,
  operatorRisk,
  publicRisk,
  riskThresholds,
  rulesVersion,
  type RiskAssessment,
  type RiskEngine,
} from './risk-engine.ts';
export {
  bundledModel,
  bundledModelFile,
  createModelRegistry,
  promoteModel,
  storeModel,
  type ModelRegistry,
} from './model-registry.ts';
export type { MovementInput } from './runtime-features.ts';
export {
  compileModel,
  InvalidModelError,
  modelKinds,
  modelVersion,
  parseModel,
  serializeModel,
  type ModelKind,
  type RiskModel,
  type Scorer,
} from './domain/risk-model.ts';
export { evaluateScores, scoreRows, type EvaluationReport } from './domain/evaluation-report.ts';
export { averageReports } from './domain/seed-average.ts';
export { featureCount } from './domain/features.ts';
export { simulate } from './domain/simulator.ts';
export {
  joinRows,
  splitByTime,
  type LabelledRows,
  type TrainTestSplit,
} from './domain/training-set.ts';
export { recordedRows } from './recorded-rows.ts';
export { summarizeSimulation } from './domain/simulation-summary.ts';
export { trainRiskModel } from './domain/train-risk-model.ts';
export { addRiskLabel, recordRiskLabel, type RiskLabel } from './risk-labels.ts';
export { riskListRoutes } from './list-routes.ts';
export { activeRuleSet, createRuleSetRegistry, type RuleSetRegistry } from './rule-set-registry.ts';
export { compileRules, RuleError, type RuleSource } from './rule-language.ts';
export { getRuleSet } from './rule-sets.ts';
export { ruleSetRoutes } from './rule-set-routes.ts';
export { backtestRules, type BacktestReport } from './rule-backtest.ts';
export { registerDriftMetrics, scoreDrift } from './drift-metrics.ts';
