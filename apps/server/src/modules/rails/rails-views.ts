import { encodeId } from '../../kernel/ids.ts';
import { paymentWireId, wireAmount, type PaymentRecord } from '../payments/index.ts';
import type { FlowRecord } from './flow-store.ts';
import { publicRisk } from '../risk/index.ts';

/** What a client may do about a top-up or payout in its current state. */
function nextAction(p: PaymentRecord, flow: FlowRecord) {
  if (p.status === 'requires_action' && flow.actionUrl !== null)
    return {
      type: 'authenticate_card' as const,
      url: flow.actionUrl,
      message:
        'Your bank asks you to confirm this payment. Open the link, then retry with the same Idempotency-Key.',
    };
  if (p.status === 'outcome_unknown' || p.status === 'processing')
    return {
      type: 'retry' as const,
      message: 'Retry with the same Idempotency-Key, or wait: Kassa resolves it.',
    };
  return null;
}

export function topupView(p: PaymentRecord, flow: FlowRecord) {
  return {
    id: paymentWireId(p),
    object: 'topup' as const,
    status: p.status,
    amount: wireAmount(p.amount),
    currency: p.currency,
    wallet: encodeId('wal', p.payeeAccountId),
    payment_method: flow.paymentMethodId === null ? null : encodeId('pm', flow.paymentMethodId),
    failure_code: p.failureCode,
    next_action: nextAction(p, flow),
    risk: publicRisk(p.risk),
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

export function payoutView(p: PaymentRecord, flow: FlowRecord) {
  return {
    id: paymentWireId(p),
    object: 'payout' as const,
    status: p.status,
    amount: wireAmount(p.amount),
    currency: p.currency,
    wallet: encodeId('wal', p.payerAccountId),
    bank_account: { last4: flow.bankLast4 },
    failure_code: p.failureCode,
    next_action: nextAction(p, flow),
    risk: publicRisk(p.risk),
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

export function flowView(p: PaymentRecord, flow: FlowRecord) {
  return flow.kind === 'topup' ? topupView(p, flow) : payoutView(p, flow);
}
