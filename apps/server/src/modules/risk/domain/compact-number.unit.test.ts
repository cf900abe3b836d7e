import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { ceilToDigits, roundToDigits } from './compact-number.ts';

it('7 significant digits; a ceiling is never below its number and is the nearest such', () => {
  assert.equal(roundToDigits(0.7676452462725581), 0.7676452);
  assert.equal(ceilToDigits(0.7676452462725581), 0.7676453);
  assert.equal(ceilToDigits(-0.0216700452625374), -0.02167004);
  assert.equal(ceilToDigits(59.35609027777778), 59.3561);
  assert.equal(ceilToDigits(8), 8);
  fc.assert(
    fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (x) => {
      const c = ceilToDigits(x);
      assert.ok(c >= x, `${c} < ${x}`);
      assert.ok(Number(c.toPrecision(7)) === c);
      assert.ok(!/\d{13}/.test(JSON.stringify([c, roundToDigits(x)])), String(c));
    }),
  );
});
