import assert from 'node:assert/strict';
import { it } from 'node:test';
import { bandCounts, populationStability } from './score-drift.ts';

it('the same distribution has a PSI of 0; a shifted one crosses 0.25; empty is unknown', () => {
  const base = bandCounts([1, 2, 5, 12, 15, 22, 35, 41, 55, 99]);
  assert.deepEqual(base, [3, 2, 1, 1, 1, 1, 0, 0, 0, 1]);
  assert.equal(
    populationStability(
      base,
      base.map((n) => n * 7),
    ),
    0,
  );
  const shifted = bandCounts([60, 61, 70, 72, 80, 85, 90, 95, 99, 99]);
  const psi = populationStability(base, shifted);
  assert.ok(psi !== null && psi > 0.25, String(psi));
  const slight = populationStability([100, 100, 100], [110, 95, 95]);
  assert.ok(slight !== null && slight > 0 && slight < 0.1, String(slight));
  assert.equal(populationStability([0, 0], [1, 2]), null);
  assert.equal(populationStability([1], []), null);
});
