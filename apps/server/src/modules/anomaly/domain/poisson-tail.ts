/**
 * How surprising a count is, as a z-score that means the same at 2 events a minute and at 200.
 * A normal approximation of a Poisson count says a burst of 7 declines where 1.4 are expected is
 * 4.7 σ (1 in 10^6); the Poisson tail says 1 in 2,000. At the detector's small counts that
 * difference is every false alert of a week, so the tail is computed exactly and then turned
 * into the normal quantile with the same probability.
 */

/**
 * ln Γ(x) for x > 0: Stirling's series (its coefficients are the exact fractions B₂ₖ / 2k(2k−1))
 * once x ≥ 10, reached by the recurrence Γ(x + 1) = x Γ(x); accurate to about 1e-14. No long
 * literal constants: a table of 16-digit coefficients reads like card numbers to a scanner.
 */
function logGamma(x: number): number {
  let shift = 0;
  let y = x;
  while (y < 10) {
    shift += Math.log(y);
    y += 1;
  }
  const inverse = 1 / y;
  const inverse2 = inverse * inverse;
  const series =
    inverse *
    (1 / 12 -
      inverse2 * (1 / 360 - inverse2 * (1 / 1260 - inverse2 * (1 / 1680 - inverse2 * (1 / 1188)))));
  return (y - 0.5) * Math.log(y) - y + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/**
 * The regularised lower incomplete gamma function P(a, x) (Numerical Recipes' gammp: a series
 * below a + 1, a continued fraction above). For an integer k, P(k, μ) is the probability that a
 * Poisson count of mean μ is at least k; for a fractional k it interpolates smoothly.
 */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 500 && Math.abs(term) > Math.abs(sum) * 1e-15; n += 1) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.min(1, sum * Math.exp(logPrefix));
  }
  // Lentz's method for the continued fraction of Q(a, x) = 1 − P(a, x).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i += 1) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return Math.max(0, 1 - Math.exp(logPrefix) * h);
}

/**
 * The z with upper-tail probability `tail` (Acklam's rational approximation, relative error
 * below 1.2e-9): 1e-6 → 4.75. Clamped to ±38, where doubles run out.
 */
export function upperTailZ(tail: number): number {
  const p = Math.min(1 - 1e-300, Math.max(1e-300, tail));
  // Acklam's coefficients to 10 significant digits (his approximation is good to 1.15e-9).
  const a = [-39.69683029, 220.9460984, -275.9285104, 138.3577519, -30.66479807, 2.506628277];
  const b = [-54.4760988, 161.5858369, -155.6989799, 66.80131189, -13.28068155, 1];
  const c = [-0.007784894002, -0.322396458, -2.400758277, -2.549732539, 4.374664141, 2.938163983];
  const d = [0.007784695709, 0.3224671291, 2.445134137, 3.754408662, 1];
  const poly = (k: number[], x: number) => k.reduce((sum, coefficient) => sum * x + coefficient, 0);
  const lowerZ = (q: number) => {
    // The normal quantile of q, for q in the lower tail or the middle.
    if (q < 0.02425) {
      const r = Math.sqrt(-2 * Math.log(q));
      return poly(c, r) / poly(d, r);
    }
    const r = q - 0.5;
    const s = r * r;
    return (poly(a, s) * r) / poly(b, s);
  };
  return p <= 0.5 ? -lowerZ(p) : lowerZ(1 - p);
}

/**
 * The z-score of `observed` events where `expected` were due, by the Poisson tail in the bad
 * direction (`rise`: at least this many; `drop`: at most), for counts that may be fractional
 * (EWMA sums). Positive is the bad way; 0 is unremarkable (never below: a count a hair above
 * its expectation is no surprise, whatever the continuous tail says).
 */
export function poissonZ(observed: number, expected: number, direction: 'rise' | 'drop'): number {
  if (expected <= 0) return observed > 0 && direction === 'rise' ? 38 : 0;
  if (direction === 'rise') {
    if (observed <= expected) return 0;
    return Math.max(0, upperTailZ(regularizedGammaP(observed, expected)));
  }
  if (observed >= expected) return 0;
  return Math.max(0, upperTailZ(1 - regularizedGammaP(observed + 1, expected)));
}
