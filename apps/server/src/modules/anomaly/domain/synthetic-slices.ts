/** A slice of the simulated business: its size and what usually becomes of its payments. */
export interface SyntheticSlice {
  readonly name: string;
  readonly kind: string;
  /** Attempts a minute at a weekday's peak. */
  readonly peakPerMinute: number;
  /** Saturdays and Sundays, relative to weekdays. */
  readonly weekendFactor: number;
  readonly declineShare: number;
  readonly unknownShare: number;
  readonly blockShare: number;
  /** Neither succeeded nor refused yet (waiting for 2FA, canceled). */
  readonly pendingShare: number;
}

/**
 * A payment business: a large, a mid-sized and a small merchant, a tiny kiosk (below every
 * volume guard), P2P in two currencies, card top-ups and bank payouts. Peaks are per minute on
 * a weekday; nights bring a tenth of that.
 */
export const syntheticSlices: readonly SyntheticSlice[] = Object.freeze([
  slice('payment/mer_grocer/USD', 120, 0.8, 0.04, 0, 0.004),
  slice('payment/mer_books/USD', 60, 1.1, 0.05, 0, 0.006),
  slice('payment/mer_cafe/EUR', 30, 1.2, 0.03, 0, 0.003),
  slice('payment/mer_kiosk/USD', 3, 0.9, 0.05, 0, 0.01),
  slice('transfer/-/USD', 150, 1.15, 0.02, 0, 0.003),
  slice('transfer/-/EUR', 25, 1.15, 0.02, 0, 0.003),
  slice('topup/-/USD', 50, 1, 0.08, 0.003, 0),
  slice('topup/-/EUR', 12, 1, 0.08, 0.003, 0),
  slice('payout/-/USD', 8, 0.6, 0.01, 0.005, 0),
]);

function slice(
  name: string,
  peakPerMinute: number,
  weekendFactor: number,
  declineShare: number,
  unknownShare: number,
  blockShare: number,
): SyntheticSlice {
  const kind = name.split('/')[0] ?? '';
  return {
    name,
    kind,
    peakPerMinute,
    weekendFactor,
    declineShare,
    unknownShare,
    blockShare,
    pendingShare: kind === 'payment' || kind === 'transfer' ? 0.01 : 0,
  };
}

/** Conditions of one minute, after incidents. */
export interface MinuteConditions {
  readonly expectedAttempts: number;
  readonly declineShare: number;
  readonly unknownShare: number;
  readonly blockShare: number;
}
