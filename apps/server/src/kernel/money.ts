import { assert } from './assert.ts';

/**
 * ISO 4217 currencies Kassa accepts, with their minor-unit exponent. One table for the whole
 * codebase: amounts are always integers of minor units, and the exponent only matters for
 * display.
 */
export const currencyExponents = {
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KES: 2,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NGN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PHP: 2,
  PLN: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TND: 3,
  TRY: 2,
  UGX: 0,
  USD: 2,
  VND: 0,
  ZAR: 2,
} as const satisfies Record<string, 0 | 2 | 3>;

export type Currency = keyof typeof currencyExponents;
export const currencies = Object.keys(currencyExponents) as Currency[];

export function isCurrency(value: string): value is Currency {
  return Object.hasOwn(currencyExponents, value);
}

export interface Money {
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

/**
 * The largest amount a single request may carry, and the ceiling of every account's running
 * totals (the ledger refuses a transfer that would pass it): 2^53 - 1, so JSON numbers stay
 * exact.
 */
export const amountMinorMax = 9007199254740991n;

export function isValidAmountMinor(amountMinor: bigint): boolean {
  return amountMinor >= 1n && amountMinor <= amountMinorMax;
}

/** Formats minor units for people: `formatMoney({amountMinor: 1050n, currency: 'USD'})` → `10.50 USD`. */
export function formatMoney(money: Money): string {
  const exponent = currencyExponents[money.currency];
  const negative = money.amountMinor < 0n;
  const digits = (negative ? -money.amountMinor : money.amountMinor).toString();
  if (exponent === 0) return `${negative ? '-' : ''}${digits} ${money.currency}`;
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, -exponent);
  const fraction = padded.slice(-exponent);
  return `${negative ? '-' : ''}${whole}.${fraction} ${money.currency}`;
}

/**
 * The merchant fee on an amount, in basis points. Rule: the fee is rounded down to a whole
 * minor unit, so the remainder always stays with the merchant and fee + net === amount.
 */
export function feeForAmount(amountMinor: bigint, feeBps: number): bigint {
  assert(amountMinor >= 0n, 'fee of a negative amount');
  assert(Number.isInteger(feeBps) && feeBps >= 0 && feeBps <= 10_000, `fee bps ${feeBps}`);
  return (amountMinor * BigInt(feeBps)) / 10_000n;
}

/**
 * Splits an amount over integer weights. Every part is rounded down and the remainder goes to
 * the earliest parts, one minor unit each, so the parts always add up to the amount exactly.
 */
export function allocate(amountMinor: bigint, weights: readonly number[]): bigint[] {
  assert(amountMinor >= 0n, 'allocate a negative amount');
  assert(weights.length > 0, 'allocate over no weights');
  assert(
    weights.every((w) => Number.isInteger(w) && w >= 0),
    'weights must be integers >= 0',
  );
  const total = weights.reduce((sum, w) => sum + BigInt(w), 0n);
  assert(total > 0n, 'weights sum to zero');
  const parts = weights.map((w) => (amountMinor * BigInt(w)) / total);
  let remainder = amountMinor - parts.reduce((sum, p) => sum + p, 0n);
  for (let i = 0; remainder > 0n; i = (i + 1) % parts.length) {
    if (weights[i] === 0) continue;
    parts[i] = (parts[i] ?? 0n) + 1n;
    remainder -= 1n;
  }
  return parts;
}
