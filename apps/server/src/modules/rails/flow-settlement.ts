import { assert } from '../../kernel/assert.ts';
import type { Queryable } from '../../platform/db.ts';
import type { StoredResponse } from '../idempotency/index.ts';
import { appendEvents } from '../journal/index.ts';
import {
  paymentWireId,
  selectPayment,
  updatePayment,
  type PaymentRecord,
} from '../payments/index.ts';
import {
  refundOutcome,
  retryDelayMs,
  type FlowOutcome,
  type RefundOutcome,
} from './domain/flow-outcome.ts';
import { record } from './flow-finish.ts';
import { markActionRequired, releaseLease, selectFlow, type FlowRecord } from './flow-store.ts';
import type { RailsContext } from './rails-context.ts';
import { flowView } from './rails-views.ts';

/** A flow's answer after an attempt; `refundDue`: a captured top-up must now be refunded. */
export type Settled = StoredResponse & { readonly refundDue: boolean };

export type Settler = 'request' | 'worker' | 'callback';

/** After a request's attempt the worker may look at once; after its own attempt it backs off. */
function nextAttemptAt(context: RailsContext, flow: FlowRecord, by: Settler, now: Date): Date {
  const { random } = context;
  return by === 'worker' ? new Date(now.getTime() + retryDelayMs(flow.attempts, random())) : now;
}

/** The flow and its payment as the transaction now sees them. */
export async function reread(q: Queryable, paymentId: string) {
  const flow = await selectFlow(q, { paymentId });
  const payment = await selectPayment(q, paymentId);
  assert(flow !== null && payment !== null, 'the payment is still there');
  return { flow, payment };
}

/** Counts a flow finished just now and answers with its current state. */
function answer(
  { deps }: RailsContext,
  settled: { flow: FlowRecord; payment: PaymentRecord; finishedNow: boolean },
) {
  const { flow, payment } = settled;
  if (settled.finishedNow) {
    deps.onAccountsChanged?.([payment.payerAccountId, payment.payeeAccountId]);
    deps.metrics.payments.inc({
      kind: flow.kind,
      outcome: payment.status === 'succeeded' ? 'succeeded' : (payment.failureCode ?? 'failed'),
    });
  }
  return {
    statusCode: flow.recoveryPoint === 'finished' ? 201 : 202,
    body: flowView(payment, flow),
    refundDue: flow.recoveryPoint === 'refunding',
  };
}

/**
 * Records the outcome of a `started` flow. Safe against concurrent settlers: the flow row is
 * locked and checked, and a flow past `started` is never changed here.
 */
export async function settle(
  context: RailsContext,
  paymentId: string,
  outcome: FlowOutcome,
  by: Settler,
): Promise<Settled> {
  const { deps } = context;
  const now = deps.clock.now();
  // When the flow became outcome_unknown, if this settlement is what resolved it.
  let unknownSince: Date | null = null;
  const settled = await deps.db.transaction(async (client) => {
    unknownSince = null;
    const flow = await selectFlow(client, { paymentId }, { lock: true });
    assert(flow !== null, 'settling a known flow');
    const payment = await selectPayment(client, paymentId, { lock: true });
    assert(payment !== null, 'a flow has its payment');
    if (flow.recoveryPoint !== 'started') return { flow, payment, finishedNow: false };
    if (outcome.result === 'unknown' || outcome.result === 'action_required') {
      const status = outcome.result === 'unknown' ? 'outcome_unknown' : 'requires_action';
      const next = nextAttemptAt(context, flow, by, now);
      if (outcome.result === 'unknown') {
        await releaseLease(client, paymentId, now, next, outcome.reason);
      } else {
        await markActionRequired(client, paymentId, outcome.objectId, outcome.url, now, next);
      }
      // A charge waiting for the cardholder stays `requires_action` while the processor
      // cannot be asked: the next action is still the right one.
      if (payment.status !== status && payment.status !== 'requires_action') {
        await updatePayment(client, paymentId, { status }, now);
        await appendEvents(client, [
          {
            type:
              outcome.result === 'unknown' ? 'processor.outcome_unknown' : 'topup.requires_action',
            streamId: paymentId,
            data: {
              id: paymentId,
              kind: flow.kind,
              ...(outcome.result === 'unknown' ? { reason: outcome.reason } : {}),
            },
          },
        ]);
      }
      return { ...(await reread(client, paymentId)), finishedNow: false };
    }
    const finishedNow = await record(context, client, flow, payment, outcome, now);
    // The status changes only on the way in (see above), so `updatedAt` is when it went unknown.
    if (finishedNow && payment.status === 'outcome_unknown') unknownSince = payment.updatedAt;
    return { ...(await reread(client, paymentId)), finishedNow };
  });
  observeResolution(context, settled.flow, unknownSince, now);
  if (outcome.result === 'unknown' && settled.flow.recoveryPoint === 'started')
    deps.logger.warn({ payment: paymentId, reason: outcome.reason }, 'processor outcome unknown');
  return answer(context, settled);
}

/** Outcome-unknown SLO: how long a flow the settler just finished had been outcome_unknown. */
function observeResolution(
  { deps }: RailsContext,
  flow: FlowRecord,
  unknownSince: Date | null,
  now: Date,
): void {
  if (unknownSince === null) return;
  const seconds = Math.max(0, now.getTime() - unknownSince.getTime()) / 1000;
  deps.metrics.processorOutcomeUnknownResolution.observe({ kind: flow.kind }, seconds);
}

/**
 * The refund of a captured top-up the wallet cannot hold, holding the flow's lease. The key is
 * derived from the flow, so every attempt by anyone is one refund at the processor; only a
 * confirmed refund fails the top-up, anything else is tried again.
 */
export async function refundCapture(
  context: RailsContext,
  paymentId: string,
  by: Settler,
): Promise<Settled> {
  const { deps } = context;
  const { flow, payment } = await reread(deps.db.pool, paymentId);
  let outcome: RefundOutcome = { result: 'unknown', reason: 'no processor configured' };
  if (flow.recoveryPoint === 'refunding' && deps.processor !== null) {
    assert(flow.processorObjectId !== null, 'a refund knows its charge');
    const call = await deps.processor.refund(`${flow.processorKey}_refund`, {
      charge: flow.processorObjectId,
      amount: payment.amount,
      reference: paymentWireId(payment),
    });
    outcome = refundOutcome(
      { charge: flow.processorObjectId, amount: payment.amount, currency: payment.currency },
      call,
    );
  }
  const now = deps.clock.now();
  const settled = await deps.db.transaction(async (client) => {
    const locked = await selectFlow(client, { paymentId }, { lock: true });
    const current = await selectPayment(client, paymentId, { lock: true });
    assert(locked !== null && current !== null, 'a flow has its payment');
    if (locked.recoveryPoint !== 'refunding')
      return { flow: locked, payment: current, finishedNow: false };
    if (outcome.result === 'unknown') {
      const next = nextAttemptAt(context, locked, by, now);
      await releaseLease(client, paymentId, now, next, outcome.reason);
      return { ...(await reread(client, paymentId)), finishedNow: false };
    }
    const objectId = locked.processorObjectId;
    assert(objectId !== null, 'a refund knows its charge');
    const failed = { result: 'failed', code: 'amount_too_large', objectId } as const;
    await record(context, client, locked, current, failed, now, { refund: outcome.refundId });
    return { ...(await reread(client, paymentId)), finishedNow: true };
  });
  if (outcome.result === 'unknown' && settled.flow.recoveryPoint === 'refunding') {
    // A refusal replays under the same key: it needs a person (docs/runbook.md).
    const log = outcome.reason.startsWith('processor refused')
      ? deps.logger.error
      : deps.logger.warn;
    log.call(deps.logger, { payment: paymentId, reason: outcome.reason }, 'refund not confirmed');
  }
  return answer(context, settled);
}
