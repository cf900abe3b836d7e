import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import { feeForAmount } from '../../kernel/money.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import type { MerchantRecord } from '../identity/index.ts';
import { transferFlags, type TransferInput } from '../ledger/index.ts';
import { decideCapture } from './domain/payment-lifecycle.ts';
import { chainRejection, moneyCommand, refusal, rejection } from './money-command.ts';
import { addJournalEvents } from '../journal/index.ts';
import { recordPublicEvents } from '../events/index.ts';
import { paymentEvents } from './payment-events.ts';
import { addPaymentChange, selectPayment, type PaymentRecord } from './payment-record.ts';
import { paymentView } from './payment-views.ts';

/**
 * Captures a held payment, fully or partly (the rest of the hold is released), and takes the fee
 * on the captured amount, as one linked chain.
 */
export function captureCommand(
  clock: Clock,
  request: {
    claim: IdempotencyClaim;
    requestId: string;
    paymentId: string;
    merchant: MerchantRecord;
    feesAccountId: string;
    amount: bigint | null;
  },
) {
  let payment: PaymentRecord | null = null;
  let amount = 0n;
  let fee = 0n;
  return moneyCommand({
    claim: request.claim,
    exclusiveKeys: [`payment:${request.paymentId}`],
    async plan(client) {
      payment = await selectPayment(client, request.paymentId, { lock: true, kind: 'payment' });
      if (payment === null || payment.merchantId !== request.merchant.id)
        return { response: rejection('resource_not_found', request.requestId) };
      const decision = decideCapture(payment, { amount: request.amount, now: clock.now() });
      if (!decision.ok) return { response: refusal(decision, request.requestId) };
      amount = decision.amount;
      fee = feeForAmount(amount, request.merchant.feeBps);
      const transfers: TransferInput[] = [
        {
          id: newUuid(),
          pendingId: payment.holdTransferId!,
          amount,
          code: 'capture',
          flags: transferFlags.postPending,
        },
      ];
      if (fee > 0n) {
        transfers.push({
          id: newUuid(),
          debitAccountId: request.merchant.accountId,
          creditAccountId: request.feesAccountId,
          amount: fee,
          code: 'fee',
          flags: 0,
        });
      }
      return { transfers };
    },
    settle(outcomes, effects) {
      const held = payment;
      if (held === null) return rejection('resource_not_found', request.requestId);
      const failure = chainRejection(outcomes);
      if (failure !== null) return rejection(failure, request.requestId);
      const now = clock.now();
      addPaymentChange(effects, held.id, { status: 'succeeded', amountCaptured: amount, fee }, now);
      addJournalEvents(effects, [
        {
          type: 'payment.captured',
          streamId: held.id,
          data: { id: held.id, amount_captured: amount, fee },
        },
      ]);
      const captured: PaymentRecord = {
        ...held,
        status: 'succeeded',
        amountCaptured: amount,
        fee,
        updatedAt: now,
      };
      const body = paymentView(captured);
      recordPublicEvents(effects, paymentEvents(captured, body, 'payment.captured'));
      return { statusCode: 200, body };
    },
  });
}
