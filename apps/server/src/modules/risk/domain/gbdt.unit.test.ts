import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averagePrecision } from './evaluation.ts';
import { binOf, quantileBins } from './feature-bins.ts';
import { trainGbdt, type TrainingRows } from './gbdt.ts';
import { GbdtScorer } from './gbdt-scorer.ts';
import { LogisticScorer, trainLogistic } from './logistic.ts';
import { canonicalJson } from '../../../kernel/canonical-json.ts';
import { SeededRandom } from './seeded-random.ts';

/** Two informative features whose signs agree or not (XOR), plus two noise features. */
function xorRows(seed: number, count: number): TrainingRows {
  const random = new SeededRandom(seed);
  const vectors = new Float64Array(count * 4);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i += 1) {
    const a = random.between(-1, 1);
    const b = random.between(-1, 1);
    vectors.set([a, b, random.normal(), random.next()], i * 4);
    labels[i] = a > 0 !== b > 0 ? 1 : 0;
  }
  return { count, vectors, labels };
}

const names = ['a', 'b', 'noise_1', 'noise_2'];
const small = { trees: 40, maxDepth: 3, minLeafRows: 5, learningRate: 0.3 };

function scoresOf(scorer: { score(v: Float64Array): number }, rows: TrainingRows): number[] {
  return Array.from({ length: rows.count }, (_, i) =>
    scorer.score(rows.vectors.subarray(i * 4, i * 4 + 4)),
  );
}

describe('gradient-boosted trees', () => {
  it('learn XOR, which a linear model cannot', () => {
    const train = xorRows(1, 2_000);
    const test = xorRows(2, 1_000);
    const trees = new GbdtScorer(trainGbdt(train, names, { ...small, seed: 3 }));
    const linear = new LogisticScorer(trainLogistic(train, names, { seed: 3, epochs: 20 }));
    const treeAp = averagePrecision(scoresOf(trees, test), test.labels);
    const linearAp = averagePrecision(scoresOf(linear, test), test.labels);
    assert.ok(treeAp > 0.95, `trees: average precision ${treeAp}`);
    assert.ok(linearAp < 0.65, `linear: average precision ${linearAp} (base rate about 0.5)`);
  });

  it('give the same bytes for the same data and seed, and other trees for another seed', () => {
    const rows = xorRows(4, 1_000);
    const options = { ...small, rowSubsample: 0.7, columnSubsample: 0.7 };
    const first = canonicalJson(trainGbdt(rows, names, { ...options, seed: 5 }));
    const again = canonicalJson(trainGbdt(rows, names, { ...options, seed: 5 }));
    const other = canonicalJson(trainGbdt(rows, names, { ...options, seed: 6 }));
    assert.equal(first, again);
    assert.notEqual(first, other);
  });

  it('respect the depth limit and the minimum leaf size', () => {
    const rows = xorRows(7, 500);
    const model = trainGbdt(rows, names, { trees: 5, maxDepth: 2, minLeafRows: 100, seed: 1 });
    for (const tree of model.trees) {
      assert.ok(
        tree.feature.length <= 7,
        `a depth-2 tree has at most 7 nodes, not ${tree.feature.length}`,
      );
      const leaves = tree.feature.filter((f) => f < 0).length;
      assert.ok(leaves <= 5, 'at most 500 / 100 leaves');
    }
  });

  it('score a JSON round trip exactly as the trained model', () => {
    const rows = xorRows(8, 800);
    const model = trainGbdt(rows, names, { ...small, seed: 2 });
    const copy = new GbdtScorer(JSON.parse(JSON.stringify(model)) as typeof model);
    const original = new GbdtScorer(model);
    for (let i = 0; i < 50; i += 1) {
      const v = rows.vectors.subarray(i * 4, i * 4 + 4);
      assert.equal(copy.score(v), original.score(v));
    }
  });

  it('score as a plain walk of the trees, however uneven their depths', () => {
    const rows = xorRows(10, 600);
    // 41 trees (not a multiple of four), early leaves from a large minimum leaf size.
    const model = trainGbdt(rows, names, { trees: 41, maxDepth: 4, minLeafRows: 60, seed: 4 });
    assert.ok(model.trees.some((tree) => tree.feature[1] === -1 || tree.feature[2] === -1));
    const walk = (v: Float64Array) =>
      model.trees.reduce((sum, tree) => {
        let node = 0;
        while ((tree.feature[node] ?? -1) >= 0)
          node = (v[tree.feature[node]!]! <= tree.threshold[node]! ? tree.left : tree.right)[node]!;
        return sum + tree.threshold[node]!;
      }, model.baseMargin);
    const scorer = new GbdtScorer(model);
    const random = new SeededRandom(11);
    for (let i = 0; i < 300; i += 1) {
      const v = Float64Array.from([
        random.between(-1.2, 1.2),
        random.between(-1.2, 1.2),
        random.normal(),
        0,
      ]);
      assert.ok(Math.abs(scorer.margin(v) - walk(v)) < 1e-12, `vector ${i}`);
    }
  });

  it('bin values so that "bin ≤ b" is "value ≤ threshold b"', () => {
    const values = Float64Array.from({ length: 1_000 }, (_, i) => (i * 7919) % 1_000);
    const bins = quantileBins(values, 1_000, 1, 16);
    const cuts = bins.thresholds[0] ?? new Float64Array(0);
    assert.ok(cuts.length <= 15 && cuts.length >= 10, `${cuts.length} cuts`);
    for (const value of [-5, 0, 1, 62, 63, 64, 500, 998, 999, 5_000])
      for (let b = 0; b < cuts.length; b += 1)
        assert.equal(binOf(cuts, value) <= b, value <= (cuts[b] ?? 0), `value ${value}, bin ${b}`);
    const few = quantileBins(Float64Array.from([3, 1, 3, 2, 1]), 5, 1, 16);
    assert.deepEqual(Array.from(few.thresholds[0] ?? []), [1, 2], 'distinct values when few');
  });
});

describe('logistic regression baseline', () => {
  it('learns a linear boundary and is deterministic', () => {
    const random = new SeededRandom(9);
    const count = 2_000;
    const vectors = new Float64Array(count * 2);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i += 1) {
      const x = random.normal();
      const y = random.normal();
      vectors.set([x, y], i * 2);
      labels[i] = x + 0.5 * y + 0.3 * random.normal() > 0 ? 1 : 0;
    }
    const rows = { count, vectors, labels };
    const model = trainLogistic(rows, ['x', 'y'], { seed: 1, epochs: 10 });
    const scorer = new LogisticScorer(model);
    const scores = Array.from({ length: count }, (_, i) =>
      scorer.score(vectors.subarray(i * 2, i * 2 + 2)),
    );
    assert.ok(averagePrecision(scores, labels) > 0.95);
    assert.equal(
      canonicalJson(trainLogistic(rows, ['x', 'y'], { seed: 1, epochs: 10 })),
      canonicalJson(model),
    );
  });
});
