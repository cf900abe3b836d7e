import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskCardNumbers, maskCardNumbersDeep } from './card-data-masking.ts';

describe('card data masking', () => {
  it('masks card numbers written any usual way, keeping BIN and last 4', () => {
    assert.equal(maskCardNumbers('card 4242424242424242 thanks'), 'card 424242******4242 thanks');
    assert.equal(maskCardNumbers('4242 4242 4242 4242'), '4242 42** **** 4242');
    assert.equal(maskCardNumbers('4000-0000-0000-0002'), '4000-00**-****-0002');
    assert.equal(maskCardNumbers('amex 378282246310005.'), 'amex 378282*****0005.');
    assert.equal(maskCardNumbers('x4242424242424242y'), 'x424242******4242y');
  });

  it('removes base64 and hex encodings of a card number', () => {
    const digits = '4242424242424242';
    assert.equal(
      maskCardNumbers(`b64 ${Buffer.from(digits).toString('base64')}`),
      'b64 [card data removed]',
    );
    assert.equal(
      maskCardNumbers(`hex ${Buffer.from(digits).toString('hex')}`),
      'hex [card data removed]',
    );
    assert.equal(
      maskCardNumbers(Buffer.from('4242 4242 4242 4242').toString('base64url')),
      '[card data removed]',
    );
  });

  it('leaves ordinary text, amounts, ids and non-card digit strings alone', () => {
    for (const text of [
      'lunch with Bob',
      'order 12345678',
      'pay_01jd7w9k3c8v4t5e6r7y8z9a0b',
      '1234567890123',
      'phone +1 415 555 0100',
      'idem-key-4f1c2b3a-9d8e',
    ]) {
      assert.equal(maskCardNumbers(text), text);
    }
  });

  it('walks JSON, masks keys too, and spares exempt paths', () => {
    const body = {
      description: '4242424242424242',
      nested: [{ note: '4000 0000 0000 0002' }],
      '4242424242424242': 1,
      card: { number: '4242424242424242' },
    };
    assert.deepEqual(maskCardNumbersDeep(body, new Set(['card.number'])), {
      description: '424242******4242',
      nested: [{ note: '4000 00** **** 0002' }],
      '424242******4242': 1,
      card: { number: '4242424242424242' },
    });
  });
});
