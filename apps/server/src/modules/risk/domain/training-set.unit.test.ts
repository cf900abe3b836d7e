import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeatureExtractor } from './feature-extractor.ts';
import { featureCount } from './features.ts';
import { simulate } from './simulator.ts';
import { splitByTime } from './training-set.ts';

const simulation = simulate({ seed: 5, users: 800, days: 24 });
const split = splitByTime(simulation);
const { train, test } = split;

describe('time split of the labelled rows', () => {
  it('puts every training row before the split and every test row after it', () => {
    assert.ok(train.count > 1_000 && test.count > 500, `${train.count} / ${test.count} rows`);
    const warmupEndMs = simulation.startMs + simulation.warmupDays * 86_400_000;
    assert.ok(train.atMs.every((t) => t >= warmupEndMs && t < split.splitAtMs));
    assert.ok(test.atMs.every((t) => t >= split.splitAtMs && t < simulation.endMs));
    const trainIds = new Set(train.eventIds);
    assert.ok(
      test.eventIds.every((id) => !trainIds.has(id)),
      'no row in both sets',
    );
  });

  it('hides about a tenth of the training fraud cases, and none of the test fraud', () => {
    const trainIds = new Set(train.eventIds);
    const trainCases = new Set<string>();
    for (const event of simulation.events)
      if (event.type === 'money_movement' && event.truth.caseId !== null && trainIds.has(event.id))
        trainCases.add(event.truth.caseId);
    assert.equal(split.hiddenCases, Math.round(trainCases.size * 0.1));
    let differing = 0;
    for (let i = 0; i < train.count; i += 1) {
      assert.ok((train.labels[i] ?? 0) <= (train.fraud[i] ?? 0), 'hiding only removes labels');
      differing += train.labels[i] === train.fraud[i] ? 0 : 1;
    }
    assert.equal(differing, split.hiddenMovements);
    assert.ok(split.hiddenMovements > 0);
    assert.deepEqual(test.labels, test.fraud);
  });

  it('computes each vector from the past only: the future changes no feature', () => {
    const prefix = simulation.events.filter((e) => e.atMs < split.splitAtMs);
    const extractor = new FeatureExtractor();
    const vectors = new Map<string, Float64Array>();
    for (const event of prefix) {
      const vector = extractor.observe(event);
      if (vector !== null) vectors.set(event.id, vector);
    }
    for (let i = 0; i < train.count; i += 1) {
      const alone = vectors.get(train.eventIds[i] ?? '');
      assert.ok(alone !== undefined);
      assert.deepEqual(alone, train.vectors.slice(i * featureCount, (i + 1) * featureCount));
    }
  });
});
