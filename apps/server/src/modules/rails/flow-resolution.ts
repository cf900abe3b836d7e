import { assert } from '../../kernel/assert.ts';
import { encodeId } from '../../kernel/ids.ts';
import {
  activeContext,
  inSpan,
  noTracer,
  withScope,
  type TraceScope,
} from '../../platform/tracing.ts';
import { paymentWireId, selectPayment } from '../payments/index.ts';
import { refundCapture, reread, settle, type Settled } from './flow-settlement.ts';
import { selectDueFlows, selectFlow, takeLease } from './flow-store.ts';
import { askProcessor } from './processor-calls.ts';
import type { ProcessorClient } from './processor-client.ts';
import type { RailsContext } from './rails-context.ts';
import type { PaymentRecord } from '../payments/index.ts';

/** Resolves idle unfinished flows by asking the processor what it recorded. */
export async function resolveDue(
  context: RailsContext,
  limit = 50,
): Promise<{ resolved: number; unknown: number }> {
  const { deps } = context;
  const processor = deps.processor;
  if (processor === null) return { resolved: 0, unknown: 0 };
  const now = deps.clock.now();
  const ids = await selectDueFlows(
    deps.db.pool,
    now,
    new Date(now.getTime() - deps.resolveAfterSeconds * 1000),
    limit,
  );
  let resolved = 0;
  let unknown = 0;
  for (const id of ids) {
    const at = deps.clock.now();
    if (!(await takeLease(deps.db.pool, id, at, context.leaseFrom(at)))) continue;
    // A trace of its own, found by the payment's id (`kassa trace top_…`).
    const scope: TraceScope = { requestId: null, actor: null };
    const response = await inSpan(
      deps.tracer ?? noTracer,
      'flow.resolve',
      { parent: withScope(activeContext(), scope) },
      (span) =>
        resolveOne(context, processor, id, at, (payment) => {
          span.setAttribute('kassa.object_id', paymentWireId(payment));
          scope.actor = payment.payerUserId === null ? null : encodeId('usr', payment.payerUserId);
        }),
    );
    if (response.statusCode === 201) resolved += 1;
    else unknown += 1;
  }
  return { resolved, unknown };
}

/** One idle flow, holding its lease: a refund owed is retried, anything else looked up. */
async function resolveOne(
  context: RailsContext,
  processor: ProcessorClient,
  id: string,
  at: Date,
  onPayment: (payment: PaymentRecord) => void,
): Promise<Settled> {
  const { deps } = context;
  const { flow, payment } = await reread(deps.db.pool, id);
  onPayment(payment);
  if (flow.recoveryPoint === 'refunding') return refundCapture(context, id, 'worker');
  // The lease lapsed and the flow sat idle: no call of ours can still reach the processor,
  // so "never seen" means nothing happened, and the flow is failed (a payout's hold voided).
  let outcome = await askProcessor(processor, flow, payment, 'failed');
  if (
    outcome.result === 'action_required' &&
    at.getTime() - payment.updatedAt.getTime() >= deps.authenticationTimeoutMs
  ) {
    // The cardholder never confirmed: cancel the authorization, then fail the top-up.
    const voided = await processor.voidCharge(outcome.objectId, `${flow.processorKey}_void`);
    outcome =
      voided.kind === 'answered' && voided.value.status === 'canceled'
        ? { result: 'failed', code: 'authentication_timeout', objectId: outcome.objectId }
        : {
            result: 'unknown',
            reason: `could not cancel the unconfirmed charge (${voided.kind})`,
          };
  }
  const settled = await settle(context, id, outcome, 'worker');
  return settled.refundDue ? refundCapture(context, id, 'worker') : settled;
}

/**
 * A processor callback whose signature verified. It is only a hint about which flow to look
 * at: whoever holds the callback key could claim anything in it, so Kassa asks the processor
 * itself, as the worker does, and records that answer, and only a definite one. An unknown
 * flow, an unreachable processor or an open question change nothing; the worker resolves
 * them later. A key the processor does not know is no failure here: a call may be on its way.
 */
export async function onProcessorEvent(context: RailsContext, object: unknown) {
  const { deps } = context;
  const key =
    typeof object === 'object' && object !== null
      ? (object as { idempotency_key?: unknown }).idempotency_key
      : undefined;
  if (typeof key !== 'string') return 'ignored' as const;
  const flow = await selectFlow(deps.db.pool, { processorKey: key });
  if (flow === null) return 'ignored' as const;
  if (flow.recoveryPoint === 'finished') return 'already_finished' as const;
  const processor = deps.processor;
  if (flow.recoveryPoint === 'refunding' || processor === null) return 'unresolved' as const;
  const payment = await selectPayment(deps.db.pool, flow.paymentId);
  assert(payment !== null, 'a flow has its payment');
  const outcome = await askProcessor(processor, flow, payment, 'unknown');
  if (outcome.result !== 'succeeded' && outcome.result !== 'failed') return 'unresolved' as const;
  let settled = await settle(context, flow.paymentId, outcome, 'callback');
  const now = deps.clock.now();
  // A refund is owed: refund now unless a request or the worker is already driving the flow.
  if (
    settled.refundDue &&
    (await takeLease(deps.db.pool, flow.paymentId, now, context.leaseFrom(now)))
  )
    settled = await refundCapture(context, flow.paymentId, 'callback');
  return settled.statusCode === 201 ? ('finished' as const) : ('unresolved' as const);
}
