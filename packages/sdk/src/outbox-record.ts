import type { Payment, PaymentRequest, Transfer, TransferRequest } from './types.ts';

/**
 * Where a money-moving request stands on this device. A record is never shown as paid until
 * Kassa said so: `queued_on_device` (stored, not confirmed; it may be waiting for a connection
 * or for a retry to learn an unknown outcome), `processing` (being sent now), then `succeeded`,
 * `failed` (Kassa refused it, or the device refused to send it; nothing moved),
 * `requires_action` (Kassa wants a 2FA confirmation before it moves the money) or
 * `under_review` (Kassa holds the money for a check by its staff; not sent yet).
 */
export type OutboxState =
  'queued_on_device' | 'processing' | 'succeeded' | 'failed' | 'requires_action' | 'under_review';

/** What the app asks the outbox to send. The route follows from `kind` (outbox-routes.ts). */
export type OutboxRequest =
  | { readonly kind: 'transfer'; readonly body: TransferRequest }
  | { readonly kind: 'payment'; readonly body: PaymentRequest };

export type OutboxRecord = OutboxRequest & {
  /** The device's own id for the record (the API's id arrives with `result`). */
  readonly id: string;
  /** The user who made it (the access token's subject): it is only ever sent with their session. */
  readonly owner: string;
  /** Made and stored before the first send; every attempt reuses it. */
  readonly idempotencyKey: string;
  readonly createdAt: string;
  /** Made while offline: the offline limit applies to it again when it is sent. */
  readonly queuedOffline: boolean;
  /**
   * HMAC-SHA-256 (base64url) of what the person reviewed (record-mac.ts): owner, kind and route,
   * body, idempotency key, id, time and `queuedOffline`. A record that does not match is not sent.
   */
  readonly mac: string;
  readonly state: OutboxState;
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

/** A stored row with the fields the outbox reads; anything else is never listed or sent. */
export function isOutboxRecord(value: OutboxRecord): boolean {
  const body: unknown = value.body;
  return (
    typeof value.id === 'string' &&
    typeof value.owner === 'string' &&
    typeof value.createdAt === 'string' &&
    typeof value.state === 'string' &&
    typeof body === 'object' &&
    body !== null
  );
}

/** Records the device still has to settle with Kassa. */
export function isUnsettled(record: OutboxRecord): boolean {
  return record.state === 'queued_on_device' || record.state === 'processing';
}

/** Oldest first (the order payments were made, and are sent in). */
export function byCreation(a: OutboxRecord, b: OutboxRecord): number {
  return a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

/** Whether an answer from a money route is a transfer or payment (and not a portal's page). */
export function isMoneyAnswer(answer: Record<string, unknown>): boolean {
  return typeof answer['id'] === 'string' && typeof answer['status'] === 'string';
}
