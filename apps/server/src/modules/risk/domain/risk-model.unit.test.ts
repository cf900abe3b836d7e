import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateScores, scoreRows } from './evaluation-report.ts';
import { averagePrecision } from './evaluation.ts';
import {
  compileModel,
  InvalidModelError,
  modelVersion,
  parseModel,
  serializeModel,
} from './risk-model.ts';
import { simulate } from './simulator.ts';
import { trainRiskModel } from './train-risk-model.ts';
import { splitByTime } from './training-set.ts';

const split = splitByTime(simulate({ seed: 3, users: 1_200, days: 28 }));
const gbdtOptions = { kind: 'gbdt' as const, seed: 3, gbdt: { trees: 60, learningRate: 0.2 } };
const gbdt = trainRiskModel(split.train, gbdtOptions);
const logistic = trainRiskModel(split.train, { kind: 'logistic', seed: 3 });

describe('risk models on simulated traffic', () => {
  it('train to the same bytes from the same seed', () => {
    assert.equal(serializeModel(trainRiskModel(split.train, gbdtOptions)), serializeModel(gbdt));
    const other = trainRiskModel(split.train, { ...gbdtOptions, seed: 4 });
    assert.notEqual(serializeModel(other), serializeModel(gbdt));
    assert.match(modelVersion(serializeModel(gbdt)), /^gbdt_[0-9a-f]{12}$/);
  });

  it('score the same after a round trip through JSON', () => {
    for (const model of [gbdt, logistic]) {
      const before = scoreRows(compileModel(model), split.test);
      const after = scoreRows(compileModel(parseModel(serializeModel(model))), split.test);
      assert.deepEqual(after, before);
    }
  });

  it('refuse files that are not a model of this feature set', () => {
    assert.throws(() => parseModel('{'), InvalidModelError);
    assert.throws(() => parseModel('{"kind":"forest","formatVersion":1}'), InvalidModelError);
    const renamed = JSON.parse(serializeModel(gbdt)) as { featureNames: string[] };
    renamed.featureNames = renamed.featureNames.slice(1);
    assert.throws(() => parseModel(JSON.stringify(renamed)), /another feature list/);
  });

  it('rank fraud above look-alikes better than the linear baseline', () => {
    const trees = scoreRows(compileModel(gbdt), split.test);
    const linear = scoreRows(compileModel(logistic), split.test);
    const treesAp = averagePrecision(trees, split.test.fraud);
    const linearAp = averagePrecision(linear, split.test.fraud);
    assert.ok(treesAp > linearAp, `trees ${treesAp} vs linear ${linearAp}`);
    const report = evaluateScores(trees, split.test);
    assert.ok(report.pr_auc > 0.5, `PR-AUC ${report.pr_auc}`);
    assert.ok(report.rules_baseline.precision_ratio > 1, 'beats the hand-written rules');
    assert.ok(report.calibration.brier < 0.02);
  });
});
