import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  allocate,
  amountMinorMax,
  feeForAmount,
  formatMoney,
  isCurrency,
  isValidAmountMinor,
} from './money.ts';

describe('money', () => {
  it('allocate always returns parts that add up to the amount exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: amountMinorMax }),
        fc
          .array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 8 })
          .filter((w) => w.some((x) => x > 0)),
        (amount, weights) => {
          const parts = allocate(amount, weights);
          assert.equal(
            parts.reduce((a, b) => a + b, 0n),
            amount,
          );
          parts.forEach((part, i) => {
            assert.ok(part >= 0n);
            if (weights[i] === 0) assert.equal(part, 0n);
          });
        },
      ),
    );
  });

  it('allocate gives the remainder to the earliest parts', () => {
    assert.deepEqual(allocate(100n, [1, 1, 1]), [34n, 33n, 33n]);
    assert.deepEqual(allocate(5n, [0, 1, 1]), [0n, 3n, 2n]);
  });

  it('fee is rounded down and never exceeds the amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: amountMinorMax }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, bps) => {
          const fee = feeForAmount(amount, bps);
          assert.ok(fee >= 0n && fee <= amount);
          assert.ok(fee * 10_000n <= amount * BigInt(bps));
          assert.ok((fee + 1n) * 10_000n > amount * BigInt(bps));
        },
      ),
    );
    assert.equal(feeForAmount(1250n, 290), 36n);
  });

  it('formats by the currency exponent', () => {
    assert.equal(formatMoney({ amountMinor: 1050n, currency: 'USD' }), '10.50 USD');
    assert.equal(formatMoney({ amountMinor: 5n, currency: 'USD' }), '0.05 USD');
    assert.equal(formatMoney({ amountMinor: 1050n, currency: 'JPY' }), '1050 JPY');
    assert.equal(formatMoney({ amountMinor: 1050n, currency: 'KWD' }), '1.050 KWD');
    assert.equal(formatMoney({ amountMinor: -1050n, currency: 'EUR' }), '-10.50 EUR');
  });

  it('knows which currencies and amounts are valid', () => {
    assert.ok(isCurrency('USD'));
    assert.ok(!isCurrency('usd'));
    assert.ok(!isCurrency('XXX'));
    assert.ok(!isCurrency('__proto__'));
    assert.ok(isValidAmountMinor(1n));
    assert.ok(!isValidAmountMinor(0n));
    assert.ok(!isValidAmountMinor(amountMinorMax + 1n));
  });
});
