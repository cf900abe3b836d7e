import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { DbClient } from '../../platform/db.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import { appendEvents } from '../journal/index.ts';
import { transferFlags, type LedgerCommand, type TransferOutcome } from '../ledger/index.ts';
import { chainRejection, moneyCommand, rejection } from './money-command.ts';
import { selectPayment, updatePayment, type PaymentRecord } from './payment-record.ts';
import { paymentView } from './payment-views.ts';

export type CancelActor = { readonly merchantId: string } | { readonly payerUserId: string };

function owns(payment: PaymentRecord, actor: CancelActor): boolean {
  return 'merchantId' in actor
    ? payment.merchantId === actor.merchantId
    : payment.payerUserId === actor.payerUserId;
}

/** Releases a hold: voids its pending transfer so the payer's funds are available again. */
export function cancelCommand(
  clock: Clock,
  request: { claim: IdempotencyClaim; requestId: string; paymentId: string; actor: CancelActor },
) {
  let payment: PaymentRecord | null = null;
  return moneyCommand({
    claim: request.claim,
    exclusiveKey: `payment:${request.paymentId}`,
    async plan(client) {
      payment = await selectPayment(client, request.paymentId, { lock: true, kind: 'payment' });
      if (payment === null || !owns(payment, request.actor))
        return { response: rejection('resource_not_found', request.requestId) };
      if (payment.status !== 'requires_capture' || payment.holdTransferId === null) {
        return { response: rejection('payment_not_cancelable', request.requestId) };
      }
      const pastDeadline =
        payment.holdExpiresAt !== null && payment.holdExpiresAt.getTime() <= clock.now().getTime();
      return { transfers: [voidHold(payment.holdTransferId, pastDeadline)] };
    },
    async settle(client, outcomes) {
      const held = payment;
      if (held === null) return rejection('resource_not_found', request.requestId);
      const failure = chainRejection(outcomes);
      if (failure !== null) return rejection(failure, request.requestId);
      const reason =
        'merchantId' in request.actor ? 'requested_by_merchant' : 'requested_by_customer';
      const canceled = await markCanceled(client, held, reason, clock.now());
      return { statusCode: 200, body: paymentView(canceled) };
    },
  });
}

function voidHold(holdTransferId: string, expiry: boolean) {
  return {
    id: newUuid(),
    pendingId: holdTransferId,
    amount: 0n,
    code: expiry ? 'hold_expired' : 'cancel',
    flags: transferFlags.voidPending,
    expiry,
  };
}

async function markCanceled(
  client: DbClient,
  payment: PaymentRecord,
  reason: string,
  now: Date,
): Promise<PaymentRecord> {
  await updatePayment(client, payment.id, { status: 'canceled', cancellationReason: reason }, now);
  await appendEvents(client, [
    { type: 'payment.canceled', streamId: payment.id, data: { id: payment.id, reason } },
  ]);
  return { ...payment, status: 'canceled', cancellationReason: reason, updatedAt: now };
}

/**
 * The expiry job's command: a hold past its capture deadline is voided and the payment
 * canceled with reason `expired`. Safe to run from many workers: the payment row is locked and
 * re-checked, so each hold is released once.
 */
export function expireHoldCommand(clock: Clock, paymentId: string): LedgerCommand<boolean> {
  let payment: PaymentRecord | null = null;
  return {
    exclusiveKey: `payment:${paymentId}`,
    async prepare(client) {
      payment = await selectPayment(client, paymentId, { lock: true, kind: 'payment' });
      const due =
        payment !== null &&
        payment.status === 'requires_capture' &&
        payment.holdTransferId !== null &&
        payment.holdExpiresAt !== null &&
        payment.holdExpiresAt.getTime() <= clock.now().getTime();
      if (!due || payment?.holdTransferId == null) return { result: false };
      return { transfers: [voidHold(payment.holdTransferId, true)] };
    },
    async finish(client, outcomes: readonly TransferOutcome[]) {
      if (payment === null || chainRejection(outcomes) !== null) return false;
      await markCanceled(client, payment, 'expired', clock.now());
      return true;
    },
  };
}
