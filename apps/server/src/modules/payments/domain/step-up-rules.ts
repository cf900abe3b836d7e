import { currencyExponents, type Currency } from '../../../kernel/money.ts';

/**
 * When money may move without a second factor. Step-up is asked for a payment above the
 * currency's per-payment threshold, for one that takes the money moved without 2FA in the last
 * 24 hours above the daily threshold (ten payments of 1,000.00 are one of 10,000.00), for the
 * n-th payment in 10 minutes (velocity), from a device the user has not trusted, or when a
 * policy (the fraud engine) flags it. Thresholds are per currency: one figure in minor units
 * would mean 1,000.00 USD but 100,000 JPY.
 */
export interface StepUpLimits {
  readonly perPaymentMinor: bigint;
  readonly dailyMinor: bigint;
}

export const stepUpReasonCodes = [
  'amount',
  'daily_amount',
  'untrusted_device',
  'velocity',
  'policy',
] as const;
export type StepUpReason = (typeof stepUpReasonCodes)[number];

/** Reasons about how much money moves: a second factor younger than a day cannot confirm them. */
export function isAmountReason(reason: StepUpReason | null): boolean {
  return reason === 'amount' || reason === 'daily_amount';
}

/**
 * Default per-payment thresholds in major units, each about 1,000 US dollars (a risk figure,
 * not an exchange rate: operators tune it with STEP_UP_LIMITS). The daily threshold is three
 * times the per-payment one.
 */
const defaultPerPaymentMajor: Record<Currency, number> = {
  AUD: 1_500,
  BHD: 380,
  BRL: 5_000,
  CAD: 1_400,
  CHF: 900,
  CLP: 900_000,
  CNY: 7_000,
  CZK: 23_000,
  DKK: 7_000,
  EUR: 900,
  GBP: 800,
  HKD: 8_000,
  HUF: 350_000,
  IDR: 15_000_000,
  ILS: 3_700,
  INR: 80_000,
  ISK: 140_000,
  JOD: 700,
  JPY: 150_000,
  KES: 130_000,
  KRW: 1_300_000,
  KWD: 300,
  MXN: 17_000,
  NGN: 1_500_000,
  NOK: 10_000,
  NZD: 1_700,
  OMR: 380,
  PHP: 55_000,
  PLN: 4_000,
  SEK: 10_000,
  SGD: 1_300,
  THB: 35_000,
  TND: 3_100,
  TRY: 30_000,
  UGX: 3_700_000,
  USD: 1_000,
  VND: 25_000_000,
  ZAR: 18_000,
};

export const dailyMultiple = 3n;
/** Payments without a second factor allowed per 10 minutes, whatever their amounts. */
export const velocityWindowMinutes = 10;

export function defaultStepUpLimits(currency: Currency): StepUpLimits {
  const perPaymentMinor =
    BigInt(defaultPerPaymentMajor[currency]) * 10n ** BigInt(currencyExponents[currency]);
  return { perPaymentMinor, dailyMinor: perPaymentMinor * dailyMultiple };
}

export interface StepUpInput {
  readonly amountMinor: bigint;
  readonly limits: StepUpLimits;
  /** Money moved without a second factor in the last 24 hours, this payment included. */
  readonly dayMinor: bigint;
  /** Payments without a second factor in the last 10 minutes, this one included. */
  readonly recentPayments: number;
  readonly velocityMax: number;
  readonly device: 'trusted' | 'untrusted' | 'unsigned';
  readonly flaggedByPolicy: boolean;
}

/**
 * Every reason this payment needs a second factor (empty: it may go straight through), the
 * amount-related ones first: a payment from an untrusted device that is also large is, above
 * all, large (and a second factor younger than a day cannot confirm it).
 */
export function stepUpReasons(input: StepUpInput): StepUpReason[] {
  return [
    ...(input.amountMinor > input.limits.perPaymentMinor ? (['amount'] as const) : []),
    ...(input.dayMinor > input.limits.dailyMinor ? (['daily_amount'] as const) : []),
    ...(input.device === 'untrusted' ? (['untrusted_device'] as const) : []),
    ...(input.recentPayments > input.velocityMax ? (['velocity'] as const) : []),
    ...(input.flaggedByPolicy ? (['policy'] as const) : []),
  ];
}

/** The main reason (the first of `stepUpReasons`), or null when there is none. */
export function stepUpReason(input: StepUpInput): StepUpReason | null {
  return stepUpReasons(input)[0] ?? null;
}
