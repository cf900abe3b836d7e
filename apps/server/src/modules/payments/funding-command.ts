import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import type { WalletRecord } from '../identity/index.ts';
import { chainRejection, moneyCommand, rejection } from './money-command.ts';
import { addJournalEvents } from '../journal/index.ts';
import { addPaymentRow, newPaymentRecord } from './payment-record.ts';
import { fundingView } from './payment-views.ts';

/** An operator credit: from the system funding account of the currency into a wallet. */
export function fundingCommand(
  clock: Clock,
  request: {
    claim: IdempotencyClaim;
    requestId: string;
    wallet: WalletRecord;
    fundingAccountId: string;
    amount: bigint;
    currency: Currency;
    description: string | null;
  },
) {
  const id = newUuid();
  return moneyCommand({
    claim: request.claim,
    async plan() {
      return {
        transfers: [
          {
            id,
            debitAccountId: request.fundingAccountId,
            creditAccountId: request.wallet.id,
            amount: request.amount,
            code: 'funding',
            flags: 0,
          },
        ],
      };
    },
    settle(outcomes, effects) {
      const failure = chainRejection(outcomes);
      if (failure !== null) return rejection(failure, request.requestId);
      const now = clock.now();
      const record = newPaymentRecord(
        {
          id,
          kind: 'funding',
          status: 'succeeded',
          payerUserId: null,
          payerAccountId: request.fundingAccountId,
          payeeUserId: request.wallet.userId,
          merchantId: null,
          payeeAccountId: request.wallet.id,
          amount: request.amount,
          currency: request.currency,
          amountCaptured: request.amount,
          description: request.description,
        },
        now,
      );
      addPaymentRow(effects, record);
      addJournalEvents(effects, [
        {
          type: 'wallet.funded',
          streamId: id,
          data: {
            id,
            wallet_id: request.wallet.id,
            amount: request.amount,
            currency: request.currency,
          },
        },
      ]);
      return { statusCode: 201, body: fundingView(record) };
    },
  });
}
