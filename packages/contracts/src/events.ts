/**
 * Journal event types. These strings are a permanent contract: add new ones, never rename.
 * Ledger events are internal; the public webhook/event names of shared/API.md are listed
 * separately so the later outbox can map one to the other.
 */
export const journalEventTypes = [
  'ledger.account_opened',
  'ledger.transfer_posted',
  'payment.created',
  'payment.captured',
  'payment.canceled',
  'payment.refunded',
  'transfer.created',
  'wallet.funded',
  'user.signed_up',
  'merchant.created',
  'merchant.updated',
  'topup.started',
  'topup.requires_action',
  'topup.succeeded',
  'topup.failed',
  'topup.credit_refused',
  'payout.started',
  'payout.paid',
  'payout.failed',
  'processor.outcome_unknown',
  'risk.review_decided',
] as const;
export type JournalEventType = (typeof journalEventTypes)[number];

export const publicEventTypes = [
  'payment.succeeded',
  'payment.failed',
  'payment.requires_capture',
  'payment.captured',
  'payment.canceled',
  'refund.succeeded',
  'transfer.succeeded',
  'transfer.received',
  'topup.succeeded',
  'topup.failed',
  'payout.paid',
  'payout.failed',
  'device.added',
  'login.failed_burst',
  'merchant.updated',
  'webhook_endpoint.disabled',
  // Security changes to a user's account: the user is told of each (issue 11).
  'two_factor.enabled',
  'two_factor.disabled',
  'two_factor.recovery_codes_regenerated',
  'password.changed',
  // The fraud engine (issue 15): a decision other than allow, to the payer and the merchant.
  'risk.decision.blocked',
  'risk.decision.review',
  'risk.decision.step_up',
  'risk.review.approved',
  'risk.review.declined',
] as const;
export type PublicEventType = (typeof publicEventTypes)[number];
