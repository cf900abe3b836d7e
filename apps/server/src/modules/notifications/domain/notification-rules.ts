/** An event as the rules see it: type, object, readers. */
export interface RuleInput {
  readonly type: string;
  readonly object: Record<string, unknown>;
  readonly userIds: readonly string[];
  readonly merchantId: string | null;
}

export interface NotificationDraft {
  readonly recipient: { readonly userId: string } | { readonly merchantId: string };
  readonly type:
    | 'money_received'
    | 'large_payment'
    | 'refund_received'
    | 'topup_succeeded'
    | 'topup_failed'
    | 'payout_paid'
    | 'payout_failed'
    | 'new_device'
    | 'login_failed_burst'
    | 'webhook_endpoint_disabled'
    | 'security_change'
    | 'risk_blocked'
    | 'risk_review'
    | 'risk_step_up'
    | 'risk_review_approved'
    | 'risk_review_declined';
  readonly title: string;
  readonly body: string;
}

const securityTitles: Readonly<Record<string, string | undefined>> = {
  'two_factor.enabled': 'Two-step verification turned on',
  'two_factor.disabled': 'Two-step verification turned off',
  'two_factor.recovery_codes_regenerated': 'New recovery codes made',
  'password.changed': 'Password changed',
};

/** Formats a wire amount (minor units) for a sentence; the exponent comes with the caller. */
export type FormatAmount = (amountMinor: number, currency: string) => string;

/**
 * Which alerts an event raises and for whom. Pure: the consumer supplies the formatter and the
 * large-payment threshold. A transfer's `transfer.received` goes to its recipient only (the
 * sender gets `transfer.succeeded`, which is not an alert); a payment at or above the threshold
 * warns its payer.
 */
export function notificationsFor(
  event: RuleInput,
  options: { largePaymentMinor: number; format: FormatAmount },
): NotificationDraft[] {
  const o = event.object;
  const amount =
    typeof o['amount'] === 'number' && typeof o['currency'] === 'string'
      ? options.format(o['amount'], o['currency'])
      : '';
  const users = (draft: Omit<NotificationDraft, 'recipient'>) =>
    event.userIds.map((userId) => ({ ...draft, recipient: { userId } }));
  switch (event.type) {
    case 'transfer.received':
      return users({
        type: 'money_received',
        title: 'Money received',
        body: `You received ${amount}.`,
      });
    case 'payment.succeeded':
      return typeof o['amount'] === 'number' && o['amount'] >= options.largePaymentMinor
        ? users({
            type: 'large_payment',
            title: 'Large payment',
            body: `You paid ${amount}. If this was not you, contact support now.`,
          })
        : [];
    case 'refund.succeeded':
      return users({
        type: 'refund_received',
        title: 'Refund',
        body: `A refund of ${amount} is in your wallet.`,
      });
    case 'topup.succeeded':
      return users({
        type: 'topup_succeeded',
        title: 'Top-up done',
        body: `${amount} added to your wallet.`,
      });
    case 'topup.failed':
      return users({
        type: 'topup_failed',
        title: 'Top-up failed',
        // `amount_too_large`: the card was charged but the wallet could not take it, so the
        // charge was refunded (rails-flows `refunding`): "nothing was charged" would be wrong.
        body:
          event.object['failure_code'] === 'amount_too_large'
            ? `Your top-up of ${amount} could not be added to your wallet. The charge on your card was refunded.`
            : `Your top-up of ${amount} did not go through. Nothing was charged.`,
      });
    case 'payout.paid':
      return users({
        type: 'payout_paid',
        title: 'Payout sent',
        body: `${amount} is on its way to your bank.`,
      });
    case 'payout.failed':
      return users({
        type: 'payout_failed',
        title: 'Payout failed',
        body: `Your payout of ${amount} failed; the money is back in your wallet.`,
      });
    case 'device.added':
      return users({
        type: 'new_device',
        title: 'New device',
        body: `A new device was added to your account${typeof o['name'] === 'string' ? `: ${o['name']}` : ''}. If this was not you, change your password.`,
      });
    case 'login.failed_burst':
      return users({
        type: 'login_failed_burst',
        title: 'Sign-in attempts',
        body: 'There were many failed attempts to sign in to your account; sign-in from where they came from is paused for 30 minutes. If this was not you, consider changing your password.',
      });
    case 'two_factor.enabled':
    case 'two_factor.disabled':
    case 'two_factor.recovery_codes_regenerated':
    case 'password.changed':
      return users({
        type: 'security_change',
        title: securityTitles[event.type] ?? 'Security change',
        body: `${securityTitles[event.type] ?? 'A security change'} on your account; your other sessions were signed out. If this was not you, contact support now.`,
      });
    case 'risk.decision.blocked':
      return users({
        type: 'risk_blocked',
        title: 'Payment blocked',
        body: `We blocked a payment of ${amount} to protect your account; nothing was taken. If you made it, contact support. If you did not, change your password now.`,
      });
    case 'risk.decision.review':
      return users({
        type: 'risk_review',
        title: 'Payment on hold',
        body: `Your payment of ${amount} is on hold for a quick check. The money is reserved, not sent; you will hear from us when it is decided.`,
      });
    case 'risk.decision.step_up':
      return users({
        type: 'risk_step_up',
        title: 'Confirm your payment',
        body: `Confirm your payment of ${amount} with your authenticator code to send it.`,
      });
    case 'risk.review.approved':
      return users({
        type: 'risk_review_approved',
        title: 'Payment approved',
        body: `Your payment of ${amount} was checked and sent.`,
      });
    case 'risk.review.declined':
      return users({
        type: 'risk_review_declined',
        title: 'Payment declined',
        body: `Your payment of ${amount} was declined after a check; the money is back in your wallet.`,
      });
    case 'webhook_endpoint.disabled':
      return event.merchantId === null
        ? []
        : [
            {
              recipient: { merchantId: event.merchantId },
              type: 'webhook_endpoint_disabled',
              title: 'Webhook endpoint disabled',
              body: `Deliveries to ${typeof o['url'] === 'string' ? o['url'] : 'your endpoint'} failed for days, so it is disabled; its events wait in the dead-letter list. Fix the receiver, then retry them.`,
            },
          ];
    default:
      return [];
  }
}
