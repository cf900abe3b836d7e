import { assert } from '../../kernel/assert.ts';
import { paymentWireId, type PaymentRecord } from '../payments/index.ts';
import { flowOutcome, type FlowOutcome } from './domain/flow-outcome.ts';
import type { FlowRecord } from './flow-store.ts';
import type { ProcessorClient } from './processor-client.ts';
import type { RailsContext } from './rails-context.ts';

/** Where a payout goes: kept sealed in its flow (`bankBox`), opened only to call the processor. */
export interface BankAccount {
  readonly country: string;
  readonly account_number: string;
  readonly routing_number: string;
}

/** Phase 2 of a request: the processor call of a flow, read as the flow's outcome. */
export async function callProcessor(
  { deps }: RailsContext,
  flow: FlowRecord,
  payment: PaymentRecord,
): Promise<FlowOutcome> {
  const processor = deps.processor;
  if (processor === null) return { result: 'unknown', reason: 'no processor configured' };
  const expected = { kind: flow.kind, amount: payment.amount, currency: payment.currency };
  if (flow.kind === 'topup' && flow.processorObjectId !== null) {
    // The charge exists and waited for 3-D Secure: its current state, not the stored
    // answer to the original call, says whether the cardholder confirmed.
    return flowOutcome(expected, await processor.getCharge(flow.processorObjectId), 'unknown');
  }
  if (flow.kind === 'topup') {
    assert(flow.paymentMethodId !== null, 'a top-up has a card');
    const card = await deps.vault.revealForProcessor(flow.paymentMethodId, paymentWireId(payment));
    // A card removed after phase 1 may still have been charged by an earlier attempt: only
    // a lookup can tell, so the outcome stays unknown for the worker.
    if (card === null) return { result: 'unknown', reason: 'card no longer in the vault' };
    const call = await processor.charge(flow.processorKey, {
      amount: payment.amount,
      currency: payment.currency,
      card,
      reference: paymentWireId(payment),
    });
    return flowOutcome(expected, call, 'unknown');
  }
  assert(flow.bankAccountSealed !== null, 'a payout has a bank account');
  const bankAccount = JSON.parse(
    deps.bankBox.open(flow.bankAccountSealed).toString(),
  ) as BankAccount;
  const call = await processor.payout(flow.processorKey, {
    amount: payment.amount,
    currency: payment.currency,
    bankAccount,
    reference: paymentWireId(payment),
  });
  return flowOutcome(expected, call, 'unknown');
}

/**
 * What the processor recorded for a flow, read the way the worker reads it. A charge known by
 * id is read as it is now; so is one whose stored answer asked for 3-D Secure, since the
 * cardholder may have answered since. `neverSeen`: see `flowOutcome`.
 */
export async function askProcessor(
  processor: ProcessorClient,
  flow: FlowRecord,
  payment: PaymentRecord,
  neverSeen: 'failed' | 'unknown',
): Promise<FlowOutcome> {
  const expected = { kind: flow.kind, amount: payment.amount, currency: payment.currency };
  const chargeNow = async (id: string) =>
    flowOutcome(expected, await processor.getCharge(id), 'unknown');
  if (flow.kind === 'topup' && flow.processorObjectId !== null)
    return chargeNow(flow.processorObjectId);
  const outcome = flowOutcome(expected, await processor.lookup(flow.processorKey), neverSeen);
  return outcome.result === 'action_required' ? chargeNow(outcome.objectId) : outcome;
}
