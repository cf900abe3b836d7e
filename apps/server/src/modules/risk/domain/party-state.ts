import { WindowTotals, DistinctInWindow } from './time-windows.ts';

const minuteMs = 60_000;
const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** The trailing windows every velocity feature uses: 1 minute, 1 hour, 24 hours. */
export const velocityWindowsMs = [minuteMs, hourMs, dayMs] as const;
export { minuteMs, hourMs, dayMs };

/** Whoever receives money (a user, a merchant, a bank account): its inflow and fan-in. */
export class PayeeState {
  readonly inflow = new WindowTotals([dayMs]);
  readonly senders = new DistinctInWindow(dayMs);
  inflowCount = 0;
  firstInflowAtMs = -1;

  advance(nowMs: number): void {
    this.inflow.advance(nowMs);
    this.senders.advance(nowMs);
  }

  received(atMs: number, senderId: string, amountMinor: number): void {
    this.inflow.add(atMs, amountMinor);
    this.senders.add(atMs, senderId);
    this.inflowCount += 1;
    if (this.firstInflowAtMs < 0) this.firstInflowAtMs = atMs;
  }

  /** Inflows in the last 24 hours against the payee's own daily average, smoothed by one. */
  inRateRatio(nowMs: number): number {
    const days = this.firstInflowAtMs < 0 ? 1 : Math.max(1, (nowMs - this.firstInflowAtMs) / dayMs);
    return (this.inflow.count(0) + 1) / (this.inflowCount / days + 1);
  }
}

/** A card, a device key or an IP address: its velocity and the accounts seen with it. */
export class KeyState {
  readonly activity = new WindowTotals(velocityWindowsMs);
  readonly accounts = new Set<string>();
  readonly accounts24h = new DistinctInWindow(dayMs);
  readonly cards24h = new DistinctInWindow(dayMs);

  advance(nowMs: number): void {
    this.activity.advance(nowMs);
    this.accounts24h.advance(nowMs);
    this.cards24h.advance(nowMs);
  }
}

/** A user's history as the features need it. */
export class UserState {
  readonly activity = new WindowTotals(velocityWindowsMs);
  readonly flows = { out: new WindowTotals([7 * dayMs]), in: new WindowTotals([7 * dayMs]) };
  readonly fanIn = new DistinctInWindow(dayMs);
  readonly countries = new DistinctInWindow(30 * dayMs);
  readonly refunds = new WindowTotals([30 * dayMs]);
  readonly payments = new WindowTotals([30 * dayMs]);
  readonly payees = new Set<string>();
  readonly cards = new Set<string>();
  readonly cells = new Set<string>();
  readonly deviceEnrolledAtMs = new Map<string, number>();
  readonly paidToMerchant = new Map<string, number>();
  readonly refundedByMerchant = new Map<string, number>();
  /** The last debit amounts (a ring buffer) for the median, and log-amount moments. */
  readonly recentAmounts: number[] = [];
  recentNext = 0;
  private median = -1;
  amountCount = 0;
  logAmountMean = 0;
  logAmountSquares = 0;
  movementCount = 0;
  firstMovementAtMs = -1;
  lastInflowAtMs = -1;
  lastNewDeviceAtMs = -1;
  lastPasswordChangeAtMs = -1;
  lastPhoneChangeAtMs = -1;
  last: { atMs: number; latitude: number; longitude: number } | null = null;

  constructor(
    readonly createdAtMs: number,
    readonly home: { latitude: number; longitude: number },
  ) {}

  private advancedToMs = Number.NEGATIVE_INFINITY;

  advance(nowMs: number): void {
    if (nowMs === this.advancedToMs) return;
    this.advancedToMs = nowMs;
    this.activity.advance(nowMs);
    this.flows.out.advance(nowMs);
    this.flows.in.advance(nowMs);
    this.fanIn.advance(nowMs);
    this.countries.advance(nowMs);
    this.refunds.advance(nowMs);
    this.payments.advance(nowMs);
  }

  /** Remembers a debit amount for the median (last 50) and the running log mean and variance. */
  rememberAmount(amountMinor: number): void {
    this.median = -1;
    if (this.recentAmounts.length < 50) this.recentAmounts.push(amountMinor);
    else this.recentAmounts[this.recentNext] = amountMinor;
    this.recentNext = (this.recentNext + 1) % 50;
    const x = Math.log1p(amountMinor);
    this.amountCount += 1;
    const delta = x - this.logAmountMean;
    this.logAmountMean += delta / this.amountCount;
    this.logAmountSquares += delta * (x - this.logAmountMean);
  }

  /** The median of the last 50 debits (0 without any), cached until the next debit. */
  medianAmount(): number {
    if (this.median >= 0) return this.median;
    const sorted = Float64Array.from(this.recentAmounts).sort();
    const middle = sorted.length >> 1;
    this.median =
      sorted.length === 0
        ? 0
        : sorted.length % 2 === 1
          ? (sorted[middle] ?? 0)
          : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
    return this.median;
  }

  logAmountDeviation(): number {
    return this.amountCount < 2 ? 0 : Math.sqrt(this.logAmountSquares / (this.amountCount - 1));
  }
}
