import { assert } from '../../../kernel/assert.ts';
import { gbdtDepthMax, type GbdtModel, type GbdtTree } from './gbdt.ts';

/**
 * A trained forest laid out for scoring: every tree padded to a complete binary tree of the
 * forest's depth (a leaf above the bottom is repeated below a split that sends everything
 * left), stored in heap order in flat typed arrays. Scoring one tree is then exactly `depth`
 * steps of `i = 2i + 1 + (x > threshold)`: no pointer chasing, no branch, no allocation.
 */
export class GbdtScorer {
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly leaf: Float64Array;
  private readonly trees: number;
  private readonly depth: number;
  private readonly internal: number;
  private readonly baseMargin: number;
  readonly featureCount: number;

  constructor(model: GbdtModel) {
    this.featureCount = model.featureNames.length;
    this.baseMargin = model.baseMargin;
    this.trees = model.trees.length;
    this.depth = Math.max(0, ...model.trees.map((tree) => depthOf(tree, 0)));
    assert(this.depth <= gbdtDepthMax, `trees ${this.depth} deep; at most ${gbdtDepthMax}`);
    this.internal = 2 ** this.depth - 1;
    this.feature = new Int32Array(this.trees * this.internal);
    this.threshold = new Float64Array(this.trees * this.internal).fill(Number.POSITIVE_INFINITY);
    this.leaf = new Float64Array(this.trees * (this.internal + 1));
    model.trees.forEach((tree, t) => this.place(tree, t, 0, 0, 0));
  }

  /** Copies node `node` of tree `t` to heap slot `slot` at `level`, padding early leaves. */
  private place(tree: GbdtTree, t: number, node: number, slot: number, level: number): void {
    const feature = tree.feature[node] ?? -1;
    if (level === this.depth) {
      assert(feature < 0, 'a node below the forest depth');
      this.leaf[t * (this.internal + 1) + slot - this.internal] = tree.threshold[node] ?? 0;
      return;
    }
    const at = t * this.internal + slot;
    if (feature < 0) {
      // A leaf above the bottom: a split everything passes to the left, the leaf on both sides.
      this.place(tree, t, node, 2 * slot + 1, level + 1);
      this.place(tree, t, node, 2 * slot + 2, level + 1);
      return;
    }
    assert(feature < this.featureCount, `tree ${t} node ${node}: feature ${feature} unknown`);
    this.feature[at] = feature;
    this.threshold[at] = tree.threshold[node] ?? 0;
    this.place(tree, t, tree.left[node] ?? 0, 2 * slot + 1, level + 1);
    this.place(tree, t, tree.right[node] ?? 0, 2 * slot + 2, level + 1);
  }

  /**
   * The log-odds of fraud for one vector in the model's feature order. Four trees walk side by
   * side so their loads overlap, and each step is arithmetic, not a branch: `+(x <= t)` is 1 to
   * go left. NaN fails `<=` and goes right, as the same comparison did in training.
   */
  margin(v: Float64Array): number {
    const { feature: f, threshold: th, leaf, depth, internal: n, trees } = this;
    let sum = this.baseMargin;
    let t = 0;
    for (; t + 3 < trees; t += 4) {
      const b0 = t * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      let i0 = 0;
      let i1 = 0;
      let i2 = 0;
      let i3 = 0;
      for (let level = 0; level < depth; level += 1) {
        i0 = 2 * i0 + 2 - +((v[f[b0 + i0] as number] as number) <= (th[b0 + i0] as number));
        i1 = 2 * i1 + 2 - +((v[f[b1 + i1] as number] as number) <= (th[b1 + i1] as number));
        i2 = 2 * i2 + 2 - +((v[f[b2 + i2] as number] as number) <= (th[b2 + i2] as number));
        i3 = 2 * i3 + 2 - +((v[f[b3 + i3] as number] as number) <= (th[b3 + i3] as number));
      }
      // Leaves of tree t start at t · (n + 1) = base + t; slot − n is the leaf's index.
      sum += leaf[b0 + t + i0 - n] as number;
      sum += leaf[b1 + t + 1 + i1 - n] as number;
      sum += leaf[b2 + t + 2 + i2 - n] as number;
      sum += leaf[b3 + t + 3 + i3 - n] as number;
    }
    for (; t < trees; t += 1) {
      const base = t * n;
      let slot = 0;
      for (let level = 0; level < depth; level += 1)
        slot =
          2 * slot + 2 - +((v[f[base + slot] as number] as number) <= (th[base + slot] as number));
      sum += leaf[base + t + slot - n] as number;
    }
    return sum;
  }

  /** The probability of fraud, 0 to 1. */
  score(vector: Float64Array): number {
    return 1 / (1 + Math.exp(-this.margin(vector)));
  }
}

function depthOf(tree: GbdtTree, node: number): number {
  if ((tree.feature[node] ?? -1) < 0) return 0;
  return 1 + Math.max(depthOf(tree, tree.left[node] ?? 0), depthOf(tree, tree.right[node] ?? 0));
}
