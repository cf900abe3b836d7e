import type { PublicEventType } from '@kassa/contracts';
import type { PublicEvent } from '../events/index.ts';
import { effectiveDecision } from '../risk/index.ts';
import type { PaymentRecord } from './payment-record.ts';

type WireObject = { readonly id: string } & Record<string, unknown>;

/**
 * The public events a payment's new state announces, each to the parties it concerns: a
 * transfer tells the sender it succeeded and the recipient they received it; a merchant
 * payment is visible to its payer and its merchant (whose webhooks get it).
 */
export function paymentEvents(
  p: PaymentRecord,
  sent: WireObject,
  type?: PublicEventType,
): PublicEvent[] {
  const object = sharedWithMerchant(p, sent);
  const parties = (users: (string | null)[]) => ({
    userIds: users.filter((u): u is string => u !== null),
    merchantId: p.merchantId,
  });
  if (type !== undefined) return [{ type, object, ...parties([p.payerUserId, p.payeeUserId]) }];
  switch (p.kind) {
    case 'transfer':
      if (p.status !== 'succeeded') return [];
      return [
        { type: 'transfer.succeeded', object, ...parties([p.payerUserId]) },
        // The recipient learns nothing of the risk signals about the sender.
        {
          type: 'transfer.received',
          object: { ...object, risk: null },
          ...parties([p.payeeUserId]),
        },
      ];
    case 'payment': {
      const byStatus: Partial<Record<PaymentRecord['status'], PublicEventType>> = {
        succeeded: 'payment.succeeded',
        requires_capture: 'payment.requires_capture',
        canceled: 'payment.canceled',
        failed: 'payment.failed',
      };
      const found = byStatus[p.status];
      return found === undefined ? [] : [{ type: found, object, ...parties([p.payerUserId]) }];
    }
    case 'topup':
      if (p.status !== 'succeeded' && p.status !== 'failed') return [];
      return [
        {
          type: p.status === 'succeeded' ? 'topup.succeeded' : 'topup.failed',
          object,
          ...parties([p.payerUserId]),
        },
      ];
    case 'payout':
      if (p.status !== 'succeeded' && p.status !== 'failed') return [];
      return [
        {
          type: p.status === 'succeeded' ? 'payout.paid' : 'payout.failed',
          object,
          ...parties([p.payerUserId]),
        },
      ];
    case 'funding':
      return [];
  }
}

const riskEventTypes = {
  block: 'risk.decision.blocked',
  review: 'risk.decision.review',
  step_up: 'risk.decision.step_up',
} as const satisfies Record<string, PublicEventType>;

/**
 * A risk decision other than allow, announced to the payer (their notification feed) and, for
 * a merchant payment, to the merchant (its webhooks). The recipient of a transfer is not told.
 */
export function riskDecisionEvents(p: PaymentRecord, sent: WireObject): PublicEvent[] {
  const object = sharedWithMerchant(p, sent);
  if (p.risk === null) return [];
  const decision = effectiveDecision(p.risk);
  if (decision === 'allow') return [];
  return [
    {
      type: riskEventTypes[decision],
      object,
      userIds: p.payerUserId === null ? [] : [p.payerUserId],
      merchantId: p.merchantId,
    },
  ];
}

/**
 * An event about a merchant payment goes to the payer and the merchant (its webhooks) as one
 * object: it carries the decision and score, not the reasons, which describe the payer's account.
 */
function sharedWithMerchant(p: PaymentRecord, object: WireObject): WireObject {
  const risk = object['risk'];
  if (p.merchantId === null || typeof risk !== 'object' || risk === null) return object;
  return { ...object, risk: { ...risk, reasons: [] } };
}
