/** Digits after the decimal point for a currency (JPY 0, USD 2, KWD 3). */
function exponent(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** Minor units to a display string: 1250 USD → "$12.50". */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits = exponent(currency);
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(
    amountMinor / 10 ** digits,
  );
}

/**
 * A typed amount ("12.5", "12,50") to minor units, or null when it is not a positive amount
 * with at most the currency's digits. Parsed as text, never through floating point.
 */
export function parseMoney(text: string, currency: string): number | null {
  const digits = exponent(currency);
  const match = /^\s*(\d{1,13})(?:[.,](\d*))?\s*$/.exec(text);
  if (match === null) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const minor = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return minor > 0 && Number.isSafeInteger(minor) ? minor : null;
}
