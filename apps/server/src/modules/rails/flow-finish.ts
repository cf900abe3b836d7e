import { assert } from '../../kernel/assert.ts';
import type { DbClient } from '../../platform/db.ts';
import { appendPublicEvents } from '../events/index.ts';
import { appendEvents } from '../journal/index.ts';
import { transferFlags, type TransferInput } from '../ledger/index.ts';
import { paymentEvents, updatePayment, type PaymentRecord } from '../payments/index.ts';
import type { FlowOutcome } from './domain/flow-outcome.ts';
import { markFinished, markRefunding, type FlowKind, type FlowRecord } from './flow-store.ts';
import type { RailsContext } from './rails-context.ts';
import { flowView } from './rails-views.ts';

/**
 * Phase 3, inside the settler's transaction: the ledger transfer, the payment's status and the
 * events of a definite outcome, and the flow marked `finished`. False when the ledger refuses a
 * captured top-up's credit: the flow then owes a refund instead (see `refundDue`).
 */
export async function record(
  { deps }: RailsContext,
  client: DbClient,
  flow: FlowRecord,
  payment: PaymentRecord,
  outcome: Extract<FlowOutcome, { result: 'succeeded' | 'failed' }>,
  now: Date,
  detail: Record<string, string> = {},
): Promise<boolean> {
  const succeeded = outcome.result === 'succeeded';
  const transfer = ledgerEffect(flow, payment, succeeded);
  if (transfer !== null) {
    const [result] = await deps.ledger.postInTransaction(client, [transfer]);
    if (
      transfer.code === 'topup' &&
      result?.status === 'rejected' &&
      (result.code === 'overflows_credits' || result.code === 'overflows_debits')
    ) {
      assert(outcome.objectId !== null, 'a captured charge has an id');
      await refundDue(client, payment, outcome.objectId, result.code, now);
      return false;
    }
    assert(
      result?.status === 'created',
      `the ledger accepts a finished ${flow.kind}: ${result?.status === 'rejected' ? result.code : 'no outcome'}`,
    );
  }
  await updatePayment(
    client,
    payment.id,
    succeeded
      ? { status: 'succeeded', amountCaptured: payment.amount }
      : { status: 'failed', failureCode: outcome.code },
    now,
  );
  await markFinished(client, flow.paymentId, outcome.objectId, now);
  const finished: PaymentRecord = succeeded
    ? { ...payment, status: 'succeeded', amountCaptured: payment.amount, updatedAt: now }
    : { ...payment, status: 'failed', failureCode: outcome.code, updatedAt: now };
  await appendPublicEvents(
    client,
    paymentEvents(
      finished,
      flowView(finished, { ...flow, recoveryPoint: 'finished', actionUrl: null }),
    ),
  );
  await appendEvents(client, [
    {
      type: eventType(flow.kind, succeeded),
      streamId: payment.id,
      data: {
        id: payment.id,
        amount: payment.amount,
        currency: payment.currency,
        processor_object: outcome.objectId,
        ...(succeeded ? {} : { failure_code: outcome.code }),
        ...detail,
      },
    },
  ]);
  return true;
}

/**
 * The card was captured but the wallet cannot take the credit: the flow moves to `refunding`
 * in this transaction, so no later attempt can credit it after all. Nothing moved in Kassa.
 */
async function refundDue(
  client: DbClient,
  payment: PaymentRecord,
  chargeId: string,
  reason: string,
  now: Date,
): Promise<void> {
  await markRefunding(client, payment.id, chargeId, `ledger refused the credit: ${reason}`, now);
  if (payment.status !== 'processing')
    await updatePayment(client, payment.id, { status: 'processing' }, now);
  await appendEvents(client, [
    {
      type: 'topup.credit_refused',
      streamId: payment.id,
      data: {
        id: payment.id,
        amount: payment.amount,
        currency: payment.currency,
        processor_object: chargeId,
        reason,
      },
    },
  ]);
}

/** The ledger transfer that finishes a flow (null: a failed top-up moved nothing). */
function ledgerEffect(
  flow: FlowRecord,
  payment: PaymentRecord,
  succeeded: boolean,
): TransferInput | null {
  if (flow.kind === 'topup') {
    if (!succeeded) return null;
    return {
      id: flow.ledgerTransferId,
      debitAccountId: payment.payerAccountId,
      creditAccountId: payment.payeeAccountId,
      amount: payment.amount,
      code: 'topup',
      flags: 0,
    };
  }
  assert(flow.holdTransferId !== null, 'a payout has a hold');
  return {
    id: flow.ledgerTransferId,
    pendingId: flow.holdTransferId,
    amount: 0n,
    code: succeeded ? 'payout' : 'payout_failed',
    flags: succeeded ? transferFlags.postPending : transferFlags.voidPending,
  };
}

function eventType(kind: FlowKind, succeeded: boolean) {
  if (kind === 'topup') return succeeded ? ('topup.succeeded' as const) : ('topup.failed' as const);
  return succeeded ? ('payout.paid' as const) : ('payout.failed' as const);
}
