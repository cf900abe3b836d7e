import type { Clock } from '../kernel/clock.ts';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreaker {
  /** Whether a call may go out now; in `half_open` only one probe at a time may. */
  tryAcquire():
    | { allowed: true; release(outcome: 'success' | 'failure'): void }
    | {
        allowed: false;
        retryAfterMs: number;
      };
  /**
   * One try within a call (a call may make several). An unbroken run of `failedAttemptsToOpen`
   * failed tries opens the breaker while the calls they belong to are still retrying: a dead
   * dependency is noticed after that many timeouts, not after that many whole calls.
   */
  recordAttempt(success: boolean): void;
  state(): BreakerState;
  /** How long until a call would be let through: 0 when one would be now. */
  retryAfterMs(): number;
  /** How many times the breaker opened since start (for metrics and test figures). */
  openings(): number;
}

/**
 * A circuit breaker over a rolling window of the last `window` call outcomes. It opens when at
 * least `minCalls` of them are recorded and the failure share reaches `failureRate`, or when
 * `failedAttemptsToOpen` tries in a row failed (any calls' tries: nothing got through); after
 * `cooldownMs` one probe call may go out (half-open): its success closes the breaker and clears
 * the window, its failure opens it again. State is per process: every API node protects itself.
 */
export function createCircuitBreaker(options: {
  clock: Clock;
  failureRate: number;
  cooldownMs: number;
  window?: number;
  minCalls?: number;
  failedAttemptsToOpen?: number;
  onStateChange?: (state: BreakerState) => void;
}): CircuitBreaker {
  const window = options.window ?? 20;
  const minCalls = options.minCalls ?? 10;
  const outcomes: boolean[] = [];
  let current: BreakerState = 'closed';
  let openedAt = 0;
  let probeOut = false;
  let openCount = 0;
  let failedAttemptsInARow = 0;

  function setState(next: BreakerState): void {
    if (next === current) return;
    current = next;
    if (next === 'open') {
      openedAt = options.clock.now().getTime();
      openCount += 1;
    }
    failedAttemptsInARow = 0;
    options.onStateChange?.(next);
  }

  function record(success: boolean): void {
    outcomes.push(success);
    if (outcomes.length > window) outcomes.shift();
    const failures = outcomes.filter((ok) => !ok).length;
    if (outcomes.length >= minCalls && failures / outcomes.length >= options.failureRate)
      setState('open');
  }

  return {
    tryAcquire() {
      if (current === 'open') {
        const waited = options.clock.now().getTime() - openedAt;
        if (waited < options.cooldownMs)
          return { allowed: false, retryAfterMs: options.cooldownMs - waited };
        setState('half_open');
      }
      if (current === 'half_open') {
        if (probeOut) return { allowed: false, retryAfterMs: Math.min(options.cooldownMs, 1_000) };
        probeOut = true;
        return {
          allowed: true,
          release(outcome) {
            probeOut = false;
            if (outcome === 'success') {
              outcomes.length = 0;
              setState('closed');
            } else {
              setState('open');
            }
          },
        };
      }
      return {
        allowed: true,
        release(outcome) {
          // A call that started while closed may finish after the breaker opened: it still
          // counts, but only a probe decides to close.
          if (current === 'closed') record(outcome === 'success');
        },
      };
    },
    recordAttempt(success) {
      failedAttemptsInARow = success ? 0 : failedAttemptsInARow + 1;
      if (
        current === 'closed' &&
        failedAttemptsInARow >= (options.failedAttemptsToOpen ?? Infinity)
      )
        setState('open');
    },
    state: () => {
      if (current === 'open' && options.clock.now().getTime() - openedAt >= options.cooldownMs)
        return 'half_open';
      return current;
    },
    retryAfterMs: () => {
      if (current === 'closed') return 0;
      const left = options.cooldownMs - (options.clock.now().getTime() - openedAt);
      if (current === 'open' && left > 0) return left;
      // Past the cooldown (or half-open): only the probe may go, and it is not out yet.
      return probeOut ? Math.min(options.cooldownMs, 1_000) : 0;
    },
    openings: () => openCount,
  };
}
