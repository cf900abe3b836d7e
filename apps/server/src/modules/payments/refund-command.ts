import type { Clock } from '../../kernel/clock.ts';
import { batchStatement } from '../../platform/batch-effects.ts';
import { newUuid } from '../../kernel/ids.ts';
import { encodeId } from '../../kernel/ids.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import type { MerchantRecord } from '../identity/index.ts';
import type { TransferInput } from '../ledger/index.ts';
import { decideRefund } from './domain/payment-lifecycle.ts';
import { chainRejection, moneyCommand, refusal, rejection } from './money-command.ts';
import { addJournalEvents } from '../journal/index.ts';
import { recordPublicEvents } from '../events/index.ts';
import { paymentEvents } from './payment-events.ts';
import { addPaymentChange, selectPayment, type PaymentRecord } from './payment-record.ts';
import { wireAmount } from './payment-views.ts';
import { addRiskLabel, effectiveDecision, publicRisk, type RiskAssessment } from '../risk/index.ts';
import { withoutReasons } from './payment-views.ts';

/** The refund reason that labels the payment fraud (as Stripe's `fraudulent`). */
export const fraudulentRefund = 'fraudulent';

const insertRefunds = batchStatement<{
  id: string;
  paymentId: string;
  amount: bigint;
  feeReturned: bigint;
  reason: string | null;
  at: Date;
  risk: RiskAssessment | null;
}>(
  `insert into refunds (id, payment_id, amount, fee_returned, status, reason, created_at, risk)
  select id, payment_id, amount, fee_returned, 'succeeded', reason, created_at, risk
    from unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[], $5::text[], $6::timestamptz[], $7::jsonb[])
      as r(id, payment_id, amount, fee_returned, reason, created_at, risk)`,
  (r) => [
    r.id,
    r.paymentId,
    r.amount.toString(),
    r.feeReturned.toString(),
    r.reason,
    r.at.toISOString(),
    r.risk === null ? null : JSON.stringify(r.risk),
  ],
);

/**
 * The share of the fee a refund gives back: the fee is returned in proportion to what has been
 * refunded so far, rounded down, so a full refund returns exactly the whole fee.
 */
export function feeReturnedFor(
  payment: Pick<PaymentRecord, 'fee' | 'amountCaptured' | 'amountRefunded'>,
  amount: bigint,
): bigint {
  if (payment.amountCaptured === 0n) return 0n;
  const before = (payment.fee * payment.amountRefunded) / payment.amountCaptured;
  const after = (payment.fee * (payment.amountRefunded + amount)) / payment.amountCaptured;
  return after - before;
}

/**
 * Refunds a captured payment, fully or partly: the merchant returns its share and the fee account
 * returns the proportional fee, as one linked chain. Total refunded never exceeds captured (the
 * payment row is locked while checked, and a CHECK constraint backs it up).
 */
export function refundCommand(
  clock: Clock,
  request: {
    claim: IdempotencyClaim;
    requestId: string;
    paymentId: string;
    merchant: MerchantRecord;
    feesAccountId: string;
    amount: bigint | null;
    reason: string | null;
    /** The risk engine's decision on the refund (a block is refused before this runs). */
    risk: RiskAssessment | null;
  },
) {
  const refundId = newUuid();
  let payment: PaymentRecord | null = null;
  let amount = 0n;
  let feeReturned = 0n;
  return moneyCommand({
    claim: request.claim,
    exclusiveKeys: [`payment:${request.paymentId}`],
    async plan(client) {
      payment = await selectPayment(client, request.paymentId, { lock: true, kind: 'payment' });
      if (payment === null || payment.merchantId !== request.merchant.id)
        return {
          response: rejection('resource_not_found', request.requestId, { param: 'payment' }),
        };
      const decision = decideRefund(payment, { amount: request.amount });
      if (!decision.ok) return { response: refusal(decision, request.requestId) };
      // Decided here, under the key: a retry replays this answer instead of scoring again.
      if (effectiveDecision(request.risk) === 'block')
        return {
          response: rejection('risk_blocked', request.requestId, {
            message: 'This refund was blocked by the risk checks.',
          }),
        };
      amount = decision.amount;
      feeReturned = feeReturnedFor(payment, amount);
      const transfers: TransferInput[] = [];
      if (amount - feeReturned > 0n) {
        transfers.push({
          id: newUuid(),
          debitAccountId: request.merchant.accountId,
          creditAccountId: payment.payerAccountId,
          amount: amount - feeReturned,
          code: 'refund',
          flags: 0,
        });
      }
      if (feeReturned > 0n) {
        transfers.push({
          id: newUuid(),
          debitAccountId: request.feesAccountId,
          creditAccountId: payment.payerAccountId,
          amount: feeReturned,
          code: 'fee_refund',
          flags: 0,
        });
      }
      return { transfers };
    },
    settle(outcomes, effects) {
      const paid = payment;
      if (paid === null) return rejection('resource_not_found', request.requestId);
      const failure = chainRejection(outcomes);
      if (failure !== null) {
        const message =
          failure === 'insufficient_funds'
            ? 'The merchant balance is too low to fund this refund.'
            : undefined;
        return rejection(failure, request.requestId, message === undefined ? {} : { message });
      }
      const now = clock.now();
      effects.add(insertRefunds, {
        id: refundId,
        paymentId: paid.id,
        amount,
        feeReturned,
        reason: request.reason,
        at: now,
        risk: request.risk,
      });
      addPaymentChange(effects, paid.id, { amountRefunded: paid.amountRefunded + amount }, now);
      // A refund for fraud (Stripe's reason code) teaches the next model what fraud looked like.
      if (request.reason === fraudulentRefund)
        addRiskLabel(effects, {
          paymentId: paid.id,
          source: 'fraud_refund',
          label: 'fraud',
          note: null,
          at: now,
        });
      addJournalEvents(effects, [
        {
          type: 'payment.refunded',
          streamId: paid.id,
          data: { id: refundId, payment_id: paid.id, amount, fee_returned: feeReturned },
        },
      ]);
      const body = {
        id: encodeId('ref', refundId),
        object: 'refund',
        status: 'succeeded',
        payment: encodeId('pay', paid.id),
        amount: wireAmount(amount),
        currency: paid.currency,
        reason: request.reason,
        // The merchant's answer: the decision and score, not the customer's signals.
        risk: withoutReasons(publicRisk(request.risk)),
        created_at: now.toISOString(),
      };
      recordPublicEvents(effects, paymentEvents(paid, body, 'refund.succeeded'));
      return { statusCode: 201, body };
    },
  });
}
