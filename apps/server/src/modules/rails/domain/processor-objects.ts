/**
 * The processor's objects and what a call to it came to, as the rails domain reads them (the
 * HTTP connector, processor-client.ts, produces them).
 */
/** The processor's charge object (the part Kassa reads). */
export interface ProcessorCharge {
  readonly id: string;
  readonly object: 'charge';
  readonly status: 'succeeded' | 'requires_capture' | 'declined' | 'requires_action' | 'canceled';
  readonly amount: number;
  readonly currency: string;
  readonly decline_code: string | null;
  readonly next_action?: { readonly type: string; readonly url: string } | null;
}

export interface ProcessorPayout {
  readonly id: string;
  readonly object: 'payout';
  readonly status: 'paid' | 'failed';
  readonly amount: number;
  readonly currency: string;
  readonly failure_code: string | null;
}

export interface ProcessorRefund {
  readonly id: string;
  readonly object: 'refund';
  readonly status: 'succeeded';
  readonly charge: string;
  readonly amount: number;
  readonly currency: string;
}

export interface SettlementEntry {
  readonly type: 'capture' | 'refund' | 'payout';
  readonly idempotency_key: string;
  readonly amount: number;
  readonly currency: string;
}

/**
 * What a call came to. `answered`: the processor gave a definite answer. `unknown`: a call may
 * have reached it but no answer came back (timeout, dropped connection, 5xx) — the effect may
 * or may not have happened. `unavailable`: nothing was sent (the breaker is open).
 */
export type CallResult<T> =
  | { readonly kind: 'answered'; readonly value: T }
  | { readonly kind: 'rejected'; readonly status: number; readonly code: string }
  | { readonly kind: 'unknown'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly retryAfterMs: number };
