import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { modelVersion, serializeModel } from './domain/risk-model.ts';
import { simulate } from './domain/simulator.ts';
import { splitByTime } from './domain/training-set.ts';
import { trainRiskModel } from './domain/train-risk-model.ts';
import { bundledModel, bundledModelFile } from './model-registry.ts';

it('the bundled model is exactly what `kassa risk train --seed 1` makes (same bytes)', () => {
  const split = splitByTime(simulate({ seed: 1, users: 5_000, days: 35 }));
  const trained = serializeModel(trainRiskModel(split.train, { kind: 'gbdt', seed: 1 }));
  const bundled = readFileSync(bundledModelFile, 'utf8');
  assert.equal(modelVersion(bundled), modelVersion(trained));
  assert.equal(bundled, trained);
  assert.equal(bundledModel()?.version, modelVersion(trained));
  assert.equal(bundledModel()?.promoted, false);
  // No run of 13 or more digits: such runs look like card numbers to scanners (ours too).
  assert.deepEqual(bundled.match(/\d{13,}/g), null);
});
