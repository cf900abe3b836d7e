import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { luhnValid } from '../../../kernel/luhn.ts';
import { cardBrand, checkCard, normalizeCardNumber } from './card-number.ts';

const now = new Date('2026-11-23T00:00:00Z');
const valid = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2030, cvc: '123' };

describe('card checks', () => {
  it('knows the test cards of API.md and their brands', () => {
    for (const number of [
      '4242424242424242',
      '4000000000000002',
      '4000000000009995',
      '4000000000003220',
      '4000000000000119',
    ]) {
      assert.ok(luhnValid(number), number);
      assert.equal(cardBrand(number), 'visa');
    }
    assert.equal(cardBrand('5555555555554444'), 'mastercard');
    assert.equal(cardBrand('2223003122003222'), 'mastercard');
    assert.equal(cardBrand('378282246310005'), 'amex');
    assert.equal(cardBrand('6011111111111117'), 'discover');
    assert.equal(cardBrand('9999999999999995'), null);
  });

  it('Luhn catches every single-digit change', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 1, max: 9 }),
        (position, delta) => {
          const digits = '4242424242424242'.split('');
          digits[position] = String((Number(digits[position]) + delta) % 10);
          assert.equal(luhnValid(digits.join('')), false);
        },
      ),
    );
  });

  it('accepts spaces and dashes, nothing else', () => {
    assert.equal(normalizeCardNumber('4242-4242-4242-4242'), '4242424242424242');
    assert.equal(normalizeCardNumber('4242.4242.4242.4242'), null);
    assert.equal(normalizeCardNumber('42424242424'), null);
  });

  it('refuses bad numbers, brands, expiries and security codes', () => {
    assert.equal(checkCard(valid, now).ok, true);
    const cases: [Partial<typeof valid>, string][] = [
      [{ number: '4242424242424241' }, 'invalid_number'],
      [{ number: '9999999999999995' }, 'unsupported_brand'],
      [{ exp_year: 2026, exp_month: 10 }, 'expired_card'],
      [{ exp_month: 13 }, 'invalid_expiry'],
      [{ exp_year: 2099 }, 'invalid_expiry'],
      [{ cvc: '12' }, 'invalid_cvc'],
      [{ cvc: '1234' }, 'invalid_cvc'],
      [{ number: '378282246310005', cvc: '123' }, 'invalid_cvc'],
    ];
    for (const [change, code] of cases) {
      const result = checkCard({ ...valid, ...change }, now);
      assert.deepEqual(result, { ok: false, code }, JSON.stringify(change));
    }
    assert.equal(
      checkCard({ ...valid, exp_year: 2026, exp_month: 11 }, now).ok,
      true,
      'valid through its expiry month',
    );
    assert.equal(checkCard({ ...valid, exp_year: 30 }, now).ok, true, 'two-digit years');
  });
});
