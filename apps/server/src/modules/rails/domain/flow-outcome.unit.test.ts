import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessorPayout, ProcessorRefund } from './processor-objects.ts';
import { flowOutcome, refundOutcome } from './flow-outcome.ts';

const payout = (status: string): ProcessorPayout =>
  ({
    id: 'po_1',
    object: 'payout',
    status,
    amount: 600,
    currency: 'USD',
    failure_code: status === 'failed' ? 'no_account' : null,
  }) as unknown as ProcessorPayout;

const refund: ProcessorRefund = {
  id: 're_1',
  object: 'refund',
  status: 'succeeded',
  charge: 'ch_1',
  amount: 1_000,
  currency: 'USD',
};

describe('flowOutcome and refundOutcome (the processor’s answers)', () => {
  const expected = { kind: 'payout', amount: 600n, currency: 'USD' } as const;

  it('releases a payout’s hold only on the processor’s own "failed"', () => {
    const read = (status: string) =>
      flowOutcome(expected, { kind: 'answered', value: payout(status) }, 'unknown').result;
    assert.equal(read('paid'), 'succeeded');
    assert.equal(read('failed'), 'failed');
    assert.equal(read('in_transit'), 'unknown', 'a status it does not know is no failure');
  });

  it('counts a refund done only when the processor confirms this charge and amount', () => {
    const want = { charge: 'ch_1', amount: 1_000n, currency: 'USD' };
    assert.deepEqual(refundOutcome(want, { kind: 'answered', value: refund }), {
      result: 'refunded',
      refundId: 're_1',
    });
    for (const call of [
      { kind: 'answered', value: { ...refund, amount: 999 } },
      { kind: 'answered', value: { ...refund, charge: 'ch_2' } },
      { kind: 'rejected', status: 400, code: 'amount_too_large' },
      { kind: 'unknown', reason: 'timeout' },
      { kind: 'unavailable', retryAfterMs: 10 },
    ] as const)
      assert.equal(refundOutcome(want, call).result, 'unknown', JSON.stringify(call));
  });
});
