/**
 * What the anomaly detector watches per business slice, minute by minute. A slice is a payment
 * kind × merchant × currency (`payment/mer_…/USD`, `transfer/-/EUR`), or `processor`: every
 * top-up and payout, whatever its currency, since they share the card processor.
 */
export interface SliceMinute {
  /** Payments created in the minute, whatever became of them. */
  readonly attempts: number;
  /** Succeeded, or authorised and waiting for capture. */
  readonly succeeded: number;
  /** Refused for a business reason (insufficient funds, a card declined), risk blocks apart. */
  readonly declined: number;
  /** Top-ups and payouts the processor left without an answer (`outcome_unknown`) at least once. */
  readonly unknown: number;
  /** Blocked by the fraud engine (`risk_blocked`). */
  readonly blocked: number;
  /**
   * Not finished when counted (waiting for a second factor, an operator's review, the
   * processor): neither a success nor a failure yet.
   */
  readonly pending: number;
}

export const emptyMinute: SliceMinute = Object.freeze({
  attempts: 0,
  succeeded: 0,
  declined: 0,
  unknown: 0,
  blocked: 0,
  pending: 0,
});

export const anomalySignals = [
  'volume',
  'success_rate',
  'decline_rate',
  'outcome_unknown_rate',
  'fraud_block_rate',
] as const;
export type AnomalySignal = (typeof anomalySignals)[number];

/** The signals that are a share of attempts (the others: the attempts themselves). */
export type RateSignal = Exclude<AnomalySignal, 'volume'>;
export const rateSignals = anomalySignals.filter(
  (signal): signal is RateSignal => signal !== 'volume',
);

/**
 * Which way of its events is bad. Only that way alerts: more payments than usual, or fewer
 * declines, is no incident, and a one-sided test has half the false alarms of a two-sided one.
 */
export const signalDirection: Readonly<Record<AnomalySignal, 'drop' | 'rise'>> = {
  volume: 'drop',
  success_rate: 'rise',
  decline_rate: 'rise',
  outcome_unknown_rate: 'rise',
  fraud_block_rate: 'rise',
};

/**
 * The events a signal counts in a minute; a rate's trials are the minute's attempts. The success
 * rate is watched through its complement, the attempts that did not succeed: its drop is their
 * rise, and a ratio of failures (8% → 16%) means the same in every slice, where a ratio of
 * successes (92% → 84%) would not. Payments still pending are neither: a minute judged 30 s
 * after it ended must not look worse than the same minute a week ago, long since finished.
 */
export function signalEvents(signal: AnomalySignal, minute: SliceMinute): number {
  switch (signal) {
    case 'volume':
      return minute.attempts;
    case 'success_rate':
      return minute.attempts - minute.succeeded - minute.pending;
    case 'decline_rate':
      return minute.declined;
    case 'outcome_unknown_rate':
      return minute.unknown;
    case 'fraud_block_rate':
      return minute.blocked;
  }
}

/** Sums minutes (the processor slice is the sum of the top-up and payout slices). */
export function addMinutes(a: SliceMinute, b: SliceMinute): SliceMinute {
  return {
    attempts: a.attempts + b.attempts,
    succeeded: a.succeeded + b.succeeded,
    declined: a.declined + b.declined,
    unknown: a.unknown + b.unknown,
    blocked: a.blocked + b.blocked,
    pending: a.pending + b.pending,
  };
}

/** The slice every top-up and payout also counts in. */
export const processorSlice = 'processor';

/** `kind/merchant/currency`, `-` for no merchant: a Prometheus label value and a stable key. */
export function sliceName(kind: string, merchant: string | null, currency: string): string {
  return `${kind}/${merchant ?? '-'}/${currency}`;
}

/** Whether a slice's payments go through the processor (and count in `processor` too). */
export function isProcessorKind(kind: string): boolean {
  return kind === 'topup' || kind === 'payout';
}
