import { assert } from '../../kernel/assert.ts';
import type { IdempotencyClaim } from '../idempotency/index.ts';
import { selectPayment } from '../payments/index.ts';
import { onProcessorEvent, resolveDue } from './flow-resolution.ts';
import { startPayout, startTopup, type PayoutRequest, type TopupRequest } from './flow-start.ts';
import { selectFlow, selectFlowByKey, type FlowKind } from './flow-store.ts';
import { railsContext, type RailsDeps } from './rails-context.ts';
import { flowView } from './rails-views.ts';

/**
 * Top-ups and payouts: payments that go through the processor, as atomic phases with recovery
 * points (Brandur Leach, "Implementing Stripe-like idempotency keys in Postgres"):
 *
 * 1. `started` — one transaction creates the payment and its flow (and a payout's hold on the
 *    wallet). The flow is the request's idempotency record.
 * 2. the processor call, with a key derived from the payment (`kassa_<kind>_<payment id>`), so
 *    every retry of this flow by any process is one call as far as the processor is concerned.
 * 3. `finished` — one transaction records the outcome: the ledger transfer (credit, post or
 *    void of the hold), the payment's status and a journal event.
 *
 * A crash between phases leaves a `started` flow; whoever comes next (the client retrying with
 * the same key, the worker, or a processor callback) resumes it. A call with no answer leaves
 * the payment `outcome_unknown`, never `failed`: the worker asks the processor what happened.
 * A captured top-up whose credit the ledger refuses (the wallet would pass 2^53 - 1) moves to
 * `refunding` in that same transaction: it is refunded at the processor, then `failed`.
 *
 * Each part lives in its own file, and all share one `RailsContext` built here: starting a flow
 * and driving it for a request (`flow-start.ts`), the processor calls (`processor-calls.ts`),
 * settling an attempt's outcome (`flow-settlement.ts`), recording a finished one
 * (`flow-finish.ts`), and resolving what is left open, by the worker or on a processor callback
 * (`flow-resolution.ts`).
 */
export function createRails(deps: RailsDeps) {
  const context = railsContext(deps);

  async function view(userId: string, kind: FlowKind, paymentId: string) {
    const payment = await selectPayment(deps.db.pool, paymentId, { kind });
    if (payment === null || payment.payerUserId !== userId) return null;
    const flow = await selectFlow(deps.db.pool, { paymentId });
    assert(flow !== null, 'a top-up or payout has its flow');
    return flowView(payment, flow);
  }

  /** Whether a flow already exists under this idempotency key (a retry resumes it). */
  async function knownFlow(claim: Pick<IdempotencyClaim, 'scope' | 'key'>): Promise<boolean> {
    return (await selectFlowByKey(deps.db.pool, claim.scope, claim.key)) !== null;
  }

  return {
    startTopup: (input: TopupRequest) => startTopup(context, input),
    startPayout: (input: PayoutRequest) => startPayout(context, input),
    resolveDue: (limit?: number) => resolveDue(context, limit),
    onProcessorEvent: (object: unknown) => onProcessorEvent(context, object),
    view,
    knownFlow,
  };
}

export type Rails = ReturnType<typeof createRails>;
