import type {
  CallResult,
  ProcessorCharge,
  ProcessorPayout,
  ProcessorRefund,
} from './processor-objects.ts';

/** Where a top-up or payout stands after one exchange with the processor. */
export type FlowOutcome =
  | { readonly result: 'succeeded'; readonly objectId: string }
  | { readonly result: 'failed'; readonly code: string; readonly objectId: string | null }
  | { readonly result: 'action_required'; readonly objectId: string; readonly url: string }
  | { readonly result: 'unknown'; readonly reason: string };

interface Expected {
  readonly kind: 'topup' | 'payout';
  readonly amount: bigint;
  readonly currency: string;
}

/**
 * Maps the processor's answer to a flow outcome. A definite answer finishes the flow; anything
 * else leaves it unknown (never "failed" on a timeout: the charge may have happened).
 * `neverSeen` says what a lookup's "no such key" means: only a lookup by an idle flow, once no
 * live call can still arrive, may conclude that nothing happened.
 */
export function flowOutcome(
  expected: Expected,
  call: CallResult<ProcessorCharge | ProcessorPayout>,
  neverSeen: 'failed' | 'unknown',
): FlowOutcome {
  switch (call.kind) {
    case 'unknown':
      return { result: 'unknown', reason: call.reason };
    case 'unavailable':
      return { result: 'unknown', reason: 'processor circuit open' };
    case 'rejected':
      if (call.status === 404 && neverSeen === 'failed')
        return { result: 'failed', code: 'processor_unavailable', objectId: null };
      if (call.status === 404 || call.status === 422 || call.status === 401)
        return { result: 'unknown', reason: `processor refused the call: ${call.code}` };
      return { result: 'failed', code: call.code, objectId: null };
    case 'answered':
      return answered(expected, call.value);
  }
}

function answered(expected: Expected, value: ProcessorCharge | ProcessorPayout): FlowOutcome {
  const objectKind = expected.kind === 'topup' ? 'charge' : 'payout';
  if (value.object !== objectKind)
    return { result: 'unknown', reason: `expected a ${objectKind}, got a ${value.object}` };
  if (BigInt(value.amount) !== expected.amount || value.currency !== expected.currency)
    return {
      result: 'unknown',
      reason: `processor recorded ${value.amount} ${value.currency}, expected ${expected.amount} ${expected.currency}`,
    };
  if (value.object === 'payout') {
    // Only the processor's own "failed" releases the hold: anything else it might say is no
    // reason to give money back that the bank may have paid out.
    if (value.status === 'paid') return { result: 'succeeded', objectId: value.id };
    if (value.status === 'failed')
      return { result: 'failed', code: value.failure_code ?? 'payout_failed', objectId: value.id };
    return { result: 'unknown', reason: `payout is ${String(value.status)}` };
  }
  switch (value.status) {
    case 'succeeded':
      return { result: 'succeeded', objectId: value.id };
    case 'declined':
      return { result: 'failed', code: value.decline_code ?? 'card_declined', objectId: value.id };
    case 'requires_action':
      return value.next_action?.url === undefined
        ? { result: 'failed', code: 'authentication_required', objectId: value.id }
        : { result: 'action_required', objectId: value.id, url: value.next_action.url };
    case 'requires_capture':
    case 'canceled':
      return { result: 'unknown', reason: `charge is ${value.status}; top-ups capture at once` };
  }
  // A status this code does not know (the processor's, not ours): wait, never guess.
  return {
    result: 'unknown',
    reason: `charge is ${String((value as { status: unknown }).status)}`,
  };
}

/** Where the refund of a captured top-up stands: only a processor's confirmation is definite. */
export type RefundOutcome =
  | { readonly result: 'refunded'; readonly refundId: string }
  | { readonly result: 'unknown'; readonly reason: string };

/**
 * Maps the processor's answer to a refund. A refusal is not a result either: the same key
 * replays the same refusal, so the flow stays open (and visible) until someone looks.
 */
export function refundOutcome(
  expected: { readonly charge: string; readonly amount: bigint; readonly currency: string },
  call: CallResult<ProcessorRefund>,
): RefundOutcome {
  switch (call.kind) {
    case 'unknown':
      return { result: 'unknown', reason: call.reason };
    case 'unavailable':
      return { result: 'unknown', reason: 'processor circuit open' };
    case 'rejected':
      return { result: 'unknown', reason: `processor refused the refund: ${call.code}` };
    case 'answered': {
      const refund = call.value;
      if (
        refund.object !== 'refund' ||
        refund.status !== 'succeeded' ||
        refund.charge !== expected.charge ||
        BigInt(refund.amount) !== expected.amount ||
        refund.currency !== expected.currency
      )
        return { result: 'unknown', reason: `unexpected refund answer ${JSON.stringify(refund)}` };
      return { result: 'refunded', refundId: refund.id };
    }
  }
}

/** Exponential backoff with full jitter for the next attempt at an unknown outcome, in ms. */
export function retryDelayMs(attempts: number, random: number): number {
  const ceiling = Math.min(60_000, 500 * 2 ** Math.min(attempts, 10));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}
