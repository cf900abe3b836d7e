import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { poissonZ, regularizedGammaP, upperTailZ } from './poisson-tail.ts';

/** P(X ≥ k) for a Poisson count of mean μ, summed term by term. */
function poissonAtLeast(k: number, mean: number): number {
  let term = Math.exp(-mean);
  let below = 0;
  for (let i = 0; i < k; i += 1) {
    below += term;
    term *= mean / (i + 1);
  }
  return 1 - below;
}

describe('the Poisson tail', () => {
  it('P(k, μ) is the probability of at least k events', () => {
    for (const [k, mean] of [
      [1, 0.1],
      [7, 1.4],
      [30, 20],
      [150, 100],
      [3, 9],
    ] as const)
      assert.ok(
        Math.abs(regularizedGammaP(k, mean) - poissonAtLeast(k, mean)) < 1e-9,
        `P(${k}, ${mean})`,
      );
  });

  it('turns tail probabilities into the z of the normal distribution', () => {
    assert.ok(Math.abs(upperTailZ(1e-6) - 4.7534) < 1e-3);
    assert.ok(Math.abs(upperTailZ(0.025) - 1.96) < 1e-3);
    assert.ok(Math.abs(upperTailZ(0.975) + 1.96) < 1e-3);
    assert.equal(Math.abs(upperTailZ(0.5)), 0);
  });

  it('rates a burst of rare events lower than a normal approximation would', () => {
    // 7 where 1.4 are due: 4.7 standard deviations by √μ, 1 in 1,600 by Poisson.
    const z = poissonZ(7, 1.4, 'rise');
    assert.ok(z > 3.1 && z < 3.3, `${z}`);
    assert.equal(poissonZ(1, 1.4, 'rise'), 0, 'below the expectation is no rise');
    assert.ok(poissonZ(50, 100, 'drop') > 5, 'half the payments of a busy minute');
    assert.equal(poissonZ(120, 100, 'drop'), 0, 'more than expected is no drop');
  });

  it('grows with the count, the bad way', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 500, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (mean, factor, step) => {
          const observed = mean * (1 + factor);
          const rise = poissonZ(observed, mean, 'rise');
          assert.ok(poissonZ(observed + step, mean, 'rise') >= rise - 1e-9);
          const low = mean / (1 + factor);
          assert.ok(
            poissonZ(Math.max(0, low - step), mean, 'drop') >= poissonZ(low, mean, 'drop') - 1e-9,
          );
        },
      ),
    );
  });
});
