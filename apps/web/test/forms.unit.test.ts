import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatMoney, parseMoney } from '../src/money.ts';
import { parsePayload } from '../src/pay-code.ts';

it('amounts typed by people become minor units, or are refused', () => {
  assert.equal(parseMoney('12.50', 'USD'), 1250);
  assert.equal(parseMoney('12,5', 'EUR'), 1250);
  assert.equal(parseMoney(' 7 ', 'USD'), 700);
  assert.equal(parseMoney('100', 'JPY'), 100);
  assert.equal(parseMoney('1.234', 'KWD'), 1234);
  for (const bad of ['', '0', '0.00', '-5', '12.345', 'abc', '1e3', '12.5.0', '１２'])
    assert.equal(parseMoney(bad, 'USD'), null, bad);
  assert.equal(parseMoney('1.5', 'JPY'), null, 'JPY has no minor unit');
  assert.equal(formatMoney(1250, 'USD'), '$12.50');
  assert.equal(formatMoney(100, 'JPY'), '¥100');
});

it('merchant payment codes are read strictly', () => {
  const merchant = `mer_${'0'.repeat(26)}`;
  assert.deepEqual(
    parsePayload(`kassa:pay?merchant=${merchant}&amount=1250&currency=USD&description=Coffee`),
    {
      merchant,
      amount: 1250,
      currency: 'USD',
      description: 'Coffee',
    },
  );
  assert.deepEqual(
    parsePayload(`https://pay.example/x?merchant=${merchant}&amount=5&currency=EUR`),
    {
      merchant,
      amount: 5,
      currency: 'EUR',
    },
  );
  for (const bad of [
    'hello',
    `kassa:pay?merchant=usr_${'0'.repeat(26)}&amount=1&currency=USD`,
    `kassa:pay?merchant=${merchant}&amount=0&currency=USD`,
    `kassa:pay?merchant=${merchant}&amount=1.5&currency=USD`,
    `kassa:pay?merchant=${merchant}&amount=10&currency=usd`,
    `kassa:pay?merchant=${merchant}&currency=USD`,
  ])
    assert.equal(parsePayload(bad), null, bad);
});
