import type { ErrorCode, PaymentStatus } from '@kassa/contracts';
import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import type { Currency } from '../../kernel/money.ts';
import type { StepUpReason } from './domain/step-up-rules.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import type { WalletRecord } from '../identity/index.ts';
import type { BatchEffects } from '../../platform/batch-effects.ts';
import { decideCreate } from './domain/payment-lifecycle.ts';
import { chainRejection, moneyCommand, rejection } from './money-command.ts';
import { addJournalEvents } from '../journal/index.ts';
import { recordPublicEvents } from '../events/index.ts';
import { paymentEvents, riskDecisionEvents } from './payment-events.ts';
import { effectiveDecision, type RiskAssessment } from '../risk/index.ts';
import { transferFlags } from '../ledger/index.ts';
import { addPaymentRow, newPaymentRecord, type PaymentRecord } from './payment-record.ts';
import { transferView } from './payment-views.ts';

export interface TransferRequest {
  readonly claim: IdempotencyClaim;
  readonly requestId: string;
  readonly from: WalletRecord;
  readonly to: WalletRecord;
  readonly amount: bigint;
  readonly currency: Currency;
  readonly description: string | null;
  /** Set: the transfer waits in `requires_action` for a second factor; money moves on confirm. */
  readonly stepUp: StepUpReason | null;
  /** The risk engine's decision (block: nothing moves; review: the money is held). */
  readonly risk: RiskAssessment | null;
  /** How long a transfer held for review waits for an operator. */
  readonly reviewTtlSeconds: number;
}

/** A P2P transfer: one ledger transfer from the sender's wallet to the recipient's. */
export function transferCommand(clock: Clock, request: TransferRequest) {
  const id = newUuid();
  const parties = {
    fromWalletId: request.from.id,
    toWalletId: request.to.id,
    fromUserId: request.from.userId,
    toUserId: request.to.userId,
  };

  /** Adds the transfer's row and its journal event to the batch, in the given state. */
  function record(
    effects: BatchEffects,
    status: PaymentStatus,
    failure: ErrorCode | null,
    stepUpReason: StepUpReason | null = null,
  ): PaymentRecord {
    const now = clock.now();
    const held = status === 'under_review';
    const row = newPaymentRecord(
      {
        id,
        kind: 'transfer',
        status,
        payerUserId: request.from.userId,
        payerAccountId: request.from.id,
        // A declined transfer keeps nothing about its recipient that the sender could not
        // already see (their user, and through it their name, stay out of the sender's history).
        payeeUserId: status === 'failed' ? null : request.to.userId,
        merchantId: null,
        payeeAccountId: request.to.id,
        amount: request.amount,
        currency: request.currency,
        amountCaptured: status === 'succeeded' ? request.amount : 0n,
        failureCode: failure,
        description: request.description,
        stepUpReason,
        risk: request.risk,
        holdTransferId: held ? id : null,
        holdExpiresAt: held ? new Date(now.getTime() + request.reviewTtlSeconds * 1000) : null,
      },
      now,
    );
    addPaymentRow(effects, row);
    addJournalEvents(effects, [
      {
        type: 'transfer.created',
        streamId: id,
        data: {
          id,
          status,
          amount: request.amount,
          currency: request.currency,
          from: request.from.id,
          ...(status === 'failed' ? {} : { to: request.to.id }),
          failure_code: failure,
        },
      },
    ]);
    return row;
  }

  const decision = decideCreate('transfer', {
    stepUp: request.stepUp !== null,
    captureMethod: 'automatic',
    risk: request.risk === null ? 'allow' : effectiveDecision(request.risk),
  });
  return moneyCommand({
    claim: request.claim,
    async plan(_client, effects) {
      if (decision.next === 'failed') {
        const blocked = record(effects, 'failed', 'risk_blocked');
        recordPublicEvents(effects, riskDecisionEvents(blocked, transferView(blocked, parties)));
        return { response: rejection('risk_blocked', request.requestId) };
      }
      if (decision.next === 'requires_action') {
        const waiting = record(effects, decision.next, null, request.stepUp);
        const body = transferView(waiting, parties);
        recordPublicEvents(effects, riskDecisionEvents(waiting, body));
        return { response: { statusCode: 201, body } };
      }
      const held = decision.next === 'under_review';
      return {
        transfers: [
          {
            id,
            debitAccountId: request.from.id,
            creditAccountId: request.to.id,
            amount: request.amount,
            code: held ? 'p2p_review_hold' : 'p2p',
            flags: held ? transferFlags.pending : 0,
            ...(held ? { timeoutSeconds: request.reviewTtlSeconds } : {}),
          },
        ],
      };
    },
    settle(outcomes, effects) {
      const failure = chainRejection(outcomes);
      const row = record(effects, failure === null ? decision.next : decision.onRefused, failure);
      if (failure !== null) return rejection(failure, request.requestId);
      const body = transferView(row, parties);
      recordPublicEvents(effects, [...paymentEvents(row, body), ...riskDecisionEvents(row, body)]);
      return { statusCode: 201, body };
    },
  });
}
