import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { DbClient } from '../../platform/db.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import type { MerchantRecord } from '../identity/index.ts';
import { transferFlags, type TransferInput } from '../ledger/index.ts';
import { merchantPaymentTransfers } from './merchant-payment-command.ts';
import { decideConfirm } from './domain/payment-lifecycle.ts';
import { effectiveDecision } from '../risk/index.ts';
import { chainRejection, moneyCommand, refusal, rejection } from './money-command.ts';
import { addJournalEvents } from '../journal/index.ts';
import { recordPublicEvents } from '../events/index.ts';
import { paymentEvents, riskDecisionEvents } from './payment-events.ts';
import {
  addPaymentChange,
  selectPayment,
  type PaymentChange,
  type PaymentRecord,
} from './payment-record.ts';
import { paymentView, storedTransferView } from './payment-views.ts';

/** Checks a 2FA code inside the batch transaction (the code is used up with the payment). */
export type SecondFactorCheck = (
  client: DbClient,
  userId: string,
  code: string,
) => Promise<boolean>;

/**
 * Completes a payment waiting in `requires_action`: checks the payer's TOTP code and moves the
 * money, in one transaction, so a confirmation happens exactly once. A second confirmation finds
 * the payment no longer waiting and moves nothing.
 */
export function confirmCommand(
  clock: Clock,
  request: {
    claim: IdempotencyClaim;
    requestId: string;
    kind: 'transfer' | 'payment';
    paymentId: string;
    userId: string;
    code: string;
    checkSecondFactor: SecondFactorCheck;
    /** For merchant payments: the merchant and its fee account, looked up by the route. */
    merchant: { record: MerchantRecord; feesAccountId: string } | null;
    holdTtlSeconds: number;
    /** How long a payment held for review (after its second factor) waits for an operator. */
    reviewTtlSeconds: number;
    /** A payment older than this is expired, whether or not the worker has canceled it yet. */
    expirySeconds: number;
  },
) {
  let payment: PaymentRecord | null = null;
  let success: PaymentChange = {};
  return moneyCommand({
    claim: request.claim,
    exclusiveKeys: [`payment:${request.paymentId}`],
    async plan(client) {
      payment = await selectPayment(client, request.paymentId, { lock: true, kind: request.kind });
      if (payment === null || payment.payerUserId !== request.userId)
        return { response: rejection('resource_not_found', request.requestId) };
      const decision = decideConfirm(payment, {
        now: clock.now(),
        expirySeconds: request.expirySeconds,
        review: effectiveDecision(payment.risk) === 'review',
      });
      if (!decision.ok) return { response: refusal(decision, request.requestId) };
      if (!(await request.checkSecondFactor(client, request.userId, request.code))) {
        return { response: rejection('invalid_2fa_code', request.requestId, { param: 'code' }) };
      }
      const now = clock.now();
      const review = decision.next === 'under_review';
      const reviewHold = (holdTransferId: string): PaymentChange => ({
        status: 'under_review',
        holdTransferId,
        holdExpiresAt: new Date(now.getTime() + request.reviewTtlSeconds * 1000),
      });
      if (payment.kind === 'transfer') {
        const id = newUuid();
        success = review ? reviewHold(id) : { status: 'succeeded', amountCaptured: payment.amount };
        const transfer: TransferInput = {
          id,
          debitAccountId: payment.payerAccountId,
          creditAccountId: payment.payeeAccountId,
          amount: payment.amount,
          code: review ? 'p2p_review_hold' : 'p2p',
          flags: review ? transferFlags.pending : 0,
          ...(review ? { timeoutSeconds: request.reviewTtlSeconds } : {}),
        };
        return { transfers: [transfer] };
      }
      if (request.merchant === null)
        return { response: rejection('resource_not_found', request.requestId) };
      const mainTransferId = newUuid();
      const planned = merchantPaymentTransfers({
        mainTransferId,
        payerAccountId: payment.payerAccountId,
        merchant: request.merchant.record,
        feesAccountId: request.merchant.feesAccountId,
        amount: payment.amount,
        capture: review ? 'manual' : payment.captureMethod,
        holdTtlSeconds: review ? request.reviewTtlSeconds : request.holdTtlSeconds,
      });
      if (review) {
        success = reviewHold(mainTransferId);
        return { transfers: planned.transfers };
      }
      success =
        decision.next === 'requires_capture'
          ? {
              status: 'requires_capture',
              holdTransferId: mainTransferId,
              holdExpiresAt: new Date(now.getTime() + request.holdTtlSeconds * 1000),
            }
          : { status: 'succeeded', amountCaptured: payment.amount, fee: planned.fee };
      return { transfers: planned.transfers };
    },
    settle(outcomes, effects) {
      const waiting = payment;
      if (waiting === null) return rejection('resource_not_found', request.requestId);
      const failure = chainRejection(outcomes);
      const now = clock.now();
      const change: PaymentChange =
        failure === null ? success : { status: 'failed', failureCode: failure };
      addPaymentChange(effects, waiting.id, change, now);
      addJournalEvents(effects, [
        {
          type: waiting.kind === 'transfer' ? 'transfer.created' : 'payment.created',
          streamId: waiting.id,
          data: { id: waiting.id, status: change.status, confirmed: true, failure_code: failure },
        },
      ]);
      if (failure !== null) return rejection(failure, request.requestId);
      const updated: PaymentRecord = { ...waiting, ...change, updatedAt: now };
      const body = updated.kind === 'transfer' ? storedTransferView(updated) : paymentView(updated);
      recordPublicEvents(effects, [
        ...paymentEvents(updated, body),
        ...(updated.status === 'under_review' ? riskDecisionEvents(updated, body) : []),
      ]);
      return { statusCode: 200, body };
    },
  });
}
