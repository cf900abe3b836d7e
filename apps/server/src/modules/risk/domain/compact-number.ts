/**
 * Model numbers kept to 7 significant digits. A model file is shipped in the repository and
 * stored in the database; a full-precision double prints as up to 17 digits in a row, and runs
 * of 13–19 digits are what card-number scanners (ours included) look for: thousands of them
 * pass the Luhn check by chance. Seven digits keep every run in a model's JSON at 12 or fewer
 * (below 1e-6 JavaScript prints an exponent) and lose nothing a tree or a weight needs.
 */
const digits = 7;

export function roundToDigits(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

/**
 * The smallest 7-digit number ≥ x: a split threshold rounded this way keeps every value that
 * was at or below it on the same side ("value ≤ threshold").
 */
export function ceilToDigits(x: number): number {
  const rounded = roundToDigits(x);
  if (rounded >= x) return rounded;
  const step = 10 ** (Math.floor(Math.log10(Math.abs(x))) - (digits - 1));
  return roundToDigits(rounded + step);
}
