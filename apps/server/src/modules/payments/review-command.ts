import type { Clock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import { feeForAmount } from '../../kernel/money.ts';
import type { BatchEffects } from '../../platform/batch-effects.ts';
import { recordPublicEvents } from '../events/index.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import type { MerchantRecord } from '../identity/index.ts';
import { addJournalEvents } from '../journal/index.ts';
import {
  transferFlags,
  type LedgerCommand,
  type TransferInput,
  type TransferOutcome,
} from '../ledger/index.ts';
import { addRiskLabel, operatorRisk } from '../risk/index.ts';
import { decideReview, type Allowed } from './domain/payment-lifecycle.ts';
import { chainRejection, moneyCommand, refusal, rejection } from './money-command.ts';
import { paymentEvents } from './payment-events.ts';
import {
  addPaymentChange,
  paymentWireId,
  selectPayment,
  type PaymentChange,
  type PaymentRecord,
} from './payment-record.ts';
import { paymentView, storedTransferView } from './payment-views.ts';

export type ReviewVerdict = 'approve' | 'decline' | 'expire';

/** For a merchant payment: its merchant and fee account (the fee is taken on approval). */
export type ReviewMerchant = { record: MerchantRecord; feesAccountId: string } | null;

/**
 * The ledger side of a verdict on a payment held for review: approving posts the held money
 * (and takes a merchant's fee, unless it was a manual-capture payment, which now waits for its
 * capture with the hold in place); declining or expiring voids the hold.
 */
function reviewTransfers(
  held: PaymentRecord,
  decision: Allowed,
  merchant: ReviewMerchant,
  now: Date,
): { transfers: TransferInput[]; change: PaymentChange } {
  const pendingId = held.holdTransferId!;
  // Past its deadline the ledger voids the hold as an expiry (it refuses a plain void then).
  const expiry = held.holdExpiresAt !== null && held.holdExpiresAt.getTime() <= now.getTime();
  if (decision.next === 'canceled')
    return {
      transfers: [
        {
          id: newUuid(),
          pendingId,
          amount: 0n,
          code: expiry ? 'review_expired' : 'review_declined',
          flags: transferFlags.voidPending,
          expiry,
        },
      ],
      change: { status: 'canceled' },
    };
  if (decision.next === 'requires_capture')
    return { transfers: [], change: { status: 'requires_capture' } };
  const fee = merchant === null ? 0n : feeForAmount(held.amount, merchant.record.feeBps);
  const transfers: TransferInput[] = [
    {
      id: newUuid(),
      pendingId,
      amount: held.amount,
      code: 'review_approved',
      flags: transferFlags.postPending,
    },
  ];
  if (fee > 0n && merchant !== null)
    transfers.push({
      id: newUuid(),
      debitAccountId: merchant.record.accountId,
      creditAccountId: merchant.feesAccountId,
      amount: fee,
      code: 'fee',
      flags: 0,
    });
  return { transfers, change: { status: 'succeeded', amountCaptured: held.amount, fee } };
}

/**
 * Voiding a hold the ledger already expired (its own expiry job got there first, or its
 * deadline fell a moment before the payment's) is refused as `hold_expired`, yet the money is
 * back with the payer: the payment is canceled all the same, never left under review.
 */
function alreadyReleased(change: PaymentChange, failure: string): boolean {
  return change.status === 'canceled' && failure === 'hold_expired';
}

/** Writes the verdict: the payment's new state, its journal event, and what the parties hear. */
function recordVerdict(
  effects: BatchEffects,
  held: PaymentRecord,
  change: PaymentChange,
  verdict: ReviewVerdict,
  now: Date,
): PaymentRecord {
  const reason =
    verdict === 'approve' ? null : verdict === 'decline' ? 'risk_declined' : 'review_expired';
  const full: PaymentChange = reason === null ? change : { ...change, cancellationReason: reason };
  addPaymentChange(effects, held.id, full, now);
  addJournalEvents(effects, [
    {
      type: 'risk.review_decided',
      streamId: held.id,
      data: { id: held.id, verdict, status: full.status },
    },
  ]);
  // The verdict is a label for the next training run (an expiry says nothing about fraud).
  if (verdict !== 'expire')
    addRiskLabel(effects, {
      paymentId: held.id,
      source: 'review_verdict',
      label: verdict === 'approve' ? 'legitimate' : 'fraud',
      note: null,
      at: now,
    });
  const updated: PaymentRecord = { ...held, ...full, updatedAt: now };
  const body = updated.kind === 'transfer' ? storedTransferView(updated) : paymentView(updated);
  recordPublicEvents(effects, [
    ...(updated.status === 'canceled' && updated.kind === 'transfer'
      ? []
      : paymentEvents(updated, body)),
    {
      type: verdict === 'approve' ? 'risk.review.approved' : 'risk.review.declined',
      object: body,
      userIds: updated.payerUserId === null ? [] : [updated.payerUserId],
      merchantId: updated.merchantId,
    },
  ]);
  return updated;
}

/** An operator's verdict (`POST /v1/admin/risk/reviews/{id}/approve|decline`), exactly once. */
export function reviewCommand(
  clock: Clock,
  request: {
    claim: IdempotencyClaim;
    requestId: string;
    paymentId: string;
    verdict: 'approve' | 'decline';
    merchant: ReviewMerchant;
  },
) {
  let held: PaymentRecord | null = null;
  let change: PaymentChange = {};
  return moneyCommand({
    claim: request.claim,
    exclusiveKeys: [`payment:${request.paymentId}`],
    async plan(client, effects) {
      held = await selectPayment(client, request.paymentId, { lock: true });
      if (held === null) return { response: rejection('resource_not_found', request.requestId) };
      const decision = decideReview(held, { verdict: request.verdict, now: clock.now() });
      if (!decision.ok) return { response: refusal(decision, request.requestId) };
      const planned = reviewTransfers(held, decision, request.merchant, clock.now());
      change = planned.change;
      if (planned.transfers.length === 0) {
        const updated = recordVerdict(effects, held, change, request.verdict, clock.now());
        return { response: { statusCode: 200, body: reviewView(updated) } };
      }
      return { transfers: planned.transfers };
    },
    settle(outcomes, effects) {
      if (held === null) return rejection('resource_not_found', request.requestId);
      const failure = chainRejection(outcomes);
      if (failure !== null && !alreadyReleased(change, failure))
        return rejection(failure, request.requestId);
      const updated = recordVerdict(effects, held, change, request.verdict, clock.now());
      return { statusCode: 200, body: reviewView(updated) };
    },
  });
}

/** The expiry job's command: a review past its deadline releases the held money. */
export function expireReviewCommand(clock: Clock, paymentId: string): LedgerCommand<boolean> {
  let held: PaymentRecord | null = null;
  let change: PaymentChange = {};
  return {
    exclusiveKeys: [`payment:${paymentId}`],
    async prepare(client) {
      held = await selectPayment(client, paymentId, { lock: true });
      if (held === null) return { result: false };
      const decision = decideReview(held, { verdict: 'expire', now: clock.now() });
      if (!decision.ok) return { result: false };
      const planned = reviewTransfers(held, decision, null, clock.now());
      change = planned.change;
      return { transfers: planned.transfers };
    },
    finish(outcomes: readonly TransferOutcome[], effects) {
      const failure = chainRejection(outcomes);
      if (held === null || (failure !== null && !alreadyReleased(change, failure))) return false;
      recordVerdict(effects, held, change, 'expire', clock.now());
      return true;
    },
  };
}

/** A payment in the review queue as the operator sees it. */
export function reviewView(p: PaymentRecord) {
  return {
    object: 'risk_review' as const,
    id: paymentWireId(p),
    payment: p.kind === 'transfer' ? storedTransferView(p) : paymentView(p),
    status: p.status,
    review_expires_at:
      p.status === 'under_review' ? (p.holdExpiresAt?.toISOString() ?? null) : null,
    // The operator sees the full decision, shadow or not, with its per-stage timings (not the
    // feature vector it was made on: that is for backtests).
    risk: operatorRisk(p.risk),
  };
}
