/**
 * Population stability index (PSI) between two distributions of risk scores, over ten bands
 * of ten points (0–9, 10–19, …, 90–99): Σ (actual − expected) · ln(actual / expected), with each
 * share floored at 0.0001 so an empty band does not divide by zero. The usual reading: below
 * 0.1 stable, 0.1–0.25 drifting (look), above 0.25 shifted (the model sees other traffic than
 * it was promoted on: retrain or re-check thresholds).
 */
export const scoreBands = 10;
const floor = 0.0001;

/** Counts per band of a list of scores 0–99. */
export function bandCounts(scores: Iterable<number>): number[] {
  const counts = new Array<number>(scoreBands).fill(0);
  for (const score of scores) {
    const band = Math.min(scoreBands - 1, Math.max(0, Math.floor(score / 10)));
    counts[band] = (counts[band] ?? 0) + 1;
  }
  return counts;
}

/** PSI of `actual` against `expected` (counts per band); null when either is empty. */
export function populationStability(
  expected: readonly number[],
  actual: readonly number[],
): number | null {
  const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const e = total(expected);
  const a = total(actual);
  if (e === 0 || a === 0) return null;
  let psi = 0;
  for (let band = 0; band < scoreBands; band += 1) {
    const pe = Math.max(floor, (expected[band] ?? 0) / e);
    const pa = Math.max(floor, (actual[band] ?? 0) / a);
    psi += (pa - pe) * Math.log(pa / pe);
  }
  return psi;
}
