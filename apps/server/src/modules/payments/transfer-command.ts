import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import type { WalletRecord } from '../identity/index.ts';
import { chainRejection, moneyCommand, recordEvents, rejection } from './money-command.ts';
import { insertPaymentsSql, paymentRow, newPaymentRecord } from './payment-record.ts';
import { transferView } from './payment-views.ts';

export interface TransferRequest {
  readonly claim: IdempotencyClaim;
  readonly requestId: string;
  readonly from: WalletRecord;
  readonly to: WalletRecord;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly description: string | null;
  /** Above the step-up threshold: create in `requires_action`; money moves on confirm. */
  readonly stepUp: boolean;
}

/** A P2P transfer: one ledger transfer from the sender's wallet to the recipient's. */
export function transferCommand(clock: Clock, request: TransferRequest) {
  const id = newUuid();
  return moneyCommand({
    claim: request.claim,
    async plan(_client, effects) {
      if (request.stepUp) {
        const record = newPaymentRecord(
          {
            id,
            kind: 'transfer',
            status: 'requires_action',
            payerUserId: request.from.userId,
            payerAccountId: request.from.id,
            payeeUserId: request.to.userId,
            merchantId: null,
            payeeAccountId: request.to.id,
            amount: request.amount,
            currency: request.currency,
            description: request.description,
          },
          clock.now(),
        );
        effects.add(insertPaymentsSql, paymentRow(record));
        recordEvents(effects, [
          {
            type: 'transfer.created',
            streamId: id,
            data: {
              id,
              status: record.status,
              amount: request.amount,
              currency: request.currency,
              from: request.from.id,
              to: request.to.id,
            },
          },
        ]);
        return {
          response: {
            statusCode: 201,
            body: transferView(record, {
              fromWalletId: request.from.id,
              toWalletId: request.to.id,
              fromUserId: request.from.userId,
              toUserId: request.to.userId,
            }),
          },
        };
      }
      return {
        transfers: [
          {
            id,
            debitAccountId: request.from.id,
            creditAccountId: request.to.id,
            amount: request.amount,
            code: 'p2p',
            flags: 0,
          },
        ],
      };
    },
    settle(outcomes, effects) {
      const failure = chainRejection(outcomes);
      const now = clock.now();
      const record = newPaymentRecord(
        {
          id,
          kind: 'transfer',
          status: failure === null ? 'succeeded' : 'failed',
          payerUserId: request.from.userId,
          payerAccountId: request.from.id,
          payeeUserId: request.to.userId,
          merchantId: null,
          payeeAccountId: request.to.id,
          amount: request.amount,
          currency: request.currency,
          amountCaptured: failure === null ? request.amount : 0n,
          failureCode: failure,
          description: request.description,
        },
        now,
      );
      effects.add(insertPaymentsSql, paymentRow(record));
      recordEvents(effects, [
        {
          type: 'transfer.created',
          streamId: id,
          data: {
            id,
            status: record.status,
            amount: request.amount,
            currency: request.currency,
            from: request.from.id,
            to: request.to.id,
            failure_code: failure,
          },
        },
      ]);
      if (failure !== null) return rejection(failure, request.requestId);
      return {
        statusCode: 201,
        body: transferView(record, {
          fromWalletId: request.from.id,
          toWalletId: request.to.id,
          fromUserId: request.from.userId,
          toUserId: request.to.userId,
        }),
      };
    },
  });
}
