import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containsCardNumber,
  isCardLikeNumber,
  maskCardNumbers,
  maskCardNumbersDeep,
} from './card-data-masking.ts';

describe('card data masking', () => {
  it('masks card numbers written any usual way, keeping BIN and last 4', () => {
    assert.equal(maskCardNumbers('card 4242424242424242 thanks'), 'card 424242******4242 thanks');
    assert.equal(maskCardNumbers('4242 4242 4242 4242'), '4242 42** **** 4242');
    assert.equal(maskCardNumbers('4000-0000-0000-0002'), '4000-00**-****-0002');
    assert.equal(maskCardNumbers('amex 378282246310005.'), 'amex 378282*****0005.');
    assert.equal(maskCardNumbers('x4242424242424242y'), 'x424242******4242y');
  });

  it('reads numbers as a person would: any separators, any spaces, digits of any script', () => {
    const forms = {
      dots: '4242.4242.4242.4242',
      slashes: '4242/4242/4242/4242',
      'repeated spaces': '4242   4242  4242 4242',
      'no-break spaces': '4242\u00a04242\u00a04242\u00a04242',
      'thin and ideographic spaces': '4242\u20094242\u30004242\u202f4242',
      'zero-width spaces': '4242\u200b4242\u200b4242\u200b4242',
      'soft hyphens': '4242\u00ad4242\u00ad4242\u00ad4242',
      'en dashes and underscores': '4242\u20134242_4242\u20144242',
      'full-width digits': '４２４２４２４２４２４２４２４２',
      'full-width with full-width dots': '４２４２．４２４２．４２４２．４２４２',
      'Arabic-Indic digits': '٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢',
      'Devanagari digits': '४२४२४२४२४२४२४२४२',
      'mathematical bold digits': '𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐',
    };
    for (const [form, text] of Object.entries(forms)) {
      const masked = maskCardNumbers(`card ${text} ok`);
      assert.notEqual(masked, `card ${text} ok`, form);
      assert.equal([...masked].filter((c) => c === '*').length, 6, `${form}: ${masked}`);
      assert.ok(containsCardNumber(text), form);
    }
  });

  it('tells a JSON number written with a card number’s digits, whatever its sign or point', () => {
    assert.equal(isCardLikeNumber(4242424242424242), true);
    assert.equal(isCardLikeNumber(378282246310005), true);
    assert.equal(isCardLikeNumber(2222420000001113), true, 'Mastercard 2-series');
    assert.equal(isCardLikeNumber(8171999927660000), true, 'UnionPay 81');
    assert.equal(isCardLikeNumber(-4242424242424242), true, 'negative');
    assert.equal(isCardLikeNumber(4242424242.424242), true, 'with a decimal point');
    assert.equal(isCardLikeNumber(1050), false);
    assert.equal(isCardLikeNumber(9007199254740991), false);
    assert.equal(isCardLikeNumber(4242424242424241), false, 'fails Luhn');
  });

  it('finds the forms a person reads as a card number (the review’s list)', () => {
    const hidden = {
      'Mastercard 2-series': '2222 4200 0000 1113',
      'UnionPay 81': '8171 9999 2766 0000',
      'four spaces': '5555    5555    5555    4444',
      tabs: '5555\t5555\t5555\t4444',
      'line break and indentation': '5555 5555\n        5555 4444',
      'emoji separators': '4012💳8888💳8888💳1881',
      keycaps: '4️⃣2️⃣4️⃣2️⃣4️⃣2️⃣4️⃣2️⃣4️⃣2️⃣4️⃣2️⃣4️⃣2️⃣4️⃣2️⃣',
      superscripts: '⁴²⁴²⁴²⁴²⁴²⁴²⁴²⁴²',
      'circled digits': '④②④②④②④②④②④②④②④②',
      'negative circled digits': '❹❷❹❷❹❷❹❷❹❷❹❷❹❷❹❷',
      'sans-serif circled digits': '➃➁➃➁➃➁➃➁➃➁➃➁➃➁➃➁',
      'negative sans-serif circled digits': '➍➋➍➋➍➋➍➋➍➋➍➋➍➋➍➋',
      'double circled digits': '⓸⓶⓸⓶⓸⓶⓸⓶⓸⓶⓸⓶⓸⓶⓸⓶',
      'digit full stops': '⒋⒉⒋⒉⒋⒉⒋⒉⒋⒉⒋⒉⒋⒉⒋⒉',
      'parenthesized digits': '⑷⑵⑷⑵⑷⑵⑷⑵⑷⑵⑷⑵⑷⑵⑷⑵',
      'equals and dollar signs': '4242=4242$4242=4242',
      'combining accents': '4́2́4́2́4́2́4́2́4́2́4́2́4́2́4́2́',
      'HTML hex entities':
        '&#x34;&#x32;&#x34;&#x32;&#x34;&#x32;&#x34;&#x32;&#x34;&#x32;&#x34;&#x32;&#x34;&#x32;&#x34;&#x32;',
      'JSON escapes':
        '\\u0034\\u0032\\u0034\\u0032\\u0034\\u0032\\u0034\\u0032\\u0034\\u0032\\u0034\\u0032\\u0034\\u0032\\u0034\\u0032',
      'quoted-printable': '=34=32=34=32=34=32=34=32=34=32=34=32=34=32=34=32',
      'base64 split by a space': `${Buffer.from('4242424242424242').toString('base64').slice(0, 8)} ${Buffer.from('4242424242424242').toString('base64').slice(8)}`,
      base32: 'GQZDIMRUGI2DENBSGQZDIMRUGI2DENBS',
    };
    for (const [form, text] of Object.entries(hidden))
      assert.ok(containsCardNumber(`note: ${text} thanks`), `${form}: ${maskCardNumbers(text)}`);
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
