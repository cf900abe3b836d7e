/**
 * Faults switched on at run time (`POST /admin/faults`). Rates are probabilities per call.
 * - `latency_ms` is added to every call, plus a random `latency_jitter_ms`.
 * - `error_rate`: answer 500 and do nothing.
 * - `timeout_rate`: never answer and do nothing (the caller gives up).
 * - `lost_reply_rate`: do the work, then drop the connection without an answer.
 * - `duplicate_callback_rate`: send a callback twice; `callback_delay_ms`: delay callbacks by a
 *   random time up to this, so they arrive out of order.
 */
export interface Faults {
  readonly latency_ms: number;
  readonly latency_jitter_ms: number;
  readonly error_rate: number;
  readonly timeout_rate: number;
  readonly lost_reply_rate: number;
  readonly duplicate_callback_rate: number;
  readonly callback_delay_ms: number;
}

export const noFaults: Faults = {
  latency_ms: 0,
  latency_jitter_ms: 0,
  error_rate: 0,
  timeout_rate: 0,
  lost_reply_rate: 0,
  duplicate_callback_rate: 0,
  callback_delay_ms: 0,
};

const rates = ['error_rate', 'timeout_rate', 'lost_reply_rate', 'duplicate_callback_rate'];
const durations = ['latency_ms', 'latency_jitter_ms', 'callback_delay_ms'];

/** Validates a faults request; returns the new faults or the first problem. */
export function parseFaults(body: unknown): Faults | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { error: 'faults must be a JSON object' };
  const result: Record<string, number> = { ...noFaults };
  for (const [name, value] of Object.entries(body)) {
    if (!rates.includes(name) && !durations.includes(name))
      return { error: `unknown fault ${name}` };
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      return { error: `${name} must be a non-negative number` };
    if (rates.includes(name) && value > 1) return { error: `${name} is a rate between 0 and 1` };
    if (durations.includes(name) && value > 120_000) return { error: `${name} is at most 120000` };
    result[name] = value;
  }
  return result as unknown as Faults;
}
