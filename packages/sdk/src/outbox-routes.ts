/**
 * The only routes the outbox sends to, one per kind of record. The route is looked up here at
 * send time, never read from storage: a record edited on the device cannot send money anywhere
 * else (a payout, say).
 */
export const outboxRoutes = { transfer: '/v1/transfers', payment: '/v1/payments' } as const;

export type OutboxKind = keyof typeof outboxRoutes;

/** The route for a record's kind, or null when the kind is not one the app queues. */
export function outboxRouteOf(kind: unknown): (typeof outboxRoutes)[OutboxKind] | null {
  if (kind === 'transfer') return outboxRoutes.transfer;
  if (kind === 'payment') return outboxRoutes.payment;
  return null;
}
