import type { Payment, PaymentRequest, Transfer, TransferRequest } from './types.ts';

/**
 * Where a money-moving request stands on this device. A record is never shown as paid until
 * Kassa said so: `queued_on_device` (stored, not confirmed; it may be waiting for a connection
 * or for a retry to learn an unknown outcome), `processing` (being sent now), then `succeeded`,
 * `failed` (Kassa refused it; nothing moved) or `requires_action` (Kassa wants a 2FA
 * confirmation before it moves the money).
 */
export type OutboxState =
  'queued_on_device' | 'processing' | 'succeeded' | 'failed' | 'requires_action';

export type OutboxRequest =
  | { readonly kind: 'transfer'; readonly path: '/v1/transfers'; readonly body: TransferRequest }
  | { readonly kind: 'payment'; readonly path: '/v1/payments'; readonly body: PaymentRequest };

export type OutboxRecord = OutboxRequest & {
  /** The device's own id for the record (the API's id arrives with `result`). */
  readonly id: string;
  /** Made and stored before the first send; every attempt reuses it. */
  readonly idempotencyKey: string;
  readonly state: OutboxState;
  readonly createdAt: string;
  readonly attempts: number;
  /** An attempt got no answer: Kassa may have it, and the next attempt (same key) will tell. */
  readonly outcomeUnknown: boolean;
  readonly result: Transfer | Payment | null;
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly moneyMoved: boolean | null;
    readonly nextAction: string;
  } | null;
};

/** Records the device still has to settle with Kassa. */
export function isUnsettled(record: OutboxRecord): boolean {
  return record.state === 'queued_on_device' || record.state === 'processing';
}
