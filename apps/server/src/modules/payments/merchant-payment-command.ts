import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import { feeForAmount, type Currency } from '../../kernel/money.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import type { MerchantRecord, WalletRecord } from '../identity/index.ts';
import { transferFlags, type TransferInput } from '../ledger/index.ts';
import { chainRejection, moneyCommand, recordEvents, rejection } from './money-command.ts';
import { insertPaymentsSql, paymentRow, newPaymentRecord } from './payment-record.ts';
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
}

/**
 * Pays a merchant. Automatic capture moves the amount to the merchant and the fee from the
 * merchant to the fee account as one linked chain. Manual capture places a hold (a pending
 * transfer with a timeout) that the merchant captures or cancels later.
 */
export function merchantPaymentCommand(clock: Clock, request: MerchantPaymentRequest) {
  const id = newUuid();
  const mainTransferId = newUuid();
  const fee =
    request.capture === 'automatic' ? feeForAmount(request.amount, request.merchant.feeBps) : 0n;
  return moneyCommand({
    claim: request.claim,
    async plan() {
      const main: TransferInput = {
        id: mainTransferId,
        debitAccountId: request.payer.id,
        creditAccountId: request.merchant.accountId,
        amount: request.amount,
        code: request.capture === 'automatic' ? 'payment' : 'payment_hold',
        flags: request.capture === 'manual' ? transferFlags.pending : 0,
        timeoutSeconds: request.capture === 'manual' ? request.holdTtlSeconds : 0,
      };
      const feeTransfer: TransferInput[] =
        fee > 0n
          ? [
              {
                id: newUuid(),
                debitAccountId: request.merchant.accountId,
                creditAccountId: request.feesAccountId,
                amount: fee,
                code: 'fee',
                flags: 0,
              },
            ]
          : [];
      return { transfers: [main, ...feeTransfer] };
    },
    settle(outcomes, effects) {
      const failure = chainRejection(outcomes);
      const now = clock.now();
      const held = request.capture === 'manual';
      const record = newPaymentRecord(
        {
          id,
          kind: 'payment',
          status: failure !== null ? 'failed' : held ? 'requires_capture' : 'succeeded',
          payerUserId: request.payer.userId,
          payerAccountId: request.payer.id,
          payeeUserId: null,
          merchantId: request.merchant.id,
          payeeAccountId: request.merchant.accountId,
          amount: request.amount,
          currency: request.currency,
          fee: failure === null ? fee : 0n,
          captureMethod: request.capture,
          amountCaptured: failure === null && !held ? request.amount : 0n,
          holdTransferId: failure === null && held ? mainTransferId : null,
          holdExpiresAt:
            failure === null && held
              ? new Date(now.getTime() + request.holdTtlSeconds * 1000)
              : null,
          failureCode: failure,
          description: request.description,
        },
        now,
      );
      effects.add(insertPaymentsSql, paymentRow(record));
      recordEvents(effects, [
        {
          type: 'payment.created',
          streamId: id,
          data: {
            id,
            status: record.status,
            amount: request.amount,
            fee: record.fee,
            currency: request.currency,
            merchant_id: request.merchant.id,
            payer_account_id: request.payer.id,
            failure_code: failure,
          },
        },
      ]);
      if (failure !== null) return rejection(failure, request.requestId);
      return { statusCode: 201, body: paymentView(record) };
    },
  });
}
