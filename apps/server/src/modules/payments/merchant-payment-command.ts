import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import { feeForAmount, type Currency } from '../../kernel/money.ts';
import type { StepUpReason } from './domain/step-up-rules.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import type { MerchantRecord, WalletRecord } from '../identity/index.ts';
import type { BatchEffects } from '../../platform/batch-effects.ts';
import { transferFlags, type TransferInput } from '../ledger/index.ts';
import { decideCreate } from './domain/payment-lifecycle.ts';
import { chainRejection, moneyCommand, rejection } from './money-command.ts';
import { addJournalEvents } from '../journal/index.ts';
import { recordPublicEvents } from '../events/index.ts';
import { paymentEvents, riskDecisionEvents } from './payment-events.ts';
import { effectiveDecision, type RiskAssessment } from '../risk/index.ts';
import { addPaymentRow, newPaymentRecord, type PaymentRecord } from './payment-record.ts';
import { paymentView } from './payment-views.ts';

export interface MerchantPaymentRequest {
  readonly claim: IdempotencyClaim;
  readonly requestId: string;
  readonly payer: WalletRecord;
  readonly merchant: MerchantRecord;
  readonly feesAccountId: string;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly capture: 'automatic' | 'manual';
  readonly holdTtlSeconds: number;
  readonly description: string | null;
  /** Set: the payment waits in `requires_action` for a second factor; money moves on confirm. */
  readonly stepUp: StepUpReason | null;
  /** The risk engine's decision (block: nothing moves; review: the money is held). */
  readonly risk: RiskAssessment | null;
  /** How long a payment held for review waits for an operator. */
  readonly reviewTtlSeconds: number;
}

/** The linked chain that pays a merchant: payer → merchant (held when manual), merchant → fees. */
export function merchantPaymentTransfers(input: {
  mainTransferId: string;
  payerAccountId: string;
  merchant: MerchantRecord;
  feesAccountId: string;
  amount: bigint;
  capture: 'automatic' | 'manual';
  holdTtlSeconds: number;
}): { transfers: TransferInput[]; fee: bigint } {
  const manual = input.capture === 'manual';
  const fee = manual ? 0n : feeForAmount(input.amount, input.merchant.feeBps);
  const main: TransferInput = {
    id: input.mainTransferId,
    debitAccountId: input.payerAccountId,
    creditAccountId: input.merchant.accountId,
    amount: input.amount,
    code: manual ? 'payment_hold' : 'payment',
    flags: manual ? transferFlags.pending : 0,
    timeoutSeconds: manual ? input.holdTtlSeconds : 0,
  };
  const feeTransfer: TransferInput[] =
    fee > 0n
      ? [
          {
            id: newUuid(),
            debitAccountId: input.merchant.accountId,
            creditAccountId: input.feesAccountId,
            amount: fee,
            code: 'fee',
            flags: 0,
          },
        ]
      : [];
  return { transfers: [main, ...feeTransfer], fee };
}

/**
 * Pays a merchant. Automatic capture moves the amount to the merchant and the fee from the
 * merchant to the fee account as one linked chain. Manual capture places a hold (a pending
 * transfer with a timeout) that the merchant captures or cancels later.
 */
export function merchantPaymentCommand(clock: Clock, request: MerchantPaymentRequest) {
  const id = newUuid();
  const mainTransferId = newUuid();
  const decision = decideCreate('payment', {
    stepUp: request.stepUp !== null,
    captureMethod: request.capture,
    risk: request.risk === null ? 'allow' : effectiveDecision(request.risk),
  });
  // Held for review: a hold like a manual capture's (no fee yet), timed by the review's TTL.
  const review = decision.next === 'under_review';
  const holdSeconds = review ? request.reviewTtlSeconds : request.holdTtlSeconds;
  const planned = merchantPaymentTransfers({
    mainTransferId,
    payerAccountId: request.payer.id,
    merchant: request.merchant,
    feesAccountId: request.feesAccountId,
    amount: request.amount,
    capture: review ? 'manual' : request.capture,
    holdTtlSeconds: holdSeconds,
  });
  const fee = planned.fee;

  /** Adds the payment's row and its journal event to the batch; `state` fills in the outcome. */
  function record(
    effects: BatchEffects,
    state: Partial<PaymentRecord> & Pick<PaymentRecord, 'status'>,
  ): PaymentRecord {
    const row = newPaymentRecord(
      {
        id,
        kind: 'payment',
        payerUserId: request.payer.userId,
        payerAccountId: request.payer.id,
        payeeUserId: null,
        merchantId: request.merchant.id,
        payeeAccountId: request.merchant.accountId,
        amount: request.amount,
        currency: request.currency,
        captureMethod: request.capture,
        description: request.description,
        risk: request.risk,
        ...state,
      },
      clock.now(),
    );
    addPaymentRow(effects, row);
    addJournalEvents(effects, [
      {
        type: 'payment.created',
        streamId: id,
        data: {
          id,
          status: row.status,
          amount: request.amount,
          fee: row.fee,
          currency: request.currency,
          merchant_id: request.merchant.id,
          payer_account_id: request.payer.id,
          failure_code: row.failureCode,
        },
      },
    ]);
    return row;
  }

  return moneyCommand({
    claim: request.claim,
    async plan(_client, effects) {
      if (decision.next === 'failed') {
        const blocked = record(effects, { status: 'failed', failureCode: 'risk_blocked' });
        const body = paymentView(blocked);
        recordPublicEvents(effects, [
          ...paymentEvents(blocked, body),
          ...riskDecisionEvents(blocked, body),
        ]);
        return { response: rejection('risk_blocked', request.requestId) };
      }
      if (decision.next === 'requires_action') {
        const waiting = record(effects, { status: decision.next, stepUpReason: request.stepUp });
        const body = paymentView(waiting);
        recordPublicEvents(effects, riskDecisionEvents(waiting, body));
        return { response: { statusCode: 201, body } };
      }
      return { transfers: planned.transfers };
    },
    settle(outcomes, effects) {
      const failure = chainRejection(outcomes);
      if (failure !== null) {
        const failed = record(effects, { status: decision.onRefused, failureCode: failure });
        recordPublicEvents(effects, paymentEvents(failed, paymentView(failed)));
        return rejection(failure, request.requestId);
      }
      const row = record(
        effects,
        decision.next === 'requires_capture' || review
          ? {
              status: decision.next,
              holdTransferId: mainTransferId,
              holdExpiresAt: new Date(clock.now().getTime() + holdSeconds * 1000),
            }
          : { status: decision.next, fee, amountCaptured: request.amount },
      );
      const body = paymentView(row);
      recordPublicEvents(effects, [...paymentEvents(row, body), ...riskDecisionEvents(row, body)]);
      return { statusCode: 201, body };
    },
  });
}
