import type { Clock } from '../../kernel/clock.ts';
import type { BatchEffects } from '../../platform/batch-effects.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import { transferFlags, type LedgerCommand, type TransferOutcome } from '../ledger/index.ts';
import { decideCancel, decideExpireHold } from './domain/payment-lifecycle.ts';
import { chainRejection, moneyCommand, refusal, rejection } from './money-command.ts';
import { addJournalEvents } from '../journal/index.ts';
import { recordPublicEvents } from '../events/index.ts';
import { paymentEvents } from './payment-events.ts';
import { addPaymentChange, selectPayment, type PaymentRecord } from './payment-record.ts';
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
    exclusiveKeys: [`payment:${request.paymentId}`],
    async plan(client) {
      payment = await selectPayment(client, request.paymentId, { lock: true, kind: 'payment' });
      if (payment === null || !owns(payment, request.actor))
        return { response: rejection('resource_not_found', request.requestId) };
      const decision = decideCancel(payment, { now: clock.now() });
      if (!decision.ok) return { response: refusal(decision, request.requestId) };
      return { transfers: [voidHold(payment.holdTransferId!, decision.expiry)] };
    },
    settle(outcomes, effects) {
      const held = payment;
      if (held === null) return rejection('resource_not_found', request.requestId);
      const failure = chainRejection(outcomes);
      if (failure !== null) return rejection(failure, request.requestId);
      const reason =
        'merchantId' in request.actor ? 'requested_by_merchant' : 'requested_by_customer';
      const canceled = markCanceled(effects, held, reason, clock.now());
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

function markCanceled(
  effects: BatchEffects,
  payment: PaymentRecord,
  reason: string,
  now: Date,
): PaymentRecord {
  addPaymentChange(effects, payment.id, { status: 'canceled', cancellationReason: reason }, now);
  addJournalEvents(effects, [
    { type: 'payment.canceled', streamId: payment.id, data: { id: payment.id, reason } },
  ]);
  const canceled: PaymentRecord = {
    ...payment,
    status: 'canceled',
    cancellationReason: reason,
    updatedAt: now,
  };
  recordPublicEvents(effects, paymentEvents(canceled, paymentView(canceled)));
  return canceled;
}

/**
 * The expiry job's command: a hold past its capture deadline is voided and the payment
 * canceled with reason `expired`. Safe to run from many workers: the payment row is locked and
 * re-checked, so each hold is released once.
 */
export function expireHoldCommand(clock: Clock, paymentId: string): LedgerCommand<boolean> {
  let payment: PaymentRecord | null = null;
  return {
    exclusiveKeys: [`payment:${paymentId}`],
    async prepare(client) {
      payment = await selectPayment(client, paymentId, { lock: true, kind: 'payment' });
      if (payment === null || !decideExpireHold(payment, { now: clock.now() }).ok)
        return { result: false };
      return { transfers: [voidHold(payment.holdTransferId!, true)] };
    },
    finish(outcomes: readonly TransferOutcome[], effects) {
      if (payment === null || chainRejection(outcomes) !== null) return false;
      markCanceled(effects, payment, 'expired', clock.now());
      return true;
    },
  };
}
