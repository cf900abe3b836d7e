import { KassaApiError, KassaNetworkError } from './errors.ts';

export interface RetryPolicy {
  /** Attempts in one go (the first included); the outbox tries again later after that. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
};

/** Exponential backoff with full jitter: a random delay up to base × 2^attempt, capped. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Whether sending the same request again (same key) can help: no answer, a request still in
 * progress (409), rate limited (429), our fault (5xx) or an outcome Kassa could not state
 * (`money_moved: null`).
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof KassaNetworkError) return true;
  if (!(error instanceof KassaApiError)) return false;
  return (
    error.status === 409 || error.status === 429 || error.status >= 500 || error.moneyMoved === null
  );
}

/** How long to wait before the next attempt: the backoff, or longer if the server asked. */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): number {
  const backoff = backoffMs(attempt, policy, random);
  const asked = error instanceof KassaApiError ? (error.retryAfterSeconds ?? 0) * 1000 : 0;
  return Math.max(backoff, Math.min(asked, policy.maxDelayMs));
}
