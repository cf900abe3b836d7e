import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notificationsFor, type RuleInput } from './notification-rules.ts';

const options = {
  largePaymentMinor: 50_000,
  format: (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency}`,
};

function alerts(type: string, object: Record<string, unknown>, merchantId: string | null = null) {
  const event: RuleInput = { type, object, userIds: ['u1'], merchantId };
  return notificationsFor(event, options);
}

describe('notification rules', () => {
  it('a failed top-up says nothing was charged, unless the charge had to be refunded', () => {
    const declined = alerts('topup.failed', {
      amount: 1_000,
      currency: 'USD',
      failure_code: 'card_declined',
    });
    assert.equal(declined.length, 1);
    assert.match(declined[0]?.body ?? '', /10\.00 USD did not go through\. Nothing was charged\./);
    const refunded = alerts('topup.failed', {
      amount: 1_000,
      currency: 'USD',
      failure_code: 'amount_too_large',
    });
    assert.doesNotMatch(refunded[0]?.body ?? '', /Nothing was charged/);
    assert.match(refunded[0]?.body ?? '', /charge on your card was refunded/);
  });

  it('large payments warn their payer; small ones and unknown events raise nothing', () => {
    assert.equal(alerts('payment.succeeded', { amount: 50_000, currency: 'USD' }).length, 1);
    assert.equal(alerts('payment.succeeded', { amount: 49_999, currency: 'USD' }).length, 0);
    assert.equal(alerts('payment.created', { amount: 99_999, currency: 'USD' }).length, 0);
  });

  it('a disabled webhook endpoint tells its merchant only', () => {
    const out = alerts('webhook_endpoint.disabled', { url: 'https://shop.example/hooks' }, 'm1');
    assert.deepEqual(
      out.map((n) => n.recipient),
      [{ merchantId: 'm1' }],
    );
    assert.equal(alerts('webhook_endpoint.disabled', {}, null).length, 0);
  });
});
